using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.ImportPiecesMemoryIntegrationTests;
using static PepperCache.Server.Tests.MemoryCommandsIntegrationTests;

namespace PepperCache.Server.Tests;

/// <summary>
/// A noeviction target with little room refuses a move part-way (OOM), and gives back at once what it had taken of
/// the slot, not 30 s later with its stray sweep: its used_memory is back near where it was, its own clients' writes
/// are taken again, and the old owner still serves every key of the slot. With room, the retry moves it all.
/// </summary>
public sealed class RefusedImportTakeBackIntegrationTests
{
    [Fact]
    public async Task AFullNoEvictionTargetGivesBackAPiecedCollectionItRefusedPartOf()
    {
        // About 5.6 MB of payload: more than one import command (4 MB), so the collection is half-built at the second.
        const int Fields = 14_000;
        await RefusedMoveIsGivenBackAsync(
            "back-h",
            (store, tag) =>
            {
                var key = $"{{{tag}}}h";
                store.SetObject(Encoding.UTF8.GetBytes(key), Hash(store, Fields, 400), 0);
                return [key];
            },
            async (client, keys) =>
            {
                Assert.Equal($":{Fields}\r\n", await client.ExecuteTextAsync("HLEN", keys[0]));
                Assert.Equal($"$400\r\n{Value(Fields - 1, 400)}\r\n", await client.ExecuteTextAsync("HGET", keys[0], Field(Fields - 1)));
            });
    }

    [Fact]
    public async Task AFullNoEvictionTargetGivesBackTheWholeKeysItTookBeforeRefusingTheRest()
    {
        // 6 MB of strings in one slot: the first import command (4 MB) is taken, the second refused.
        const int Keys = 12;
        const int Bytes = 500_000;
        await RefusedMoveIsGivenBackAsync(
            "back-s",
            (store, tag) =>
            {
                var keys = Enumerable.Range(0, Keys).Select(i => $"{{{tag}}}s{i}").ToArray();
                for (var i = 0; i < Keys; i++)
                {
                    store.Set(Encoding.UTF8.GetBytes(keys[i]), Encoding.UTF8.GetBytes(Value(i, Bytes)), 0);
                }

                return keys;
            },
            async (client, keys) =>
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    Assert.Equal($":{Bytes}\r\n", await client.ExecuteTextAsync("STRLEN", keys[i]));
                    Assert.Equal($"$5\r\n{i:D5}\r\n", await client.ExecuteTextAsync("GETRANGE", keys[i], "0", "4"));
                }
            });
    }

    /// <summary>
    /// A one-node cluster and a noeviction joiner that starts with no room (it takes nothing, not even an empty slot,
    /// while the test picks a slot due to it); <paramref name="fill"/> puts that slot's keys on the old owner; then the
    /// joiner gets 2 MB, takes the slot's first import command and refuses the next.
    /// </summary>
    private static async Task RefusedMoveIsGivenBackAsync(
        string tagPrefix, Func<KeyValueStore, string, string[]> fill, Func<RespFrameClient, string[], Task> assertAllServedBy)
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var owner = cluster.Nodes[0];
        var joiner = cluster.AddNode(new Dictionary<string, string?> { ["PepperCache:MaxMemory"] = "1", ["PepperCache:MaxMemoryPolicy"] = "noeviction" });
        var joinerId = TestCluster.State(joiner).MyId;
        await Eventually.UntilAsync(() => Enumerable.Range(0, HashSlot.SlotCount).Any(s => TestCluster.State(owner).DesiredOwnerOf(s).Id == joinerId), TimeSpan.FromSeconds(10), "a slot is due to the joiner");
        var tag = Enumerable.Range(0, 10_000).Select(i => $"{tagPrefix}-{i}")
            .First(t => TestCluster.State(owner).DesiredOwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes($"{{{t}}}"))).Id == joinerId);
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes($"{{{tag}}}"));
        var keys = fill(TestCluster.Server(owner).Store, tag);

        var joinerServer = TestCluster.Server(joiner);
        var rebalancer = TestCluster.Rebalancer(owner);
        await using var joinerClient = await RespFrameClient.ConnectAsync(joiner.RespEndPoint);
        var baseline = InfoField(await joinerClient.ExecuteTextAsync("INFO", "memory"), "used_memory");
        var failedBefore = Interlocked.Read(ref rebalancer.FailedMoves);
        Assert.Equal("+OK\r\n", await joinerClient.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "2mb"));
        // The slot's first command is taken: the attempt that goes over the limit is under way.
        await Eventually.UntilAsync(() => joinerServer.Migration.ImportCount(slot) > 0, TimeSpan.FromSeconds(30), "the joiner takes part of the slot");

        // Right after the refusal, well inside the stray sweep's 30 s: nothing of the slot left at the joiner, its
        // used_memory back near where it was, under its limit, and its own clients' writes taken again.
        string? lastState = null;
        await Eventually.UntilAsync(
            async () =>
            {
                var info = await joinerClient.ExecuteTextAsync("INFO", "memory");
                var used = InfoField(info, "used_memory");
                var own = OwnKey(joiner);
                var write = own is null ? "no slot served yet" : await joinerClient.ExecuteTextAsync("SET", own, "v");
                lastState = $"failed moves {Interlocked.Read(ref rebalancer.FailedMoves) - failedBefore}, taken back {Interlocked.Read(ref rebalancer.SlotsTakenBack)}, "
                    + $"building {joinerServer.Store.BuildingMemory}, keys in slot {joinerServer.Store.CountKeysInSlot(slot)}, used_memory {used} (baseline {baseline}), SET: {write.Trim()}";
                return Interlocked.Read(ref rebalancer.FailedMoves) > failedBefore
                    && joinerServer.Store.BuildingMemory == 0
                    && joinerServer.Store.CountKeysInSlot(slot) == 0
                    && used < baseline + (256 << 10) && used < InfoField(info, "maxmemory")
                    && write == "+OK\r\n";
            },
            TimeSpan.FromSeconds(10),
            "the joiner gave back what it took of the refused slot and takes writes again");
        Assert.True(Interlocked.Read(ref rebalancer.SlotsTakenBack) > 0, lastState);

        // The old owner still serves the slot, and every key of it.
        Assert.Equal(TestCluster.State(owner).MyId, cluster.OwnerOf(slot).Id);
        await using (var ownerClient = await RespFrameClient.ConnectAsync(owner.RespEndPoint))
        {
            await assertAllServedBy(ownerClient, keys);
        }

        // Nothing lost: with room, the retry (RESET first) moves it all.
        Assert.Equal("+OK\r\n", await joinerClient.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "0"));
        await cluster.WhenSettledAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(joinerId, cluster.OwnerOf(slot).Id);
        await assertAllServedBy(joinerClient, keys);
        Assert.Equal(0, joinerServer.Store.BuildingMemory);
        Assert.Equal(0, joinerServer.Migration.Pieces.Count);
    }

    /// <summary>A key of a slot <paramref name="node"/> serves now, or null while it serves none.</summary>
    private static string? OwnKey(PepperCacheApplication node)
    {
        var state = TestCluster.State(node);
        for (var i = 0; i < 10_000; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"own:{i}");
            if (state.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(key))).Id == state.MyId)
            {
                return key;
            }
        }

        return null;
    }
}
