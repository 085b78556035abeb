using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// Large collections (100,000 elements each, and a hash of a few huge values) moving with their slots: the mover
/// sends them in pieces, and after a join, a leave and a crash of the new owner (its AOF replays the pieces) every key
/// reads back the same on its owner, one copy only, with its absolute expiry.
/// </summary>
public sealed class LargeCollectionMigrationIntegrationTests
{
    private const int Large = 100_000;

    [Fact]
    public async Task LargeCollectionsMoveInPiecesAndReadBackIdenticalAfterAJoinALeaveAndARestart()
    {
        var dir = Directory.CreateTempSubdirectory("pepper-pieces-");
        try
        {
            await using var cluster = await TestCluster.StartAsync(1);
            var first = cluster.Nodes[0];
            var store = TestCluster.Server(first).Store;
            var expected = Fill(store);
            var sender = TestCluster.Rebalancer(first);

            var settings = new Dictionary<string, string?> { ["PepperCache:Dir"] = dir.FullName, ["PepperCache:AppendFsync"] = "always" };
            var joiner = cluster.AddNode(settings);
            await cluster.WhenSettledAsync(TimeSpan.FromSeconds(60));
            AssertHeldByOwners(cluster, expected);

            // The founder leaves: whatever it still holds moves to the joiner, which then holds every key.
            await cluster.LeaveAsync(first);
            await cluster.WhenSettledAsync(TimeSpan.FromSeconds(60));
            AssertHeldByOwners(cluster, expected);
            Assert.Equal(expected.Count, TestCluster.Server(joiner).Store.Count);
            // Four collections of 100,000 elements make at least 100 pieces each, whichever move carried them.
            Assert.True(Interlocked.Read(ref sender.PiecesSent) >= 4 * (Large / 1_000), $"pieces sent: {sender.PiecesSent}");

            // A crash: the restarted node rebuilds every collection from the PEPPER.IMPORT pieces in its AOF.
            Assert.Equal(0, TestCluster.Server(joiner).Migration.Pieces.Count);
            await TestCluster.CrashAsync(joiner);
            cluster.Nodes.Remove(joiner);
            await AssertImportsBoundedAsync(Path.Combine(dir.FullName, "appendonly.aof"));
            var again = cluster.AddNode(settings);
            await cluster.WhenSettledAsync(TimeSpan.FromSeconds(60));
            AssertHeldByOwners(cluster, expected);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AnAofRewriteBetweenPiecesKeepsTheCollectionBeingRebuilt()
    {
        var dir = Directory.CreateTempSubdirectory("pepper-pieces-rewrite-");
        try
        {
            string key, want;
            await using (var cluster = await TestCluster.StartAsync(1))
            {
                var settings = new Dictionary<string, string?> { ["PepperCache:Dir"] = dir.FullName, ["PepperCache:AppendFsync"] = "always" };
                var importer = cluster.AddNode(settings);
                await cluster.WhenSettledAsync();
                var server = TestCluster.Server(importer);
                var importerId = TestCluster.State(importer).MyId;
                // A key of a slot the importer does not serve, so it takes imports for it.
                key = Enumerable.Range(0, 10_000).Select(i => $"{{rw-pieces-{i}}}h").First(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id != importerId);
                var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key)).ToString(CultureInfo.InvariantCulture);
                var hash = new HashObject();
                for (var i = 0; i < 2_500; i++)
                {
                    hash.Set(Encoding.UTF8.GetBytes($"f{i}"), Encoding.UTF8.GetBytes($"v{i}"), server.Store.Encodings);
                }

                want = Digest(hash);
                var pieces = Pieces(hash, 1_000);
                await using (var client = await importer.ConnectRawAsync())
                {
                    await SendAsync(client, slot, "RESET", "4:0:2500", key, pieces[0]);
                    await SendAsync(client, slot, "APPEND", "4:0:+", key, pieces[1]);
                    Assert.True(server.Aof.TryStartRewrite());
                    await server.Aof.RewriteTask!.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
                    Assert.True(server.Aof.LastRewriteOk);
                    await SendAsync(client, slot, "APPEND", "4:0:+", key, pieces[2]);
                }

                AssertDigest(server.Store, key, want);
                await TestCluster.CrashAsync(importer);
                cluster.Nodes.Remove(importer);
            }

            // Its AOF on a node of its own (its cluster state left behind, so it serves every slot and sweeps nothing):
            // the load replays the rewritten file, the snapshot, the first two pieces again (written by the rewrite), then the last.
            File.Delete(Path.Combine(dir.FullName, "nodes.json"));
            await using var restarted = Persistence.AofTestSupport.Node(dir.FullName);
            _ = restarted.RespEndPoint;
            AssertDigest(TestCluster.Server(restarted).Store, key, want);
            Assert.Equal(0, TestCluster.Server(restarted).Migration.Pieces.Count);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The imports as the target logged them (as sent): no command above the byte bound unless it carries one key
    /// alone, no piece above its bounds, and both forms present (whole collections and pieces).
    /// </summary>
    private static async Task AssertImportsBoundedAsync(string aof)
    {
        long pieces = 0, wholes = 0, largestCommand = 0, largestPiece = 0;
        await using var file = File.OpenRead(aof);
        using var request = new RespRequest();
        var result = await Server.Persistence.AofLoader.ReadAsync(file, request, parsed =>
        {
            if (!parsed.Name.SequenceEqual("PEPPER.IMPORT"u8))
            {
                return null;
            }

            long bytes = 0;
            for (var i = 3; i < parsed.Count; i += 3)
            {
                bytes += parsed[i + 1].Length + parsed[i + 2].Length;
                var typed = parsed[i];
                var colons = typed.Count((byte)':');
                if (colons == 2)
                {
                    pieces++;
                    largestPiece = Math.Max(largestPiece, parsed[i + 2].Length);
                    // At most 1,000 elements, or one element alone when it is larger than the byte bound.
                    Assert.True(parsed[i + 2].Length <= Server.Cluster.RebalanceService.PieceBytes + 16 || parsed[i + 2][1] == 1, "a piece over its bounds");
                }
                else if (colons == 1)
                {
                    wholes++;
                }
            }

            if (parsed.Count > 6)
            {
                Assert.True(bytes <= Server.Cluster.RebalanceService.ImportCommandBytes, $"a PEPPER.IMPORT of {parsed.Count} arguments holds {bytes} bytes");
            }

            largestCommand = Math.Max(largestCommand, bytes);
            return null;
        });
        Assert.False(result.IsCorrupt);
        Assert.True(pieces >= 4 * (Large / 1_000), $"{pieces} pieces logged");
        Assert.True(wholes >= 40, $"{wholes} whole collections logged");
        Assert.InRange(largestPiece, 600_000, Server.Cluster.RebalanceService.PieceBytes + 16);
        // The 5 MB string goes in a command of its own.
        Assert.InRange(largestCommand, 5_000_000, 5_100_000);
    }

    private static void AssertDigest(KeyValueStore store, string key, string want)
    {
        var read = new DigestOperation();
        store.Execute(Encoding.UTF8.GetBytes(key), DataType.Hash, ref read);
        Assert.Equal(want, read.Digest);
    }

    private static async Task SendAsync(RawRespClient client, string slot, string mode, string typed, string key, byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();
        output.WriteArrayHeader(6);
        foreach (var argument in new[] { "PEPPER.IMPORT", slot, mode, typed, key })
        {
            output.WriteBulkString(Encoding.UTF8.GetBytes(argument));
        }

        output.WriteBulkString(payload);
        await client.SendAsync(output.WrittenSpan.ToArray());
        Assert.Equal("+OK\r\n", await client.ReadExactlyAsync(5));
    }

    /// <summary>Payloads of <paramref name="perPiece"/> elements each, cut from the collection's cursor.</summary>
    internal static List<byte[]> Pieces(StoreObject value, int perPiece)
    {
        var pieces = new List<byte[]>();
        var cursor = value.OpenPayloadCursor();
        var more = cursor.MoveNext();
        while (more)
        {
            var elements = new ArrayBufferWriter<byte>();
            var count = 0;
            for (; more && count < perPiece; more = cursor.MoveNext())
            {
                cursor.Write(elements);
                count++;
            }

            var piece = new ArrayBufferWriter<byte>();
            StoreObjectFormat.WriteHeader(piece, count);
            piece.Write(elements.WrittenSpan);
            pieces.Add(piece.WrittenSpan.ToArray());
        }

        return pieces;
    }

    /// <summary>Large and small collections of every type and strings, half with a TTL; returns what each key must read back as.</summary>
    private static Dictionary<string, (DataType Type, string Digest, long ExpiresAt)> Fill(KeyValueStore store)
    {
        var settings = store.Encodings;
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var expected = new Dictionary<string, (DataType, string, long)>(StringComparer.Ordinal);
        void Put(string key, StoreObject value, long expiry)
        {
            store.SetObject(Encoding.UTF8.GetBytes(key), value, expiry);
            expected[key] = (value.Type, Digest(value), expiry);
        }

        var hash = new HashObject();
        var list = new ListObject();
        var set = new SetObject();
        var sortedSet = new SortedSetObject();
        for (var i = 0; i < Large; i++)
        {
            hash.Set(Encoding.UTF8.GetBytes($"field:{i}"), Encoding.UTF8.GetBytes(new string('v', i % 40) + i.ToString(CultureInfo.InvariantCulture)), settings);
            list.Push([(byte)(i % 256), (byte)(i / 256 % 256), (byte)'l'], head: false);
            set.Add(i % 2 == 0 ? Encoding.UTF8.GetBytes((i * 3).ToString(CultureInfo.InvariantCulture)) : Encoding.UTF8.GetBytes($"member:{i}"), settings);
            var score = (i % 5) switch { 0 => i * 0.37, 1 => -i / 3.0, 2 => 1e300 * i, 3 => -0.0, _ => double.PositiveInfinity };
            sortedSet.Set(Encoding.UTF8.GetBytes($"z:{i}"), score, settings);
        }

        Put("{large}hash", hash, expiresAt);
        Put("{large}list", list, 0);
        Put("{large-s}set", set, expiresAt + 1);
        Put("{large-z}zset", sortedSet, 0);

        // Few elements, but megabytes: cut into pieces by bytes.
        var wide = new HashObject();
        for (var i = 0; i < 6; i++)
        {
            wide.Set(Encoding.UTF8.GetBytes($"w{i}"), RandomNumberGenerator.GetBytes(700_000), settings);
        }

        Put("{large-w}wide", wide, expiresAt + 2);

        // Small ones travel whole, as before pieces.
        for (var k = 0; k < 40; k++)
        {
            var small = (k % 4) switch
            {
                0 => (StoreObject)new HashObject(),
                1 => new ListObject(),
                2 => new SetObject(),
                _ => new SortedSetObject(),
            };
            for (var i = 0; i < 1 + k; i++)
            {
                switch (small)
                {
                    case HashObject h:
                        h.Set(Encoding.UTF8.GetBytes($"f{i}"), Encoding.UTF8.GetBytes($"v{i}"), settings);
                        break;
                    case ListObject l:
                        l.Push(Encoding.UTF8.GetBytes($"e{i}"), head: false);
                        break;
                    case SetObject s:
                        s.Add(Encoding.UTF8.GetBytes($"{i}"), settings);
                        break;
                    case SortedSetObject z:
                        z.Set(Encoding.UTF8.GetBytes($"m{i}"), i * 1.5, settings);
                        break;
                }
            }

            Put($"small:{k}", small, k % 2 == 0 ? expiresAt + k : 0);
        }

        for (var k = 0; k < 200; k++)
        {
            var key = $"string:{k}";
            var value = k == 0 ? RandomNumberGenerator.GetBytes(5_000_000) : Encoding.UTF8.GetBytes($"value {k}");
            var expiry = k % 2 == 0 ? expiresAt + k : 0;
            store.Set(Encoding.UTF8.GetBytes(key), value, expiry);
            expected[key] = (DataType.String, Convert.ToHexString(SHA256.HashData(value)), expiry);
        }

        return expected;
    }

    private static void AssertHeldByOwners(TestCluster cluster, Dictionary<string, (DataType Type, string Digest, long ExpiresAt)> expected)
    {
        Assert.Equal(expected.Count, cluster.Nodes.Sum(n => TestCluster.Server(n).Store.Count));
        foreach (var (key, want) in expected)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var holder = Assert.Single(cluster.Nodes, n => TestCluster.Server(n).Store.Exists(bytes));
            Assert.Equal(cluster.OwnerOf(HashSlot.Of(bytes)).Id, TestCluster.State(holder).MyId);
            var store = TestCluster.Server(holder).Store;
            Assert.Equal(want.Type, store.TypeOf(bytes));
            Assert.Equal(want.ExpiresAt == 0 ? -1 : want.ExpiresAt, store.GetExpiresAt(bytes));
            if (want.Type == DataType.String)
            {
                Assert.True(store.TryGet(bytes, out var value));
                Assert.Equal(want.Digest, Convert.ToHexString(SHA256.HashData(value.Span)));
            }
            else
            {
                var read = new DigestOperation();
                store.Execute(bytes, want.Type, ref read);
                Assert.Equal(want.Digest, read.Digest);
            }
        }
    }

    /// <summary>
    /// A collection's content as one hash: a list in order, a sorted set in order with each score's bits, a hash's
    /// pairs and a set's members sorted (their order is the table's, which the target may lay out differently).
    /// </summary>
    private static string Digest(StoreObject value)
    {
        var lines = new List<string>();
        var ordered = true;
        switch (value)
        {
            case HashObject hash:
                foreach (var pair in hash)
                {
                    lines.Add(Convert.ToHexString(HashObject.FieldOf(pair)) + "=" + Convert.ToHexString(HashObject.ValueOf(pair)));
                }

                ordered = false;
                break;
            case ListObject list:
                for (var i = 0; i < list.Count; i++)
                {
                    lines.Add(Convert.ToHexString(list[i]));
                }

                break;
            case SetObject set:
                Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
                foreach (var member in set)
                {
                    lines.Add(Convert.ToHexString(member.Format(text)));
                }

                ordered = false;
                break;
            case SortedSetObject sortedSet:
                var walker = sortedSet.WalkFrom(0, reverse: false);
                while (walker.MoveNext())
                {
                    lines.Add(Convert.ToHexString(walker.Member) + "=" + BitConverter.DoubleToInt64Bits(walker.Score).ToString(CultureInfo.InvariantCulture));
                }

                break;
        }

        if (!ordered)
        {
            lines.Sort(StringComparer.Ordinal);
        }

        return $"{value.Type} {lines.Count} " + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))));
    }

    private struct DigestOperation : IObjectOperation
    {
        public string? Digest;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value) => Digest = value is null ? null : LargeCollectionMigrationIntegrationTests.Digest(value);
    }
}
