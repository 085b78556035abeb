using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>A target whose view lags (its plan, or the whole slot table) is sent the mover's view and takes its slots at once.</summary>
public sealed partial class RebalanceIntegrationTests
{
    /// <summary>
    /// A joiner whose slot plan lags the movers' (the coordinator's new plan reached them, not yet the joiner: here
    /// its gossip with them is held back) refuses their hand-overs with TRYAGAIN. Each mover then sends the joiner its
    /// view, the gossip message it would send anyway, and retries at once: no backoff (it was 200 ms, 400 ms, ...
    /// until a gossip round brought the plan, in about 1 join in 4 of the benchmark), and no read misses meanwhile.
    /// </summary>
    [Fact]
    public async Task AJoinerWhosePlanLagsIsSentTheMoversViewAndTakesItsSlotsWithoutABackoff()
    {
        await using var cluster = await TestCluster.StartAsync(2, nodeTimeout: 30_000);
        await using var client = new SlotRoutingClient(cluster.OwnerOf);
        var keys = Enumerable.Range(0, 2000).Select(i => $"lag:{i}").ToArray();
        await ForEachBatchAsync(keys, k => client.ExecuteAsync(k, "SET", k, "v-" + k));

        var members = cluster.Nodes.ToList();
        var memberIds = members.Select(n => TestCluster.State(n).MyId).ToHashSet(StringComparer.Ordinal);
        // The joiner asks the member that is not the coordinator (the lowest id plans): its /join reply carries the
        // plan without the joiner, and the coordinator plans once that member's gossip tells it of the joiner.
        var seed = members.MaxBy(n => TestCluster.State(n).MyId, StringComparer.Ordinal)!;
        foreach (var member in members)
        {
            TestCluster.Gossip(member).HoldRoundsWith = m => !memberIds.Contains(m.Id);
        }

        var failedBefore = FailedMoves(members);
        var pushedBefore = PlanPushes(members);
        using var stop = new CancellationTokenSource();
        var missed = new List<string>();
        var reader = ReadAllUntilStoppedAsync(cluster, keys, stop.Token, missed);

        // The joiner's own exchanges fail once it has joined (has the slot table), so its rounds bring it no plan either.
        var joiner = cluster.AddNode(
            new Dictionary<string, string?> { ["PepperCache:Cluster"] = $"127.0.0.1:{seed.AdminEndPoint.Port}" },
            services => services.AddSingleton(sp =>
            {
                var peers = ActivatorUtilities.CreateInstance<PeerClient>(sp);
                var state = sp.GetRequiredService<ClusterState>();
                peers.CutOff = _ => state.Synced;
                return peers;
            }));
        var joinerState = TestCluster.State(joiner);
        await Eventually.UntilAsync(
            () => joinerState.PlannedForMe && members.All(m => TestCluster.State(m).PlanEpoch == joinerState.PlanEpoch && !TestCluster.Rebalancer(m).Moving) &&
                  ServesWhatItsPlanGivesIt(joinerState),
            TimeSpan.FromSeconds(15),
            "the joiner serves the slots its plan gives it while its gossip is held",
            cluster.Describe);

        Assert.Equal(0, FailedMoves(members) - failedBefore);
        Assert.True(PlanPushes(members) - pushedBefore > 0, "no mover sent the joiner its view");

        foreach (var member in members)
        {
            TestCluster.Gossip(member).HoldRoundsWith = null;
        }

        joiner.Services.GetRequiredService<PeerClient>().CutOff = null;
        await cluster.WhenSettledAsync();
        await stop.CancelAsync();
        var (passes, misses, wrong) = await reader;
        Assert.True(passes > 0);
        Assert.True(misses == 0, $"{misses} misses: " + string.Join(" | ", missed));
        Assert.Equal(0, wrong);
        AssertEachKeyOnItsOwnerOnly(cluster, keys);
    }

    /// <summary>
    /// A joiner that has not learned the slot table when the moves to it start (the seed took its /join and the reply
    /// was lost: here its joins are cut off until it has the table, and the members' gossip with it is held) refuses
    /// every pre-copy with TRYAGAIN. Each mover then sends it its view, slot table and plan included, and moves the
    /// slots again at once: no backoff (without the view it backed off, up to 10 s a try, until a join retry synced
    /// it), no read misses, and every key on its owner with its value.
    /// </summary>
    [Fact]
    public async Task AJoinerThatHasNotLearnedTheSlotTableIsSentTheMoversViewAndTakesItsSlotsWithoutABackoff()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(2, nodeTimeout: 30_000);
        await using var client = new SlotRoutingClient(cluster.OwnerOf);
        var keys = Enumerable.Range(0, 2000).Select(i => $"unsynced:{i}").ToArray();
        await ForEachBatchAsync(keys, k => client.ExecuteAsync(k, "SET", k, "v-" + k));

        var members = cluster.Nodes.ToList();
        var failedBefore = FailedMoves(members);
        var pushedBefore = PlanPushes(members);
        // Its exchanges fail until it has the slot table (its seed is members[0]): only a mover's view can bring it one.
        var joiner = cluster.AddNode(configureServices: services => services.AddSingleton(sp =>
        {
            var peers = ActivatorUtilities.CreateInstance<PeerClient>(sp);
            var state = sp.GetRequiredService<ClusterState>();
            peers.CutOff = _ => !state.Synced;
            return peers;
        }));
        var joinerState = TestCluster.State(joiner);
        var joinerId = joinerState.MyId;
        foreach (var member in members)
        {
            TestCluster.Gossip(member).HoldRoundsWith = m => m.Id == joinerId;
        }

        // Its first join has been tried (its address is set) and cut off.
        await Eventually.UntilAsync(() => TestCluster.Gossip(joiner).FailedJoins > 0, TimeSpan.FromSeconds(5), "the joiner has tried to join");
        Assert.False(joinerState.Synced);
        using var stop = new CancellationTokenSource();
        var missed = new List<string>();
        var reader = ReadAllUntilStoppedAsync(cluster, keys, stop.Token, missed);

        // What the seed's /join does with the request; the reply is what the joiner lost. Gossip between the members
        // spreads the joiner, the coordinator plans it its share, and the moves start.
        TestCluster.State(members[0]).Merge(joinerState.CreateMessage(includeSlots: false, keys: 0));
        await Eventually.UntilAsync(
            () => joinerState.Synced && joinerState.PlannedForMe &&
                  members.All(m => TestCluster.State(m).PlanEpoch == joinerState.PlanEpoch && !TestCluster.Rebalancer(m).Moving) &&
                  ServesWhatItsPlanGivesIt(joinerState),
            TimeSpan.FromSeconds(15),
            "the joiner serves the slots its plan gives it",
            cluster.Describe);

        Assert.Equal(0, FailedMoves(members) - failedBefore);
        Assert.True(PlanPushes(members) - pushedBefore > 0, "no mover sent the joiner its view");
        // The refusal met was the import's (the pre-copy), not a SETSLOT's: it has none without a slot table.
        await using (var connection = await PepperCache.Client.RespConnection.ConnectAsync("127.0.0.1", joiner.RespEndPoint.Port, token))
        {
            var stats = (await connection.ExecuteAsync("INFO", "commandstats")).Text!;
            var import = stats.Split("\r\n").Single(l => l.StartsWith("cmdstat_pepper.import:", StringComparison.Ordinal));
            var failed = import.Split(',').Single(f => f.StartsWith("failed_calls=", StringComparison.Ordinal));
            Assert.True(long.Parse(failed["failed_calls=".Length..], CultureInfo.InvariantCulture) > 0, "the joiner refused no import: " + import);
        }

        foreach (var member in members)
        {
            TestCluster.Gossip(member).HoldRoundsWith = null;
        }

        await cluster.WhenSettledAsync();
        await stop.CancelAsync();
        var (passes, misses, wrong) = await reader;
        Assert.True(passes > 0);
        Assert.True(misses == 0, $"{misses} misses: " + string.Join(" | ", missed));
        Assert.Equal(0, wrong);
        Assert.True(TestCluster.Server(joiner).Store.Count > 0, "the joiner received no keys");
        foreach (var key in keys)
        {
            Assert.Equal("v-" + key, (await client.ExecuteAsync(key, "GET", key)).Text);
        }

        AssertEachKeyOnItsOwnerOnly(cluster, keys);
    }

    private static long FailedMoves(List<PepperCacheApplication> members)
        => members.Sum(n => Interlocked.Read(ref TestCluster.Rebalancer(n).FailedMoves));

    private static long PlanPushes(List<PepperCacheApplication> members)
        => members.Sum(n => Interlocked.Read(ref TestCluster.Rebalancer(n).PlanPushes));

    private static bool ServesWhatItsPlanGivesIt(ClusterState state)
    {
        var planned = state.PlannedOwners();
        return Enumerable.Range(0, HashSlot.SlotCount).All(slot => planned[slot] != state.MyId || state.OwnerOf(slot).Id == state.MyId);
    }
}
