using System.Net;
using System.Net.Http.Json;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// Issue 14's probe over HTTP: forged <c>POST /cluster/gossip</c> messages reach a member (from loopback, so the access
/// rule lets them in) and must change nothing: the member stays alive and serving, and its keys stay.
/// </summary>
public sealed class ForgedGossipIntegrationTests
{
    private const string Forger = "ffffffffffffffffffffffffffffffffffffffff";

    [Fact]
    public async Task ForgedFailedLeftAndOverflowingEntriesLeaveTheMemberAndItsKeysAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(2);
        await using var client = new SlotRoutingClient(cluster.OwnerOf);
        var keys = Enumerable.Range(0, 300).Select(i => $"forged:{i}").ToArray();
        foreach (var key in keys)
        {
            Assert.Equal("OK", (await client.ExecuteAsync(key, "SET", key, "v")).Text);
        }

        var (receiver, victim) = (cluster.Nodes[0], cluster.Nodes[1]);
        var victimState = TestCluster.State(victim);
        var victimKeys = TestCluster.Server(victim).Store.Count;
        Assert.True(victimKeys > 0);
        var entry = TestCluster.State(receiver).Members().Single(m => m.Id == victimState.MyId);
        var ownedBefore = SlotsOf(TestCluster.State(receiver), victimState.MyId);

        using var http = receiver.CreateAdminClient();
        Member[] forgeries =
        [
            entry with { Status = MemberStatus.Failed },
            entry with { Status = MemberStatus.Failed, Incarnation = entry.Incarnation + 1 },
            entry with { Status = MemberStatus.Left },
            entry with { Status = MemberStatus.Left, Incarnation = long.MaxValue },
            entry with { Status = MemberStatus.Leaving, Incarnation = entry.Incarnation + 1 },
        ];
        foreach (var forged in forgeries)
        {
            // From the forger; a Failed also in the victim's own name (no member reports itself failed). A Left in
            // its name is the member's word: the sender is not authenticated beyond the access rule (docs/cluster.md).
            foreach (var from in forged.Status == MemberStatus.Failed ? new[] { Forger, victimState.MyId } : [Forger])
            {
                var message = new GossipMessage(from, [forged], "", null);
                using var reply = await http.PostAsJsonAsync("/cluster/gossip", message, ClusterJsonContext.Default.GossipMessage, ct);
                Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            }
        }

        // Each message was merged before its reply: the receiver's view is decided now.
        var seen = TestCluster.State(receiver).Members().Single(m => m.Id == victimState.MyId);
        Assert.Equal(MemberStatus.Alive, seen.Status);
        Assert.True(seen.Incarnation is > 0 and < GossipRules.MaxIncarnation, $"incarnation {seen.Incarnation}");
        Assert.Equal(ownedBefore, SlotsOf(TestCluster.State(receiver), victimState.MyId));
        Assert.Equal(victimKeys, TestCluster.Server(victim).Store.Count);
        foreach (var key in keys)
        {
            Assert.Equal("v", (await client.ExecuteAsync(key, "GET", key)).Text);
        }
    }

    [Fact]
    public async Task AForgedDeltaIsRefusedAsAForgedTableIs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(2);
        var (receiver, victim) = (cluster.Nodes[0], cluster.Nodes[1]);
        var victimId = TestCluster.State(victim).MyId;
        var state = TestCluster.State(receiver);
        var victimSlots = Enumerable.Range(0, HashSlot.SlotCount).Where(s => state.OwnerOf(s).Id == victimId).ToList();
        Assert.NotEmpty(victimSlots);

        // Every slot of the victim claimed for the forger at an epoch past the limit, as a delta: from the forger, and
        // in the victim's own name (with its member entry, as a real message has).
        var table = new SlotTable();
        foreach (var slot in victimSlots)
        {
            table.Merge(slot, Forger, uint.MaxValue);
        }

        var delta = table.EncodeDelta(0, HashSlot.SlotCount);
        Assert.NotNull(delta);
        var victimEntry = state.Members().Single(m => m.Id == victimId);
        using var http = receiver.CreateAdminClient();
        foreach (var message in new[] { new GossipMessage(Forger, [], "", null, Delta: delta), new GossipMessage(victimId, [victimEntry], "", null, Delta: delta) })
        {
            using var reply = await http.PostAsJsonAsync("/cluster/gossip", message, ClusterJsonContext.Default.GossipMessage, ct);
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        Assert.All(victimSlots, slot => Assert.Equal(victimId, state.OwnerOf(slot).Id));
        Assert.Equal(MemberStatus.Alive, state.Members().Single(m => m.Id == victimId).Status);
    }

    private static int SlotsOf(ClusterState state, string id) => Enumerable.Range(0, HashSlot.SlotCount).Count(s => state.OwnerOf(s).Id == id);
}
