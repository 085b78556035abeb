using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Persistence;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// Under everysec and no a connection writes its own records when the file is free, as Redis's event loop does; it
/// leaves them to the writer thread under always, while everysec's fsync runs and for a while after a slow write.
/// Either way its reply leaves only once its records are in the file.
/// </summary>
public sealed class AofInlineWriteTests
{
    private const int Writes = 200;

    [Theory]
    [InlineData("everysec")]
    [InlineData("no")]
    public async Task ConnectionsWriteTheirOwnRecordsAndReplyOnlyOnceTheyAreInTheFile(string policy)
    {
        var dir = TempDirectory();
        try
        {
            await using var node = Node(dir, fsync: policy);
            var log = node.Services.GetRequiredService<AppendOnlyLog>();
            await using var raw = await node.ConnectRawAsync();
            var before = log.InlineWrites;
            for (var n = 0; n < Writes; n++)
            {
                await raw.AssertReplyAsync($"SET inline:{n} {n}\r\n", "+OK\r\n");
                if (n % 50 == 49)
                {
                    // The reply is out: the record must be in the file already (read by another handle, as after a kill).
                    Assert.Contains($"inline:{n}", ReadLog(log), StringComparison.Ordinal);
                }
            }

            // One client writing in turn almost never finds the writer thread holding the file (it holds it once a
            // second to start the fsync): most of the writes are the connection's own.
            Assert.True(log.InlineWrites - before >= Writes / 2, $"{log.InlineWrites - before} of {Writes} writes were the connection's own");
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task UnderAlwaysTheWriterThreadWritesEveryRecord()
    {
        var dir = TempDirectory();
        try
        {
            await using var node = Node(dir, fsync: "always");
            var log = node.Services.GetRequiredService<AppendOnlyLog>();
            await using var raw = await node.ConnectRawAsync();
            for (var n = 0; n < 20; n++)
            {
                await raw.AssertReplyAsync($"SET always:{n} {n}\r\n", "+OK\r\n");
            }

            Assert.Equal(0, log.InlineWrites);
            Assert.Contains("always:19", ReadLog(log), StringComparison.Ordinal);
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task WhileEverysecsFsyncRunsTheWriterThreadWrites()
    {
        var dir = TempDirectory();
        var storage = new TestStorage();
        try
        {
            await using var node = Node(dir, fsync: "everysec", services: s => s.AddSingleton<AofStorage>(storage));
            var log = node.Services.GetRequiredService<AppendOnlyLog>();
            await using var raw = await node.ConnectRawAsync();
            storage.HoldSync.Reset();
            await raw.AssertReplyAsync("SET first 1\r\n", "+OK\r\n");
            await storage.SyncEntered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

            // On Linux a write(2) waits for an fsync of the same file: the socket threads must not be the ones waiting.
            var inline = log.InlineWrites;
            for (var n = 0; n < 10; n++)
            {
                await raw.AssertReplyAsync($"SET during:{n} {n}\r\n", "+OK\r\n");
            }

            Assert.Equal(inline, log.InlineWrites);
            Assert.Contains("during:9", ReadLog(log), StringComparison.Ordinal);

            // Released before the node stops: its last fsync would wait for the hold.
            storage.HoldSync.Set();
        }
        finally
        {
            storage.HoldSync.Set();
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task ASlowWriteLeavesTheNextWritesToTheWriterThread()
    {
        var dir = TempDirectory();
        try
        {
            await using var node = Node(dir, fsync: "everysec");
            var log = node.Services.GetRequiredService<AppendOnlyLog>();
            // Longer than the test can take however busy the machine (the node's own pause is a second).
            log.InlinePauseAfterSlowWrite = TimeSpan.FromMinutes(5);
            await using var raw = await node.ConnectRawAsync();

            // Every write counts as slow (none is faster than zero) until one of them was the connection's own (the
            // writer thread may take one now and then): a slow disk, without making anything wait.
            var slow = log.SlowInlineWrite;
            log.SlowInlineWrite = TimeSpan.Zero;
            var before = log.InlineWrites;
            for (var n = 0; n < 50 && log.InlineWrites == before; n++)
            {
                await raw.AssertReplyAsync($"SET slow:{n} {n}\r\n", "+OK\r\n");
            }

            log.SlowInlineWrite = slow;
            Assert.True(log.InlineWrites > before, "no slow write was the connection's own");

            // The disk is fast again, but for a while the socket threads leave writing to the writer thread.
            var paused = log.InlineWrites;
            for (var n = 0; n < 20; n++)
            {
                await raw.AssertReplyAsync($"SET after:{n} {n}\r\n", "+OK\r\n");
            }

            Assert.Equal(paused, log.InlineWrites);
            Assert.Contains("after:19", ReadLog(log), StringComparison.Ordinal);
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    private static string ReadLog(AppendOnlyLog log)
    {
        using var file = new FileStream(log.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file, Encoding.Latin1);
        return reader.ReadToEnd();
    }

    /// <summary>A disk whose fsync can be held.</summary>
    private sealed class TestStorage : AofStorage
    {
        public TaskCompletionSource SyncEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim HoldSync { get; } = new(true);

        public override void Sync(Stream stream)
        {
            if (!HoldSync.IsSet)
            {
                SyncEntered.TrySetResult();
                // Bounded: a test that forgets to release fails instead of hanging the node's stop.
                HoldSync.Wait(TimeSpan.FromSeconds(30));
            }

            base.Sync(stream);
        }
    }
}
