using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Persistence;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// Where each policy's replies wait: everysec and no wait for write(2) only, with everysec's fsync on its own thread
/// (Redis's background fsync), so a disk slow to fsync holds no reply; always waits for the fsync. The disk here is
/// an <see cref="AofStorage"/> whose fsync the test holds and releases.
/// </summary>
public sealed class AofFsyncTests
{
    [Fact]
    public async Task UnderEverysecAnFsyncThatHangsHoldsNoReplyAndTheDataIsOnDiskAfterIt()
    {
        var dir = TempDirectory();
        var storage = new GatedSyncStorage();
        try
        {
            await using (var node = Node(dir, fsync: "everysec", services: s => s.AddSingleton<AofStorage>(storage)))
            {
                await using var raw = await node.ConnectRawAsync();
                await raw.AssertReplyAsync("SET first 1\r\n", "+OK\r\n");
                // The once-a-second fsync starts (about a second after the write) and hangs in the "disk".
                await storage.SyncEntered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

                // Meanwhile writes are answered: their records were written to the OS, which is all a reply waits for.
                await raw.AssertReplyAsync("SET second 2\r\nSET third 3\r\n", "+OK\r\n+OK\r\n");
                await using var redis = await node.ConnectAsync(o => o.AllowAdmin = true);
                Assert.Contains("aof_pending_bio_fsync:1\r\n", (string?)await redis.GetDatabase().ExecuteAsync("INFO", "persistence"), StringComparison.Ordinal);

                storage.Release.Set();
                await WaitForInfoAsync(redis.GetDatabase(), "aof_pending_bio_fsync:0\r\n");
            }

            await using var restarted = Node(dir);
            await using var again = await restarted.ConnectAsync();
            var db = again.GetDatabase();
            Assert.Equal(["1", "2", "3"], (await db.StringGetAsync(["first", "second", "third"])).Select(v => (string?)v));
        }
        finally
        {
            storage.Release.Set();
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task UnderEverysecAFailedFsyncRefusesWritesUntilOneSucceeds()
    {
        var dir = TempDirectory();
        var storage = new GatedSyncStorage { Fail = true };
        storage.Release.Set();
        try
        {
            await using var node = Node(dir, fsync: "everysec", services: s => s.AddSingleton<AofStorage>(storage));
            await using var raw = await node.ConnectRawAsync();
            await raw.AssertReplyAsync("SET written 1\r\n", "+OK\r\n");
            await using var redis = await node.ConnectAsync(o => o.AllowAdmin = true);
            var db = redis.GetDatabase();
            await WaitForInfoAsync(db, "aof_last_write_status:err\r\n");

            await raw.AssertReplyAsync("SET refused 2\r\n", "-MISCONF Errors writing to the AOF file: Input/output error\r\n");
            await raw.AssertReplyAsync("GET written\r\n", "$1\r\n1\r\n");

            // The next fsync, a second later, succeeds: writes are taken again.
            storage.Fail = false;
            await WaitForInfoAsync(db, "aof_last_write_status:ok\r\n");
            await raw.AssertReplyAsync("SET after 3\r\n", "+OK\r\n");
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task UnderAlwaysTheReplyWaitsForTheFsync()
    {
        var dir = TempDirectory();
        var storage = new GatedSyncStorage();
        try
        {
            await using var node = Node(dir, fsync: "always", services: s => s.AddSingleton<AofStorage>(storage));
            await using var raw = await node.ConnectRawAsync();
            await raw.SendAsync("SET held 1\r\n");
            await storage.SyncEntered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

            // The record is written and its fsync hangs: no reply yet. Once the fsync ends, the reply goes.
            Assert.Equal(0, raw.Available);
            storage.Release.Set();
            Assert.Equal("+OK\r\n", await raw.ReadExactlyAsync(5));
        }
        finally
        {
            storage.Release.Set();
            DeleteDirectory(dir);
        }
    }

    private static Task<string> WaitForInfoAsync(IDatabase db, string line) =>
        Eventually.UntilAsync(
            async () => (string)(await db.ExecuteAsync("INFO", "persistence"))!, info => info.Contains(line, StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), $"INFO persistence shows {line}", interval: TimeSpan.FromMilliseconds(50));

    /// <summary>A disk whose fsync waits for <see cref="Release"/> (or fails with EIO while <see cref="Fail"/>).</summary>
    private sealed class GatedSyncStorage : AofStorage
    {
        public volatile bool Fail;

        public TaskCompletionSource SyncEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Release { get; } = new(false);

        public override void Sync(Stream stream)
        {
            SyncEntered.TrySetResult();
            // Bounded: a test that forgets to release fails instead of hanging the node's stop.
            if (!Release.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new IOException("the test never released the fsync", 5);
            }

            if (Fail)
            {
                throw new IOException("Input/output error", 5);
            }

            base.Sync(stream);
        }
    }
}
