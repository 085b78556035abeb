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
/// piece over maxmemory meets the policy as a whole-key import does (noeviction: the same OOM, an evicting policy
/// evicts first). A move such a refusal ends is <see cref="RefusedImportTakeBackIntegrationTests"/>.
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
        // refused before it runs, with the whole-key import's error; a RESET that carries a key too.
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory-policy", "noeviction"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", (baseline + 50_000).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "RESET", "4:0:3000", key, pieces[0]));
        var held = store.BuildingMemory;
        Assert.Equal(Oom, await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[1]));
        Assert.Equal(Oom, await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "APPEND", "0", key + "s", "whole"));
        Assert.Equal(Oom, await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "RESET", "0", key + "s", "whole"));
        Assert.Equal(held, store.BuildingMemory);
        Assert.False(store.Exists(Encoding.UTF8.GetBytes(key)));

        // A RESET with no keys of a slot holding nothing here frees nothing (an empty slot's pre-copy): still refused.
        var empty = Enumerable.Range(0, HashSlot.SlotCount).First(s => s.ToString(CultureInfo.InvariantCulture) != slot && cluster.OwnerOf(s).Id != TestCluster.State(importer).MyId);
        Assert.Equal(Oom, await client.ExecuteTextAsync("PEPPER.IMPORT", empty.ToString(CultureInfo.InvariantCulture), "RESET"));

        // One that drops the pieces only frees memory (the mover's take-back after a refusal): taken over the limit,
        // and the node is back where it was, under it, taking writes again.
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "RESET"));
        Assert.Equal(0, store.BuildingMemory);
        Assert.Equal(baseline, await UsedMemoryAsync(client));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "APPEND", "0", key + "s", "whole"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("PEPPER.IMPORT", slot, "RESET"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "0"));

        // An evicting policy makes room first: the node's own keys go, and every piece is taken. The installed key leaves
        // the node over its limit, and the background round evicts then: under a volatile policy the imported key (no
        // TTL) is not a candidate, so it is still there to be checked (under allkeys-random it went 1 time in 3).
        var later = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        for (var i = 0; i < 600; i++)
        {
            store.Set(Encoding.UTF8.GetBytes($"own:{i}"), new byte[1_000], later);
        }

        var filled = await UsedMemoryAsync(client);
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory-policy", "volatile-random"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", (filled + 50_000).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "RESET", "4:0:3000", key, pieces[0]));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[1]));
        Assert.Equal("+OK\r\n", await ImportAsync(client, slot, "APPEND", "4:0:+", key, pieces[2]));
        Assert.True(store.Exists(Encoding.UTF8.GetBytes(key)));
        Assert.True(InfoField(await client.ExecuteTextAsync("INFO", "stats"), "evicted_keys") >= 64, "the pieces evicted keys before they ran");
        Assert.Equal(0, store.BuildingMemory);
    }

    /// <summary>A key of a slot <paramref name="tag"/>'s first node does not serve, its slot as text, and that node.</summary>
    private static (string Key, string Slot, PepperCacheApplication Importer) KeyImportedBy(TestCluster cluster, string tag)
    {
        var key = $"{{{tag}}}h";
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
        var owner = cluster.OwnerOf(slot).Id;
        return (key, slot.ToString(CultureInfo.InvariantCulture), cluster.Nodes.First(n => TestCluster.State(n).MyId != owner));
    }

    internal static HashObject Hash(KeyValueStore store, int fields, int valueBytes)
    {
        var hash = new HashObject();
        for (var i = 0; i < fields; i++)
        {
            hash.Set(Encoding.UTF8.GetBytes(Field(i)), Encoding.UTF8.GetBytes(Value(i, valueBytes)), store.Encodings);
        }

        return hash;
    }

    internal static string Field(int i) => $"f{i:D5}";

    internal static string Value(int i, int bytes) => i.ToString("D5", CultureInfo.InvariantCulture).PadRight(bytes, 'v');

    private static async Task<long> UsedMemoryAsync(RespFrameClient client) => InfoField(await client.ExecuteTextAsync("INFO", "memory"), "used_memory");

    private static async Task<string> ImportAsync(RespFrameClient client, string slot, string mode, string typed, string key, byte[] payload) =>
        Encoding.UTF8.GetString(await client.ExecuteAsync([.. new[] { "PEPPER.IMPORT", slot, mode, typed, key }.Select(Encoding.UTF8.GetBytes), payload]));
}
