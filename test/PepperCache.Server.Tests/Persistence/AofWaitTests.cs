using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Persistence;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// The log's group commit on its own, under many concurrent appenders: a wait completes only once the records up to
/// its LSN are in the file (written for everysec and no, fsync'd for always), whichever way the appends, the waits
/// and the writer's takes interleave, and no wait is left hanging when the policy changes under it.
/// </summary>
public sealed class AofWaitTests
{
    private const int Writers = 8;
    private const int RecordsPerWriter = 1500;

    /// <remarks>Each appender waits as a connection does, with its own <see cref="AofWaiter"/>.</remarks>
    [Theory]
    [InlineData("always")]
    [InlineData("everysec")]
    [InlineData("no")]
    public async Task AWaitEndsOnlyOnceItsRecordsAreInTheFile(string policy)
    {
        var dir = TempDirectory();
        try
        {
            using var log = Open(dir, policy);
            var early = 0;
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var waiter = new AofWaiter();
                for (var n = 0; n < RecordsPerWriter; n++)
                {
                    var lsn = log.AppendRaw(Record("SET", $"wait:{w}", n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    await Wait(log, lsn, waiter);
                    // The LSN is the file offset (no rewrite here): the file must be at least that long by now.
                    var reached = policy == "always" ? log.DurableLsn : new FileInfo(log.FilePath).Length;
                    if (reached < lsn)
                    {
                        Interlocked.Increment(ref early);
                    }
                }
            }, TestContext.Current.CancellationToken)));

            Assert.Equal(0, early);
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    /// <summary>
    /// A connection's held wait ends on the writer thread, whose continuation may go on to stop the log (a host that
    /// shuts down when its last connection ends). The writer cannot join itself: Stop finishes its last pass there and
    /// then, with everything appended in the file.
    /// </summary>
    [Fact]
    public async Task AContinuationOnTheWriterCanStopTheLog()
    {
        var dir = TempDirectory();
        try
        {
            using var log = Open(dir, "always");
            var waiter = new AofWaiter();
            string? thread = null;
            long last = 0;
            await Task.Run(async () =>
            {
                // Until a wait is held for its fsync, so that its continuation runs on the writer (AppendRaw wakes the
                // writer, which now and then fsyncs the record before the wait looks).
                for (var i = 0; i < 1000 && Thread.CurrentThread.Name != "aof-writer"; i++)
                {
                    await log.WaitLoggedAsync(log.AppendRaw(Record("SET", "stop:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "x")), waiter);
                }

                thread = Thread.CurrentThread.Name;
                last = log.AppendRaw(Record("SET", "stop:last", "y"));
                log.Stop();
            }, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            Assert.Equal("aof-writer", thread);
            Assert.Equal(last, log.DurableLsn);
            Assert.Equal(last, new FileInfo(log.FilePath).Length);
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task NoWaitHangsWhenThePolicyChangesUnderIt()
    {
        var dir = TempDirectory();
        try
        {
            using var log = Open(dir, "everysec");
            using var stop = new CancellationTokenSource();
            var switcher = Task.Run(async () =>
            {
                // Bounded: at most 2000 switches, ending when the writers are done.
                for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
                {
                    log.Policy = (FsyncPolicy)(i % 3);
                    await Task.Yield();
                }
            }, TestContext.Current.CancellationToken);

            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var waiter = new AofWaiter();
                for (var n = 0; n < 500; n++)
                {
                    var lsn = log.AppendRaw(Record("SET", $"switch:{w}", "x"));
                    await Wait(log, lsn, waiter);
                }
            }, TestContext.Current.CancellationToken)));
            await stop.CancelAsync();
            await switcher;
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    private static Task Wait(AppendOnlyLog log, long lsn, AofWaiter waiter) =>
        log.WaitLoggedAsync(lsn, waiter).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    private static AppendOnlyLog Open(string dir, string policy)
    {
        var options = Options.Create(new PepperCacheOptions { Dir = dir, AppendFsync = policy, AutoAofRewritePercentage = 0 });
        var log = new AppendOnlyLog(new KeyValueStore(TimeProvider.System), options, new AofStorage(), NullLogger<AppendOnlyLog>.Instance);
        log.Open();
        return log;
    }
}
