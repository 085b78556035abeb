using Microsoft.Extensions.DependencyInjection;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// appendfsync always holds replies until their records are fsync'd, also when a connection stops at a command on a
/// slot frozen for migration and flushes the replies before it.
/// </summary>
public sealed class AofSlotWaitTests
{
    [Fact]
    public async Task RepliesFlushedBeforeASlotWaitStillWaitForTheirFsync()
    {
        var dir = TempDirectory();
        var storage = new GatedAofStorage();
        try
        {
            await using var node = Node(dir, fsync: "always", services: s => s.AddSingleton<AofStorage>(storage));
            var server = node.Services.GetRequiredService<ServerState>();
            var log = node.Services.GetRequiredService<AppendOnlyLog>();
            await using var client = await node.ConnectRawAsync();
            await client.AssertReplyAsync("SET warm 1\r\n", "+OK\r\n");
            var slot = HashSlot.Of("{frozen}k"u8);

            Assert.True(server.Migration.TryFreeze(slot));
            storage.Close();
            var held = log.HeldWaits;
            await client.SendAsync("SET durable 1\r\nGET {frozen}k\r\n");
            var ok = client.ReadExactlyAsync(5);

            // The SET runs and the connection stops at the frozen GET. Wait until it waits for the SET's fsync, which
            // is held, before flushing the SET's reply (or, were the reply not held, until that reply arrives). From
            // then on the reply can leave only when the fsync is let go.
            await Eventually.UntilAsync(() => log.HeldWaits > held || ok.IsCompleted, TimeSpan.FromSeconds(10), "the connection waits for the held fsync");
            Assert.False(ok.IsCompleted, "a reply left before its record was fsync'd");
            Assert.True(node.Store.Exists("durable"u8));

            storage.Open();
            Assert.Equal("+OK\r\n", await ok);
            server.Migration.Unfreeze(slot);
            Assert.Equal("$-1\r\n", await client.ReadExactlyAsync(5));
        }
        finally
        {
            storage.Open();
            DeleteDirectory(dir);
        }
    }

    /// <summary>An AOF whose fsync can be held (bounded, so a failing test cannot hang the writer for long).</summary>
    private sealed class GatedAofStorage : AofStorage
    {
        private readonly ManualResetEventSlim _open = new(initialState: true);

        public void Close() => _open.Reset();

        public void Open() => _open.Set();

        public override void Sync(Stream stream)
        {
            _open.Wait(TimeSpan.FromSeconds(10));
            base.Sync(stream);
        }
    }
}
