using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Sets;

/// <summary>
/// Sets moving with their slots: members, encodings (intset and hashtable) and absolute expiries arrive intact, a set
/// changed between the pre-copy and the freeze is sent again, and the new owner's AOF brings the moved sets back after
/// a crash.
/// </summary>
public sealed class SetMigrationIntegrationTests
{
    [Fact]
    public async Task SetsSurviveARebalanceWithTheirExpiryAndTheNewOwnersRestart()
    {
        var dir = Directory.CreateTempSubdirectory("pepper-set-moved-");
        try
        {
            await using var cluster = await TestCluster.StartAsync(1);
            var first = cluster.Nodes[0];
            var store = TestCluster.Server(first).Store;
            var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
            var expected = new Dictionary<string, (string Contents, long ExpiresAt, string Encoding)>(StringComparer.Ordinal);
            for (var i = 0; i < 400; i++)
            {
                // Small intsets; every tenth a big intset turned hashtable (over 512 members), every tenth but five a
                // hashtable of binary members; half with a TTL.
                var key = $"ms:{i}";
                var set = new SetObject();
                var members = i % 10 == 0 ? 600 : 5;
                for (var m = 0; m < members; m++)
                {
                    set.Add(Encoding.UTF8.GetBytes((m * 3).ToString(CultureInfo.InvariantCulture)), store.Encodings);
                }

                if (i % 10 == 5)
                {
                    set.Add("\0binary\xff"u8, store.Encodings);
                }

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
                    var add = new AddMember(store.Encodings);
                    store.Execute(Encoding.UTF8.GetBytes(key), DataType.Set, ref add);
                    expected[key] = (Contents(add.Set!), expected[key].ExpiresAt, "hashtable");
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
        store.Execute(bytes, DataType.Set, ref read);
        Assert.Equal(want.Contents, read.Contents);
        Assert.Equal(want.ExpiresAt == 0 ? -1 : want.ExpiresAt, store.GetExpiresAt(bytes));
        Assert.True(store.TryDescribe(bytes, out var description));
        Assert.Equal(want.Encoding, description.Encoding);
    }

    private static string Contents(SetObject set)
    {
        var members = new List<string>();
        foreach (var member in set)
        {
            members.Add(Convert.ToHexString(member.ToArray()));
        }

        members.Sort(StringComparer.Ordinal);
        return string.Join(",", members);
    }

    private struct AddMember(EncodingSettings settings) : IObjectOperation
    {
        public SetObject? Set;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            Set = (SetObject)value!;
            Set.Add("added after the pre-copy"u8, settings);
        }
    }

    private struct ReadAll : IObjectOperation
    {
        public string? Contents;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value) => Contents = value is SetObject set ? SetMigrationIntegrationTests.Contents(set) : null;
    }
}
