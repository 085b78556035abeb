using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.MemoryCommandsIntegrationTests;

namespace PepperCache.Server.Tests;

/// <summary>
/// A large collection arriving in PEPPER.IMPORT pieces counts in the target's used_memory from its first piece: it
/// rises while the collection is half-built, falls back when the pieces are dropped, counts once when stored, and a
/// piece over maxmemory meets the policy as a whole-key import does (noeviction: the same OOM, the old owner keeps the
/// slot; an evicting policy evicts first).
/// </summary>
public sealed class ImportPiecesMemoryIntegrationTests
{
    private const string Oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

    [Fact]
    public async Task UsedMemoryCountsAHalfBuiltCollectionAndGivesItBackOnResetRefusalAndInstall()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var (key, slot, importer) = KeyImportedBy(cluster, "pcs-mem");
        var store = TestCluster.Server(importer).Store;
        await using var client = await RespFrameClient.ConnectAsync(importer.RespEndPoint);
        var pieces = LargeCollectionMigrationIntegrationTests.Pieces(Hash(store, 3_000, 100), 1_000);
        var baseline = await UsedMemoryAsync(client);
        var tables = store.TableMemory;

        // Half-built: counted by its own figure, outside the keyspace.
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "RESET", "4:0:3000", key, pieces[0]));
        var onePiece = await UsedMemoryAsync(client);
        Assert.False(store.Exists(Encoding.UTF8.GetBytes(key)));
        Assert.True(onePiece - baseline >= 1_000 * 100, $"used_memory rose by {onePiece - baseline}");
        Assert.Equal(baseline + store.BuildingMemory, onePiece);
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[1]));
        var twoPieces = await UsedMemoryAsync(client);
        Assert.True(twoPieces - onePiece >= 1_000 * 100, $"the second piece added {twoPieces - onePiece}");
        Assert.Equal(baseline + store.BuildingMemory, twoPieces);

        // RESET drops the pieces: used_memory is back where it was.
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "RESET"));
        Assert.Equal(baseline, await UsedMemoryAsync(client));
        Assert.Equal(0, store.BuildingMemory);

        // So does a refused piece (another type than its start), which drops the collection it continued.
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:3000", key, pieces[0]));
        Assert.Equal(onePiece, await UsedMemoryAsync(client));
        Assert.StartsWith("-ERR Import piece's type", await ImportAsync(client, slot, "APPEND", "2:0:+", key, pieces[1]), StringComparison.Ordinal);
        Assert.Equal(baseline, await UsedMemoryAsync(client));

        // Installed: counted once, as a key (deleting it gives back all of it), the building count back to 0.
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "RESET", "4:0:3000", key, pieces[0]));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[1]));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[2]));
        Assert.True(store.Exists(Encoding.UTF8.GetBytes(key)));
        Assert.Equal(0, store.BuildingMemory);
        var installed = await UsedMemoryAsync(client);
        Assert.InRange(installed - baseline, twoPieces - baseline, 2 * (twoPieces - baseline));
        Assert.True(store.Delete(Encoding.UTF8.GetBytes(key)));
        // Deleted, all of it is given back but the room the shard's table made for a collection (it keeps its size).
        Assert.Equal(baseline + (store.TableMemory - tables), await UsedMemoryAsync(client));
        Assert.InRange(store.TableMemory - tables, 0, 1_024);
    }

    [Fact]
    public async Task APieceOverMaxmemoryMeetsThePolicyAsAWholeKeyImportDoes()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var (key, slot, importer) = KeyImportedBy(cluster, "pcs-oom");
        var store = TestCluster.Server(importer).Store;
        await using var client = await RespFrameClient.ConnectAsync(importer.RespEndPoint);
        var pieces = LargeCollectionMigrationIntegrationTests.Pieces(Hash(store, 3_000, 100), 1_000);
        var baseline = await UsedMemoryAsync(client);

        // noeviction, room for less than one piece: the first is taken (the node was under its limit), the next one
        // refused before it runs, with the whole-key import's error; RESET too, so the pieces stay counted until room comes.
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory-policy", "noeviction"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", (baseline + 50_000).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "RESET", "4:0:3000", key, pieces[0]));
        var held = store.BuildingMemory;
        Assert.Equal(Oom, await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[1]));
        Assert.Equal(Oom, await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "APPEND", "0", key + "s", "whole"));
        Assert.Equal(Oom, await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "RESET"));
        Assert.Equal(held, store.BuildingMemory);
        Assert.False(store.Exists(Encoding.UTF8.GetBytes(key)));

        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "0"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "RESET"));
        Assert.Equal(baseline, await UsedMemoryAsync(client));

        // An evicting policy makes room first: the node's own keys go, and every piece is taken.
        for (var i = 0; i < 600; i++)
        {
            store.Set(Encoding.UTF8.GetBytes($"own:{i}"), new byte[1_000], 0);
        }

        var filled = await UsedMemoryAsync(client);
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-random"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", (filled + 50_000).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "RESET", "4:0:3000", key, pieces[0]));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[1]));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[2]));
        Assert.True(store.Exists(Encoding.UTF8.GetBytes(key)));
        Assert.True(InfoField(await client.ExecuteTextAsync("INFO", "stats"), "evicted_keys") >= 64, "the pieces evicted keys before they ran");
        Assert.Equal(0, store.BuildingMemory);
    }

    [Fact]
    public async Task AFullNoEvictionTargetRefusesAPiecedMoveAndTheOldOwnerKeepsServingTheKey()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var owner = cluster.Nodes[0];
        // The joiner starts with no room at all, so it takes nothing while the test learns which slots are due to it.
        var joiner = cluster.AddNode(new Dictionary<string, string?> { ["PepperCache:MaxMemory"] = "1", ["PepperCache:MaxMemoryPolicy"] = "noeviction" });
        var joinerId = TestCluster.State(joiner).MyId;
        await Eventually.UntilAsync(() => Enumerable.Range(0, HashSlot.SlotCount).Any(s => TestCluster.State(owner).DesiredOwnerOf(s).Id == joinerId), TimeSpan.FromSeconds(10), "a slot is due to the joiner");
        var key = Enumerable.Range(0, 10_000).Select(i => $"{{pcs-full-{i}}}h")
            .First(k => TestCluster.State(owner).DesiredOwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == joinerId);
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
        var ownerStore = TestCluster.Server(owner).Store;
        // About 5.6 MB of payload: more than one import command (4 MB), so the collection is still half-built at the second.
        const int Fields = 14_000;
        ownerStore.SetObject(Encoding.UTF8.GetBytes(key), Hash(ownerStore, Fields, 400), 0);

        // 2 MB: the empty slots fit, the first command of the hash's pieces is taken, the next refused.
        var joinerServer = TestCluster.Server(joiner);
        var rebalancer = TestCluster.Rebalancer(owner);
        await using var joinerClient = await RespFrameClient.ConnectAsync(joiner.RespEndPoint);
        var failedBefore = Interlocked.Read(ref rebalancer.FailedMoves);
        Assert.Equal("+OK\r\n", await joinerClient.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "2mb"));
        await Eventually.UntilAsync(
            () =>
            {
                lock (joinerServer.Migration.ImportLock)
                {
                    return joinerServer.Migration.Pieces.TryGet(Encoding.UTF8.GetBytes(key), out _) && Interlocked.Read(ref rebalancer.FailedMoves) > failedBefore;
                }
            },
            TimeSpan.FromSeconds(30),
            "the joiner holds part of the hash and refused the rest");
        var info = await joinerClient.ExecuteTextAsync("INFO", "memory");
        Assert.True(joinerServer.Store.BuildingMemory > 2 << 20, $"building {joinerServer.Store.BuildingMemory}");
        Assert.True(InfoField(info, "used_memory") >= joinerServer.Store.BuildingMemory, info);
        Assert.True(InfoField(info, "used_memory") > InfoField(info, "maxmemory"), info);
        Assert.False(joinerServer.Store.Exists(Encoding.UTF8.GetBytes(key)));

        // The old owner still serves the slot, and the whole hash.
        Assert.Equal(TestCluster.State(owner).MyId, cluster.OwnerOf(slot).Id);
        await using (var ownerClient = await RespFrameClient.ConnectAsync(owner.RespEndPoint))
        {
            Assert.Equal($":{Fields}\r\n", await ownerClient.ExecuteTextAsync("HLEN", key));
            Assert.Equal($"$400\r\n{Value(Fields - 1, 400)}\r\n", await ownerClient.ExecuteTextAsync("HGET", key, Field(Fields - 1)));
        }

        // Nothing lost: with room, the retry (RESET first) moves it, and the pieces are counted no longer.
        Assert.Equal("+OK\r\n", await joinerClient.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "0"));
        await cluster.WhenSettledAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(joinerId, cluster.OwnerOf(slot).Id);
        Assert.Equal($":{Fields}\r\n", await joinerClient.ExecuteTextAsync("HLEN", key));
        Assert.Equal(0, joinerServer.Store.BuildingMemory);
        Assert.Equal(0, joinerServer.Migration.Pieces.Count);
    }

    /// <summary>A key of a slot <paramref name="tag"/>'s first node does not serve, its slot as text, and that node.</summary>
    private static (string Key, string Slot, PepperCacheApplication Importer) KeyImportedBy(TestCluster cluster, string tag)
    {
        var key = $"{{{tag}}}h";
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
        var owner = cluster.OwnerOf(slot).Id;
        return (key, slot.ToString(CultureInfo.InvariantCulture), cluster.Nodes.First(n => TestCluster.State(n).MyId != owner));
    }

    private static HashObject Hash(KeyValueStore store, int fields, int valueBytes)
    {
        var hash = new HashObject();
        for (var i = 0; i < fields; i++)
        {
            hash.Set(Encoding.UTF8.GetBytes(Field(i)), Encoding.UTF8.GetBytes(Value(i, valueBytes)), store.Encodings);
        }

        return hash;
    }

    private static string Field(int i) => $"f{i:D5}";

    private static string Value(int i, int bytes) => i.ToString("D5", CultureInfo.InvariantCulture).PadRight(bytes, 'v');

    private static async Task<long> UsedMemoryAsync(RespFrameClient client) => InfoField(await client.ExecuteTextAsync("INFO", "memory"), "used_memory");

    private static async Task<string> ImportAsync(RespFrameClient client, string slot, string mode, string typed, string key, byte[] payload) =>
        Encoding.UTF8.GetString(await client.ExecuteAsync([.. new[] { "PEPPER.IMPORT", slot, mode, typed, key }.Select(Encoding.UTF8.GetBytes), payload]));
}
