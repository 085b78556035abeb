using System.Diagnostics;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// The move pace's settings on real nodes: CONFIG GET and SET of cluster-move-max-keys-per-sec and
/// cluster-move-min-client-percent, and the operator's cap holding a real move to its keys a second.
/// </summary>
public sealed class MovePaceIntegrationTests
{
    [Fact]
    public async Task ConfigSetChangesThePaceSettingsAndRefusesValuesOutOfRange()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var node = cluster.Nodes[0];
        await using var client = await RespSocket.ConnectAsync(node.RespEndPoint);

        var defaults = await client.CommandAsync("CONFIG", "GET", "cluster-move-*");
        Assert.Equal(
            ["cluster-move-max-keys-per-sec", "0", "cluster-move-min-client-percent", "60"],
            defaults.Items!.Select(i => i.Text));

        Assert.Equal(
            "ERR CONFIG SET failed (possibly related to argument 'cluster-move-min-client-percent') - argument must be between 0 and 100 inclusive",
            (await client.CommandAsync("CONFIG", "SET", "cluster-move-min-client-percent", "101")).Text);
        Assert.Equal(
            "ERR CONFIG SET failed (possibly related to argument 'cluster-move-max-keys-per-sec') - argument must be between 0 and 9223372036854775807 inclusive",
            (await client.CommandAsync("CONFIG", "SET", "cluster-move-max-keys-per-sec", "-1")).Text);

        Assert.Equal("OK", (await client.CommandAsync("CONFIG", "SET", "cluster-move-max-keys-per-sec", "25000", "cluster-move-min-client-percent", "0")).Text);
        var pace = TestCluster.Server(node).Config.MovePace;
        Assert.Equal(25_000, pace.MaxKeysPerSecond);
        Assert.Equal(0, pace.MinClientPercent);
    }

    [Fact]
    public async Task TheOperatorsCapHoldsARealMoveToItsKeysASecond()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var node = cluster.Nodes[0];
        await using (var router = new SlotRoutingClient(cluster.OwnerOf))
        {
            foreach (var chunk in Enumerable.Range(0, 4_000).Select(i => $"paced:{i}").Chunk(200))
            {
                var replies = await Task.WhenAll(chunk.Select(k => router.ExecuteAsync(k, "SET", k, "v")));
                Assert.All(replies, r => Assert.False(r.IsError, r.Text));
            }
        }

        const int Cap = 1_000;
        await using (var client = await RespSocket.ConnectAsync(node.RespEndPoint))
        {
            Assert.Equal("OK", (await client.CommandAsync("CONFIG", "SET", "cluster-move-max-keys-per-sec", Cap.ToString(System.Globalization.CultureInfo.InvariantCulture))).Text);
        }

        var watch = Stopwatch.StartNew();
        var joined = await cluster.JoinAsync();
        await cluster.WhenSettledAsync(TimeSpan.FromSeconds(60));
        watch.Stop();

        var moved = TestCluster.Server(joined).Store.Count;
        Assert.InRange(moved, 1_000, 3_000);
        Assert.Equal(4_000, moved + TestCluster.Server(node).Store.Count);
        // The first batch (at most 64 slots with keys, a key or two each here) goes at once; every later one waits
        // until the keys before it fit the cap.
        var least = TimeSpan.FromSeconds((moved - 200) / (double)Cap);
        Assert.True(watch.Elapsed >= least, $"{moved} keys moved in {watch.Elapsed.TotalMilliseconds:F0} ms, under the {least.TotalMilliseconds:F0} ms the cap allows");
    }
}
