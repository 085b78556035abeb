using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Hashes;

/// <summary>
/// Hashes moving with their slots: contents, encodings and absolute expiries arrive intact, a hash changed between
/// the pre-copy and the freeze is sent again, and the new owner's AOF brings the moved hashes back after a crash.
/// </summary>
public sealed class HashMigrationIntegrationTests
{
    [Fact]
    public async Task HashesSurviveARebalanceWithTheirExpiryAndTheNewOwnersRestart()
    {
        var dir = Directory.CreateTempSubdirectory("pepper-hash-moved-");
        try
        {
            await using var cluster = await TestCluster.StartAsync(1);
            var first = cluster.Nodes[0];
            var store = TestCluster.Server(first).Store;
            var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
            var expected = new Dictionary<string, (string Contents, long ExpiresAt, string Encoding)>(StringComparer.Ordinal);
            for (var i = 0; i < 400; i++)
            {
                // Small listpack hashes; every tenth a hashtable (over 512 fields, or a long value); half with a TTL.
                var key = $"mh:{i}";
                var fields = i % 10 == 0 ? 600 : 3;
                var hash = new HashObject();
                for (var f = 0; f < fields; f++)
                {
                    hash.Set(Encoding.UTF8.GetBytes($"f{f}\0"), Encoding.UTF8.GetBytes($"v{i}.{f}"), store.Encodings);
                }

                if (i % 10 == 5)
                {
                    hash.Set("long"u8, new byte[100], store.Encodings);
                }

                var expiry = i % 2 == 0 ? expiresAt + i : 0;
                store.SetObject(Encoding.UTF8.GetBytes(key), hash, expiry);
                expected[key] = (Contents(hash), expiry, Encoding.ASCII.GetString(hash.EncodingName));
            }

            // Between the pre-copy and the freeze, a hash of the batch changes: the move must send it again.
            var changed = new List<string>();
            TestCluster.Rebalancer(first).PreCopied = slots =>
            {
                foreach (var key in expected.Keys.Where(k => slots.Contains(HashSlot.Of(Encoding.UTF8.GetBytes(k)))).Take(2).ToList())
                {
                    var add = new AddField(store.Encodings);
                    store.Execute(Encoding.UTF8.GetBytes(key), DataType.Hash, ref add);
                    expected[key] = (Contents(add.Hash!), expected[key].ExpiresAt, expected[key].Encoding);
                    changed.Add(key);
                }
            };

            var settings = new Dictionary<string, string?> { ["PepperCache:Dir"] = dir.FullName, ["PepperCache:AppendFsync"] = "always" };
            var joiner = cluster.AddNode(settings);
            await cluster.WhenSettledAsync();
            TestCluster.Rebalancer(first).PreCopied = null;
            Assert.NotEmpty(changed);
            Assert.True(TestCluster.Rebalancer(first).SlotsResent > 0, "the changed hashes' slots were not sent again");

            var joinerId = TestCluster.State(joiner).MyId;
            var moved = expected.Keys.Where(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == joinerId).ToList();
            Assert.InRange(moved.Count, 100, 300);
            AssertHeldByOwners(cluster, expected);

            // A crash and a restart within the node timeout: the hashes come back from the AOF's PEPPER.IMPORT records.
            await TestCluster.CrashAsync(joiner);
            cluster.Nodes.Remove(joiner);
            var again = cluster.AddNode(settings);
            await cluster.WhenSettledAsync();
            Assert.Equal(joinerId, TestCluster.State(again).MyId);
            foreach (var key in moved)
            {
                AssertHash(TestCluster.Server(again).Store, key, expected[key]);
            }

            AssertHeldByOwners(cluster, expected);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void AssertHeldByOwners(TestCluster cluster, Dictionary<string, (string Contents, long ExpiresAt, string Encoding)> expected)
    {
        Assert.Equal(expected.Count, cluster.Nodes.Sum(n => TestCluster.Server(n).Store.Count));
        foreach (var (key, want) in expected)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var holder = Assert.Single(cluster.Nodes, n => TestCluster.Server(n).Store.Exists(bytes));
            Assert.Equal(cluster.OwnerOf(HashSlot.Of(bytes)).Id, TestCluster.State(holder).MyId);
            AssertHash(TestCluster.Server(holder).Store, key, want);
        }
    }

    private static void AssertHash(KeyValueStore store, string key, (string Contents, long ExpiresAt, string Encoding) want)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var read = new ReadAll();
        store.Execute(bytes, DataType.Hash, ref read);
        Assert.Equal(want.Contents, read.Contents);
        Assert.Equal(want.ExpiresAt == 0 ? -1 : want.ExpiresAt, store.GetExpiresAt(bytes));
        Assert.True(store.TryDescribe(bytes, out var description));
        Assert.Equal(want.Encoding, description.Encoding);
    }

    private static string Contents(HashObject hash)
    {
        var pairs = new List<string>();
        foreach (var pair in hash)
        {
            pairs.Add(Convert.ToHexString(HashObject.FieldOf(pair)) + "=" + Convert.ToHexString(HashObject.ValueOf(pair)));
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(",", pairs);
    }

    private struct AddField(EncodingSettings settings) : IObjectOperation
    {
        public HashObject? Hash;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            Hash = (HashObject)value!;
            Hash.Set("added after the pre-copy"u8, DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture).Select(c => (byte)c).ToArray(), settings);
        }
    }

    private struct ReadAll : IObjectOperation
    {
        public string? Contents;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value) => Contents = value is HashObject hash ? HashMigrationIntegrationTests.Contents(hash) : null;
    }
}
