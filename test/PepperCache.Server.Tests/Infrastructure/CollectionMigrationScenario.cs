using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// What each collection type's migration test checks, written once: 400 collections of one type on a node (the type's
/// test makes them: small ones, some past the compact encoding's thresholds, half with a TTL) move to a joiner with
/// their contents, encodings and absolute expiries; two of each batch change between the pre-copy and the freeze and
/// must be sent again; a crash and restart of the joiner brings its collections back from the AOF's PEPPER.IMPORT
/// records; and every key is held once, by its owner.
/// </summary>
internal static class CollectionMigrationScenario
{
    /// <param name="type">The type under test.</param>
    /// <param name="prefix">Key prefix, also naming the data directory.</param>
    /// <param name="create">The <c>i</c>th collection (0 to 399).</param>
    /// <param name="change">A change made to a collection between its pre-copy and its freeze.</param>
    /// <param name="contents">A collection's contents as text that compares equal only for equal contents.</param>
    public static async Task RunAsync(
        DataType type, string prefix, Func<int, EncodingSettings, StoreObject> create, Action<StoreObject, EncodingSettings> change,
        Func<StoreObject, string> contents)
    {
        var dir = Directory.CreateTempSubdirectory($"pepper-{prefix}-moved-");
        try
        {
            await using var cluster = await TestCluster.StartAsync(1);
            var first = cluster.Nodes[0];
            var store = TestCluster.Server(first).Store;
            var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
            var expected = new Dictionary<string, Expected>(StringComparer.Ordinal);
            for (var i = 0; i < 400; i++)
            {
                var key = $"{prefix}:{i}";
                var value = create(i, store.Encodings);
                var expiry = i % 2 == 0 ? expiresAt + i : 0;
                store.SetObject(Encoding.UTF8.GetBytes(key), value, expiry);
                expected[key] = new Expected(contents(value), expiry, Encoding.ASCII.GetString(value.EncodingName));
            }

            // Between the pre-copy and the freeze, collections of the batch change: the move must send them again.
            var changed = new List<string>();
            TestCluster.Rebalancer(first).PreCopied = slots =>
            {
                foreach (var key in expected.Keys.Where(k => slots.Contains(HashSlot.Of(Encoding.UTF8.GetBytes(k)))).Take(2).ToList())
                {
                    var after = expected[key];
                    var apply = new OnValue(type, value =>
                    {
                        change(value, store.Encodings);
                        after = after with { Contents = contents(value), Encoding = Encoding.ASCII.GetString(value.EncodingName) };
                    });
                    store.Execute(Encoding.UTF8.GetBytes(key), type, ref apply);
                    Assert.NotSame(expected[key], after);
                    expected[key] = after;
                    changed.Add(key);
                }
            };

            var settings = new Dictionary<string, string?> { ["PepperCache:Dir"] = dir.FullName, ["PepperCache:AppendFsync"] = "always" };
            var joiner = cluster.AddNode(settings);
            await cluster.WhenSettledAsync();
            TestCluster.Rebalancer(first).PreCopied = null;
            Assert.NotEmpty(changed);
            Assert.True(TestCluster.Rebalancer(first).SlotsResent > 0, "the changed collections' slots were not sent again");

            var joinerId = TestCluster.State(joiner).MyId;
            var moved = expected.Keys.Where(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == joinerId).ToList();
            Assert.InRange(moved.Count, 100, 300);
            AssertHeldByOwners(cluster, type, expected, contents);

            // A crash and a restart within the node timeout: the collections come back from the AOF.
            await TestCluster.CrashAsync(joiner);
            cluster.Nodes.Remove(joiner);
            var again = cluster.AddNode(settings);
            await cluster.WhenSettledAsync();
            Assert.Equal(joinerId, TestCluster.State(again).MyId);
            foreach (var key in moved)
            {
                AssertHolds(TestCluster.Server(again).Store, type, key, expected[key], contents);
            }

            AssertHeldByOwners(cluster, type, expected, contents);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void AssertHeldByOwners(TestCluster cluster, DataType type, Dictionary<string, Expected> expected, Func<StoreObject, string> contents)
    {
        Assert.Equal(expected.Count, cluster.Nodes.Sum(n => TestCluster.Server(n).Store.Count));
        foreach (var (key, want) in expected)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var holder = Assert.Single(cluster.Nodes, n => TestCluster.Server(n).Store.Exists(bytes));
            Assert.Equal(cluster.OwnerOf(HashSlot.Of(bytes)).Id, TestCluster.State(holder).MyId);
            AssertHolds(TestCluster.Server(holder).Store, type, key, want, contents);
        }
    }

    private static void AssertHolds(KeyValueStore store, DataType type, string key, Expected want, Func<StoreObject, string> contents)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        string? held = null;
        var read = new OnValue(type, value => held = contents(value));
        store.Execute(bytes, type, ref read);
        Assert.Equal(want.Contents, held);
        Assert.Equal(want.ExpiresAt == 0 ? -1 : want.ExpiresAt, store.GetExpiresAt(bytes));
        Assert.True(store.TryDescribe(bytes, out var description));
        Assert.Equal(want.Encoding, description.Encoding);
    }

    private sealed record Expected(string Contents, long ExpiresAt, string Encoding);

    /// <summary>Runs an action on the key's collection of <c>type</c>, under its shard lock; nothing when there is none.</summary>
    private readonly struct OnValue(DataType type, Action<StoreObject> action) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not null && value.Type == type)
            {
                action(value);
            }
        }
    }
}
