using System.Diagnostics;
using System.Text;
using PepperCache.Client.Cluster;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>
/// ClusterClient against a PepperCache cluster whose member set changes under it: a 4th node joins, takes its
/// share of the keys, and leaves gracefully (its host stops, handing its slots and keys back). The class has a
/// 3-node cluster of its own; each test ends with the same three members, so the same slot map, as it began.
/// </summary>
public sealed class ClusterClientLeaveTests(PepperCacheCluster cluster) : IClassFixture<PepperCacheCluster>
{
    private const int KeyCount = 200;

    [Fact]
    public async Task After_a_node_left_gracefully_a_client_that_still_routes_to_it_answers_every_key()
    {
        var leaver = await cluster.JoinAsync();
        var gone = leaver.Node;
        await using var client = await ConnectAsync();
        var keys = await WriteKeysAsync(client, "left", gone);

        await cluster.LeaveAsync(leaver);
        var gets = new List<string?>();
        foreach (var key in keys)
        {
            gets.Add((await client.ExecuteAsync("GET", key)).Text);
        }

        Assert.Equal(keys.Select(Value), gets);
        Assert.DoesNotContain(gone, client.Slots.Nodes);
        Assert.Equal(3, client.Slots.Nodes.Count);
    }

    [Fact]
    public async Task While_a_node_leaves_gracefully_every_key_keeps_its_value()
    {
        var ct = TestContext.Current.CancellationToken;
        var leaver = await cluster.JoinAsync();
        var gone = leaver.Node;
        await using var client = await ConnectAsync();
        var keys = await WriteKeysAsync(client, "leaving", gone);
        var leaversSlots = Enumerable.Range(0, KeySlot.SlotCount).Where(slot => client.Slots.OwnerOf(slot) == gone).ToArray();

        // Read every key over and over while the node hands its slots over and stops: at most 1000 rounds, 60 s.
        var leaving = cluster.LeaveAsync(leaver);
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        var wrong = new List<string>();
        do
        {
            var gets = await Task.WhenAll(keys.Select(k => client.ExecuteAsync("GET", k)));
            wrong.AddRange(keys.Zip(gets).Where(p => p.Second.Text != Value(p.First)).Select(p => $"{p.First}: {p.Second}"));
            rounds++;
            await Task.Delay(10, ct);
        }
        while (!leaving.IsCompleted && rounds < 1000 && clock.Elapsed < TimeSpan.FromSeconds(60));

        await leaving;

        // The client learns the map lazily: a MOVED fixes its own slot at once and asks for a reload of the whole map
        // at most once a second, and each reload is only as new as the member that answered it. So a reload asked
        // for during the leave may still be on its way, with a map from before the others had settled: wait for it.
        // Every reload after this one is answered by a settled member.
        await client.WhenReloadedAsync().WaitAsync(TimeSpan.FromSeconds(30), ct);
        var after = await Task.WhenAll(keys.Select(k => client.ExecuteAsync("GET", k)));

        // That last reload may still give the leaver slots that none of the keys is in. A command for each slot it
        // served: where the map still names it, the command finds it gone and the client reloads the map.
        var pings = await Task.WhenAll(leaversSlots.Select(slot => client.ExecuteOnSlotAsync(slot, [Encoding.ASCII.GetBytes("PING")], ct)));
        await client.WhenReloadedAsync().WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Empty(wrong);
        Assert.Equal(keys.Select(Value), after.Select(g => g.Text));
        Assert.All(pings, ping => Assert.Equal("+PONG", ping.ToString()));
        Assert.DoesNotContain(gone, client.Slots.Nodes);
        Assert.Equal(3, client.Slots.Nodes.Count);
    }

    private Task<ClusterClient> ConnectAsync() =>
        ClusterClient.ConnectAsync(cluster.Seed.Host, cluster.Seed.Port, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Sets <see cref="KeyCount"/> keys, and checks that the client sends some of them to <paramref name="leaver"/>.</summary>
    private static async Task<string[]> WriteKeysAsync(ClusterClient client, string prefix, ClusterNode leaver)
    {
        var keys = Enumerable.Range(0, KeyCount).Select(i => $"{prefix}:{i}").ToArray();
        var sets = await Task.WhenAll(keys.Select(k => client.ExecuteAsync("SET", k, Value(k))));
        Assert.All(sets, set => Assert.Equal("+OK", set.ToString()));
        Assert.Contains(leaver, client.Slots.Nodes);
        Assert.Contains(keys, k => client.Slots.OwnerOf(KeySlot.Of(Encoding.UTF8.GetBytes(k))) == leaver);
        return keys;
    }

    private static string Value(string key) => "v-" + key;
}
