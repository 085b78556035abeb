using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.SortedSets;

/// <summary>
/// Sorted sets moving with their slots: members, exact scores (-0, inf, 0.1), encodings and absolute expiries arrive
/// intact, a set changed between the pre-copy and the freeze is sent again, and the new owner's AOF brings the moved
/// sets back after a crash.
/// </summary>
public sealed class SortedSetMigrationIntegrationTests
{
    [Fact]
    public async Task SortedSetsSurviveARebalanceWithTheirExpiryAndTheNewOwnersRestart()
    {
        var dir = Directory.CreateTempSubdirectory("pepper-zset-moved-");
        try
        {
            await using var cluster = await TestCluster.StartAsync(1);
            var first = cluster.Nodes[0];
            var store = TestCluster.Server(first).Store;
            var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
            var expected = new Dictionary<string, (string Contents, long ExpiresAt, string Encoding)>(StringComparer.Ordinal);
            for (var i = 0; i < 400; i++)
            {
                // Small listpack sets; every tenth a skiplist (over 128 members, or a long member); half with a TTL.
                var key = $"mz:{i}";
                var members = i % 10 == 0 ? 300 : 3;
                var set = new SortedSetObject();
                for (var f = 0; f < members; f++)
                {
                    set.Set(Encoding.UTF8.GetBytes($"m{f}\0"), (f % 7) * 0.1, store.Encodings);
                }

                if (i % 10 == 5)
                {
                    set.Set(new byte[100], double.NegativeInfinity, store.Encodings);
                }

                set.Set("negative zero"u8, -0.0, store.Encodings);
                set.Set("top"u8, double.PositiveInfinity, store.Encodings);

                var expiry = i % 2 == 0 ? expiresAt + i : 0;
                store.SetObject(Encoding.UTF8.GetBytes(key), set, expiry);
                expected[key] = (Contents(set), expiry, Encoding.ASCII.GetString(set.EncodingName));
            }

            // Between the pre-copy and the freeze, a set of the batch changes: the move must send it again.
            var changed = new List<string>();
            TestCluster.Rebalancer(first).PreCopied = slots =>
            {
                foreach (var key in expected.Keys.Where(k => slots.Contains(HashSlot.Of(Encoding.UTF8.GetBytes(k)))).Take(2).ToList())
                {
                    var add = new AddField(store.Encodings);
                    store.Execute(Encoding.UTF8.GetBytes(key), DataType.SortedSet, ref add);
                    expected[key] = (Contents(add.Set!), expected[key].ExpiresAt, expected[key].Encoding);
                    changed.Add(key);
                }
            };

            var settings = new Dictionary<string, string?> { ["PepperCache:Dir"] = dir.FullName, ["PepperCache:AppendFsync"] = "always" };
            var joiner = cluster.AddNode(settings);
            await cluster.WhenSettledAsync();
            TestCluster.Rebalancer(first).PreCopied = null;
            Assert.NotEmpty(changed);
            Assert.True(TestCluster.Rebalancer(first).SlotsResent > 0, "the changed sets' slots were not sent again");

            var joinerId = TestCluster.State(joiner).MyId;
            var moved = expected.Keys.Where(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == joinerId).ToList();
            Assert.InRange(moved.Count, 100, 300);
            AssertHeldByOwners(cluster, expected);

            // A crash and a restart within the node timeout: the sets come back from the AOF's PEPPER.IMPORT records.
            await TestCluster.CrashAsync(joiner);
            cluster.Nodes.Remove(joiner);
            var again = cluster.AddNode(settings);
            await cluster.WhenSettledAsync();
            Assert.Equal(joinerId, TestCluster.State(again).MyId);
            foreach (var key in moved)
            {
                AssertSet(TestCluster.Server(again).Store, key, expected[key]);
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
            AssertSet(TestCluster.Server(holder).Store, key, want);
        }
    }

    private static void AssertSet(KeyValueStore store, string key, (string Contents, long ExpiresAt, string Encoding) want)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var read = new ReadAll();
        store.Execute(bytes, DataType.SortedSet, ref read);
        Assert.Equal(want.Contents, read.Contents);
        Assert.Equal(want.ExpiresAt == 0 ? -1 : want.ExpiresAt, store.GetExpiresAt(bytes));
        Assert.True(store.TryDescribe(bytes, out var description));
        Assert.Equal(want.Encoding, description.Encoding);
    }

    private static string Contents(SortedSetObject set)
    {
        // In order, each score as its exact bits (so -0 and 0 differ).
        var items = new List<string>();
        var walker = set.WalkFrom(0, reverse: false);
        while (walker.MoveNext())
        {
            items.Add(Convert.ToHexString(walker.Member) + "=" + BitConverter.DoubleToInt64Bits(walker.Score).ToString("X", CultureInfo.InvariantCulture));
        }

        return string.Join(",", items);
    }

    private struct AddField(EncodingSettings settings) : IObjectOperation
    {
        public SortedSetObject? Set;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            Set = (SortedSetObject)value!;
            Set.Set("added after the pre-copy"u8, DateTime.UtcNow.Ticks, settings);
        }
    }

    private struct ReadAll : IObjectOperation
    {
        public string? Contents;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value) => Contents = value is SortedSetObject set ? SortedSetMigrationIntegrationTests.Contents(set) : null;
    }
}
