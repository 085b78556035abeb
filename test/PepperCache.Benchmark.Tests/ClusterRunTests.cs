using PepperCache.Benchmark;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Benchmark.Tests;

public sealed class ClusterRunTests(RedisClusterFixture cluster, RedisServerProcess redis)
    : IClassFixture<RedisClusterFixture>, IClassFixture<RedisServerProcess>
{
    [Fact]
    public async Task A_stale_slot_map_is_corrected_by_following_MOVED()
    {
        await using var stale = new RedirectingNode(movedTo: redis.Port);
        var options = new BenchmarkOptions
        {
            Targets = [new Target("stale", "127.0.0.1", stale.Port)],
            Tests = [TestKind.Set, TestKind.Get],
            Clients = 2,
            Requests = 2000,
            Pipeline = 4,
            Keyspace = 50,
            Cluster = true,
            Timeout = TimeSpan.FromSeconds(10),
        };

        var summaries = await BenchmarkApp.RunAllAsync(options, null);

        // Each command that met -MOVED was sent again to the named node and succeeded there; once a slot is moved,
        // later keys of that slot go straight to the new node, so redirects stop after at most one per slot and
        // client race (50 keys, 2 clients, a batch of 4 in flight).
        var set = summaries.Single(s => s.Test == TestKind.Set);
        var get = summaries.Single(s => s.Test == TestKind.Get);
        Assert.Equal(2000, set.Requests);
        Assert.Equal(0, set.Errors);
        Assert.InRange(set.Redirects, 1, 50 * 2 * 4);
        Assert.Equal(0, get.Errors);
        Assert.Equal(2000, get.Hits);
        Assert.Equal(stale.Moved, set.Redirects + get.Redirects);
    }

    [Fact]
    public async Task Cluster_mode_routes_every_key_to_its_slot_owner()
    {
        var options = new BenchmarkOptions
        {
            Targets = [new Target("cluster", "127.0.0.1", cluster.Ports[1])],
            Tests = [TestKind.Set, TestKind.Get, TestKind.Mset, TestKind.Incr, TestKind.Ping],
            Clients = 3,
            Requests = 1500,
            Pipeline = 8,
            Keyspace = 1000,
            Cluster = true,
            Timeout = TimeSpan.FromSeconds(10),
        };

        var summaries = await BenchmarkApp.RunAllAsync(options, null);

        Assert.All(summaries, s =>
        {
            Assert.Equal(1500, s.Requests);
            Assert.Equal(0, s.Errors);
            Assert.Equal(0, s.Redirects);
        });
        var get = summaries.Single(s => s.Test == TestKind.Get);
        Assert.Equal(1500, get.Hits + get.Misses);
        Assert.True(get.Hits > get.Misses);
    }

    [Fact]
    public async Task Without_cluster_mode_keys_on_other_nodes_are_counted_as_errors()
    {
        var options = new BenchmarkOptions
        {
            Targets = [new Target("one-node", "127.0.0.1", cluster.Ports[0])],
            Tests = [TestKind.Set],
            Clients = 2,
            Requests = 600,
            Keyspace = 1000,
            Timeout = TimeSpan.FromSeconds(10),
        };

        var set = Assert.Single(await BenchmarkApp.RunAllAsync(options, null));

        // About two thirds of the slots live on the other two masters: those SETs get -MOVED.
        Assert.Equal(600, set.Requests);
        Assert.InRange(set.Errors, 250, 550);
    }
}
