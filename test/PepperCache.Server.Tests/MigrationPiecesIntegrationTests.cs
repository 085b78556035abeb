using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// PEPPER.IMPORT pieces sent by hand to a node that does not serve the slot: a large collection arrives as
/// <c>type:expires-at:total</c> then <c>type:expires-at:+</c> pieces, is stored only when complete, and bad pieces are
/// refused with nothing written.
/// </summary>
public sealed class MigrationPiecesIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private PepperCacheApplication ImporterFor(string key)
    {
        var owner = fixture.Cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(key))).Id;
        return fixture.Cluster.Nodes.First(n => TestCluster.State(n).MyId != owner);
    }

    private static string Slot(string key) => HashSlot.Of(Encoding.UTF8.GetBytes(key)).ToString(CultureInfo.InvariantCulture);

    private static byte[] Command(params object[] arguments)
    {
        var output = new ArrayBufferWriter<byte>();
        output.WriteArrayHeader(arguments.Length);
        foreach (var argument in arguments)
        {
            output.WriteBulkString(argument is byte[] bytes ? bytes : Encoding.UTF8.GetBytes((string)argument));
        }

        return output.WrittenSpan.ToArray();
    }

    private static async Task ExpectAsync(RawRespClient client, byte[] command, string reply)
    {
        await client.SendAsync(command);
        Assert.Equal(reply, await client.ReadExactlyAsync(Encoding.UTF8.GetByteCount(reply)));
    }

    /// <summary>A payload of elements (list, set) or of field/value pairs (hash, two strings per element).</summary>
    private static byte[] Payload(params string[] elements) => Payload(elements.Length, elements);

    private static byte[] Pairs(params string[] fieldsAndValues) => Payload(fieldsAndValues.Length / 2, fieldsAndValues);

    private static byte[] Payload(int count, string[] parts)
    {
        var output = new ArrayBufferWriter<byte>();
        StoreObjectFormat.WriteHeader(output, count);
        foreach (var part in parts)
        {
            output.Write([(byte)part.Length]);
            output.Write(Encoding.UTF8.GetBytes(part));
        }

        return output.WrittenSpan.ToArray();
    }

    private static byte[] Scored(IEnumerable<(double Score, string Member)> members)
    {
        var list = members.ToList();
        var output = new ArrayBufferWriter<byte>();
        StoreObjectFormat.WriteHeader(output, list.Count);
        foreach (var (score, member) in list)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), score);
            output.Advance(8);
            output.Write([(byte)member.Length]);
            output.Write(Encoding.UTF8.GetBytes(member));
        }

        return output.WrittenSpan.ToArray();
    }

    private static bool Building(PepperCacheApplication node, string key)
    {
        var migration = TestCluster.Server(node).Migration;
        lock (migration.ImportLock)
        {
            return migration.Pieces.TryGet(Encoding.UTF8.GetBytes(key), out _);
        }
    }

    [Fact]
    public async Task PiecesRebuildACollectionInOrderThatIsStoredOnlyWithItsLastPiece()
    {
        var importer = ImporterFor("{pcs}l");
        var store = TestCluster.Server(importer).Store;
        await using var client = await importer.ConnectRawAsync();
        var slot = Slot("{pcs}l");
        var expiresAt = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "RESET", $"1:{expiresAt}:5", "{pcs}l", Payload("a", "b")), "+OK\r\n");
        Assert.False(store.Exists("{pcs}l"u8));
        Assert.True(Building(importer, "{pcs}l"));
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", $"1:{expiresAt}:+", "{pcs}l", Payload("c", "d")), "+OK\r\n");
        Assert.False(store.Exists("{pcs}l"u8));
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "0", "{pcs}s", "plain", $"1:{expiresAt}:+", "{pcs}l", Payload("e")), "+OK\r\n");
        Assert.Equal(["a", "b", "c", "d", "e"], ReadList(store, "{pcs}l"));
        Assert.Equal(long.Parse(expiresAt, CultureInfo.InvariantCulture), store.GetExpiresAt("{pcs}l"u8));
        Assert.False(Building(importer, "{pcs}l"));
        Assert.True(store.Exists("{pcs}s"u8));

        // Every piece of a hash in one command, beside a string; the RESET dropped the list.
        await ExpectAsync(
            client,
            Command("PEPPER.IMPORT", slot, "RESET", "4:0:3", "{pcs}h", Pairs("f1", "v1"), "4:0:+", "{pcs}h", Pairs("f2", "v2", "f3", "v3"), "0", "{pcs}t", "x"),
            "+OK\r\n");
        Assert.False(store.Exists("{pcs}l"u8));
        Assert.Equal(DataType.Hash, store.TypeOf("{pcs}h"u8));
        Assert.Equal(-1, store.GetExpiresAt("{pcs}h"u8));
        Assert.Equal(3, CountOf(store, "{pcs}h", DataType.Hash));

        // A sorted set too large for a listpack: a skip list from its first piece, so -0 arrives exactly.
        var members = Enumerable.Range(0, 200).Select(i => (Score: i == 5 ? -0.0 : i * 0.1, Member: $"m{i}")).ToList();
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "3:0:200", "{pcs}z", Scored(members.Take(100))), "+OK\r\n");
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "3:0:+", "{pcs}z", Scored(members.Skip(100))), "+OK\r\n");
        var read = new ReadSortedSet();
        store.Execute("{pcs}z"u8, DataType.SortedSet, ref read);
        Assert.Equal(members.Select(m => $"{m.Member}={BitConverter.DoubleToInt64Bits(m.Score)}").Order(StringComparer.Ordinal), read.Members!.Order(StringComparer.Ordinal));
        Assert.Equal("skiplist", read.Encoding);
    }

    [Fact]
    public async Task BadPiecesAreRefusedWithNothingWritten()
    {
        var importer = ImporterFor("{pcs-bad}h");
        var store = TestCluster.Server(importer).Store;
        await using var client = await importer.ConnectRawAsync();
        var slot = Slot("{pcs-bad}h");
        const string NoStart = "-ERR Import piece continues no collection being imported at its key\r\n";
        const string Mismatch = "-ERR Import piece's type or expiry differs from the collection being imported at its key\r\n";
        const string BadFormat = "-ERR Bad data format\r\n";

        // A continuation with no start; the string before it is not written either.
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "0", "{pcs-bad}s", "v", "4:0:+", "{pcs-bad}h", Pairs("f", "v")), NoStart);
        Assert.False(store.Exists("{pcs-bad}s"u8));

        // A piece of another type (or expiry) than its start: refused, and the collection it continued is dropped.
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:0:3", "{pcs-bad}h", Pairs("f1", "v1")), "+OK\r\n");
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "2:0:+", "{pcs-bad}h", Payload("m")), Mismatch);
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:0:+", "{pcs-bad}h", Pairs("f2", "v2", "f3", "v3")), NoStart);
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:0:3", "{pcs-bad}h", Pairs("f1", "v1")), "+OK\r\n");
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:7:+", "{pcs-bad}h", Pairs("f2", "v2")), Mismatch);
        Assert.False(Building(importer, "{pcs-bad}h"));

        // More elements than announced, an element sent twice, a payload cut short.
        await ExpectAsync(
            client,
            Command("PEPPER.IMPORT", slot, "APPEND", "4:0:2", "{pcs-bad}o", Pairs("f1", "v1", "f2", "v2", "f3", "v3")),
            "-ERR Import pieces hold more elements than their first piece announced\r\n");
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:0:3", "{pcs-bad}d", Pairs("f1", "v1"), "4:0:+", "{pcs-bad}d", Pairs("f1", "v1")), BadFormat);
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:0:3", "{pcs-bad}c", Pairs("f1", "v1")[..^1]), BadFormat);

        // Markers that are not a piece's; a bad expiry is still the integer error.
        foreach (var marker in new[] { "4:0:x", "4:0:0", "4:0:-1", "4:0:", "0:0:5", "9:0:5", "4:0:1:+" })
        {
            await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "0", "{pcs-bad}s", "v", marker, "{pcs-bad}m", Pairs("f1", "v1")), BadFormat);
        }

        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:x:5", "{pcs-bad}m", Pairs("f1", "v1")), "-ERR value is not an integer or out of range\r\n");

        foreach (var key in new[] { "{pcs-bad}s", "{pcs-bad}h", "{pcs-bad}o", "{pcs-bad}d", "{pcs-bad}c", "{pcs-bad}m" })
        {
            Assert.False(store.Exists(Encoding.UTF8.GetBytes(key)), key);
            Assert.False(Building(importer, key), key);
        }
    }

    [Fact]
    public async Task ResetForgetsTheSlotsPiecesAndAnImportStartsAgainAfterIt()
    {
        var importer = ImporterFor("{pcs-rst}h");
        var store = TestCluster.Server(importer).Store;
        await using var client = await importer.ConnectRawAsync();
        var slot = Slot("{pcs-rst}h");

        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "RESET", "0", "{pcs-rst}old", "v", "4:0:3", "{pcs-rst}h", Pairs("f1", "v1")), "+OK\r\n");
        Assert.True(Building(importer, "{pcs-rst}h"));
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "RESET"), "+OK\r\n");
        Assert.False(Building(importer, "{pcs-rst}h"));
        Assert.False(store.Exists("{pcs-rst}old"u8));
        await ExpectAsync(
            client, Command("PEPPER.IMPORT", slot, "APPEND", "4:0:+", "{pcs-rst}h", Pairs("f2", "v2", "f3", "v3")),
            "-ERR Import piece continues no collection being imported at its key\r\n");

        // A RESET with a continuation: the RESET forgets the start before the piece is read.
        await ExpectAsync(client, Command("PEPPER.IMPORT", slot, "APPEND", "4:0:3", "{pcs-rst}h", Pairs("f1", "v1")), "+OK\r\n");
        await ExpectAsync(
            client, Command("PEPPER.IMPORT", slot, "RESET", "4:0:+", "{pcs-rst}h", Pairs("f2", "v2", "f3", "v3")),
            "-ERR Import piece continues no collection being imported at its key\r\n");

        await ExpectAsync(
            client, Command("PEPPER.IMPORT", slot, "RESET", "4:0:3", "{pcs-rst}h", Pairs("f1", "v1"), "4:0:+", "{pcs-rst}h", Pairs("f2", "v2", "f3", "v3")), "+OK\r\n");
        Assert.Equal(3, CountOf(store, "{pcs-rst}h", DataType.Hash));
        Assert.False(Building(importer, "{pcs-rst}h"));
    }

    private static List<string> ReadList(KeyValueStore store, string key)
    {
        var read = new ReadListOperation();
        store.Execute(Encoding.UTF8.GetBytes(key), DataType.List, ref read);
        return read.Elements ?? [];
    }

    private static long CountOf(KeyValueStore store, string key, DataType type)
    {
        var count = new CountOperation();
        store.Execute(Encoding.UTF8.GetBytes(key), type, ref count);
        return count.Count;
    }

    private struct CountOperation : IObjectOperation
    {
        public long Count;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value) => Count = value?.Count ?? -1;
    }

    private struct ReadListOperation : IObjectOperation
    {
        public List<string>? Elements;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is ListObject list)
            {
                Elements = [.. Enumerable.Range(0, (int)list.Count).Select(i => Encoding.UTF8.GetString(list[i]))];
            }
        }
    }

    private struct ReadSortedSet : IObjectOperation
    {
        public List<string>? Members;
        public string? Encoding;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is SortedSetObject set)
            {
                Members = [];
                var walker = set.WalkFrom(0, reverse: false);
                while (walker.MoveNext())
                {
                    Members.Add($"{System.Text.Encoding.UTF8.GetString(walker.Member)}={BitConverter.DoubleToInt64Bits(walker.Score)}");
                }

                Encoding = System.Text.Encoding.ASCII.GetString(set.EncodingName);
            }
        }
    }
}
