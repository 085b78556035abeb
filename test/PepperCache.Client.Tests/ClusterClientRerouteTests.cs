using Microsoft.Extensions.Time.Testing;
using PepperCache.Client.Cluster;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>
/// What ClusterClient does when the node a command is routed to cannot be reached, against scripted nodes whose
/// CLUSTER SLOTS the test controls: it reloads the map from another node and goes where that map says, a bounded
/// number of times.
/// </summary>
public sealed class ClusterClientRerouteTests
{
    // "lo" is in slot 4878, in the lower half; "hi" in slot 16140, in the upper half.
    private const string LowKey = "lo";
    private const string HighKey = "hi";

    [Fact]
    public async Task A_node_that_went_away_is_dropped_once_another_node_says_who_serves_its_slots_now()
    {
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        a.Map = Halves(a, b);
        await using var client = await ConnectAsync(a);
        Assert.Equal("b", (await client.ExecuteAsync("GET", HighKey)).Text);

        await b.StopAsync();
        a.Map = [(0, KeySlot.SlotCount - 1, a.Port)];
        var get = await client.ExecuteAsync("GET", HighKey);

        Assert.Equal("a", get.Text);
        Assert.Equal([new ClusterNode("127.0.0.1", a.Port)], client.Slots.Nodes);
        Assert.Equal(2, a.Count("CLUSTER"));
    }

    [Fact]
    public async Task Many_MOVED_replies_fix_their_slots_at_once_and_reload_the_map_at_most_once_a_second()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        a.Map = [(0, KeySlot.SlotCount - 1, a.Port)];
        var time = new FakeTimeProvider();
        var options = new ClusterClientOptions { TimeProvider = time };
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", a.Port, options, ct);

        // Every slot moved to b, but a's CLUSTER SLOTS still says a (its view lags, as during a rebalance). The
        // client's clock stands still, so all 200 MOVED replies come within a second of the first.
        a.MovedTo = b.Port;
        var keys = Enumerable.Range(0, 200).Select(i => $"moved:{i}").ToArray();
        foreach (var key in keys)
        {
            Assert.Equal("b", (await client.ExecuteAsync("GET", key)).Text);
        }

        Assert.All(keys, key => Assert.Equal(new ClusterNode("127.0.0.1", b.Port), client.Slots.OwnerOf(KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key)))));
        Assert.Equal(200, a.Count("GET"));

        // The first MOVED reloaded the map at once; the other 199 share one reload, which waits until a second has
        // passed since (delayed, not dropped).
        var reloaded = client.WhenReloadedAsync();
        time.Advance(options.MinRefreshInterval - TimeSpan.FromMilliseconds(1));
        Assert.False(reloaded.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await reloaded.WaitAsync(TimeSpan.FromSeconds(10), ct);

        // The first load, the reload for the first MOVED, and the one for the other 199.
        Assert.Equal(3, a.Count("CLUSTER"));
    }

    [Fact]
    public async Task A_MOVED_that_comes_while_a_reload_is_under_way_gets_a_reload_that_asks_after_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        await using var c = new FakeClusterNode("c");
        IReadOnlyList<(int, int, int)> before = [(0, 99, c.Port), (100, KeySlot.SlotCount - 1, a.Port)];
        IReadOnlyList<(int, int, int)> after = [(0, 99, c.Port), (100, KeySlot.SlotCount - 1, b.Port)];
        (a.Map, b.Map, c.Map) = (before, after, before);
        var options = new ClusterClientOptions { MinRefreshInterval = TimeSpan.Zero };
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", a.Port, options, ct);

        // a's slots moved to b. The first MOVED's reload asks c (first in the map), whose answer, its map from before
        // the move, is still on its way...
        a.MovedTo = b.Port;
        c.HoldSlots();
        Assert.Equal("b", (await client.ExecuteAsync("GET", LowKey)).Text);
        await c.WhenCountedAsync("CLUSTER", 1);

        // ...when c has learnt of the move and a second MOVED asks for a reload: sharing the one under way would keep
        // a map older than this MOVED, one that still gives a the slots no command has been sent for yet.
        c.Map = after;
        Assert.Equal("b", (await client.ExecuteAsync("GET", HighKey)).Text);
        c.ReleaseSlots();
        await client.WhenReloadedAsync().WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(2, c.Count("CLUSTER"));
        Assert.Equal([new ClusterNode("127.0.0.1", c.Port), new ClusterNode("127.0.0.1", b.Port)], client.Slots.Nodes);
    }

    [Fact]
    public async Task Commands_in_flight_when_the_node_goes_away_share_one_reload_of_the_map()
    {
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        a.Map = Halves(a, b);
        await using var client = await ConnectAsync(a);
        Assert.Equal("b", (await client.ExecuteAsync("GET", HighKey)).Text);

        await b.StopAsync();
        a.Map = [(0, KeySlot.SlotCount - 1, a.Port)];
        a.SlotsDelay = TimeSpan.FromMilliseconds(200); // so the commands all find the reload under way
        var gets = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.ExecuteAsync("GET", HighKey)));

        Assert.All(gets, get => Assert.Equal("a", get.Text));

        // The first load, then usually one reload; a command delayed past the end of a reload starts another.
        Assert.InRange(a.Count("CLUSTER"), 2, gets.Length);
    }

    [Fact]
    public async Task A_keyless_command_goes_to_another_node_while_the_map_still_names_the_one_gone()
    {
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        a.Map = [(0, 8191, b.Port), (8192, KeySlot.SlotCount - 1, a.Port)];
        await using var client = await ConnectAsync(a);
        Assert.Equal(new ClusterNode("127.0.0.1", b.Port), client.Slots.Nodes[0]);

        await b.StopAsync();
        var ping = await client.ExecuteAsync("PING");

        Assert.Equal("+PONG", ping.ToString());
        Assert.Equal(1, a.Count("PING"));
    }

    [Fact]
    public async Task While_every_node_still_names_the_one_gone_the_retries_are_bounded_and_the_failure_reported()
    {
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        a.Map = Halves(a, b);
        var options = new ClusterClientOptions { MaxConnectionRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(1) };
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", a.Port, options, TestContext.Current.CancellationToken);

        await b.StopAsync();
        var failure = await Assert.ThrowsAsync<RespConnectionException>(() => client.ExecuteAsync("GET", HighKey));

        Assert.Equal($"Could not connect to 127.0.0.1:{b.Port}: Connection refused", failure.Message);
        Assert.Equal(1 + 3, a.Count("CLUSTER"));
        Assert.Equal("a", (await client.ExecuteAsync("GET", LowKey)).Text);
    }

    [Fact]
    public async Task With_no_retries_an_unreachable_node_fails_the_command_at_once()
    {
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        a.Map = Halves(a, b);
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", a.Port, new ClusterClientOptions { MaxConnectionRetries = 0 }, TestContext.Current.CancellationToken);

        await b.StopAsync();

        await Assert.ThrowsAsync<RespConnectionException>(() => client.ExecuteAsync("GET", HighKey));
        Assert.Equal(1, a.Count("CLUSTER"));
    }

    [Fact]
    public void The_map_is_asked_of_the_known_nodes_then_the_seed_and_the_unreachable_node_last()
    {
        var (n1, n2, n3) = (new ClusterNode("127.0.0.1", 1), new ClusterNode("127.0.0.1", 2), new ClusterNode("127.0.0.1", 3));

        Assert.Equal([n1, n2, n3], ClusterClient.RefreshOrder([n1, n2], n3, avoid: null));
        Assert.Equal([n2, n3, n1], ClusterClient.RefreshOrder([n1, n2], n3, avoid: n1));
        Assert.Equal([n1, n2], ClusterClient.RefreshOrder([n1, n2], n1, avoid: null));
        Assert.Equal([n1, n2], ClusterClient.RefreshOrder([n1, n2], n2, avoid: new ClusterNode("127.0.0.1", 9)));
    }

    private static IReadOnlyList<(int, int, int)> Halves(FakeClusterNode low, FakeClusterNode high) =>
        [(0, 8191, low.Port), (8192, KeySlot.SlotCount - 1, high.Port)];

    private static Task<ClusterClient> ConnectAsync(FakeClusterNode seed) =>
        ClusterClient.ConnectAsync("127.0.0.1", seed.Port, cancellationToken: TestContext.Current.CancellationToken);
}
