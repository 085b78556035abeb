using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PepperCache.Core.Cluster;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;
using PepperCache.Protocol;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>The ownership rule without a network: states exchange messages directly.</summary>
public sealed class ClusterStateTests
{
    [Fact]
    public void ANewClusterOfOneOwnsEverySlotAndDoesNotRoute()
    {
        var founder = NewState();

        Assert.All(Enumerable.Range(0, HashSlot.SlotCount), slot => Assert.Same(founder.Myself, founder.OwnerOf(slot)));
        Assert.False(founder.Snapshot.Routing);
    }

    [Fact]
    public void AJoinLeavesSlotsWithTheirLiveOwnerUntilTheyAreAssigned()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        Assert.False(joiner.Synced);

        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        // The coordinator (the lower id) plans the next table; one more message carries it to the other.
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));

        foreach (var state in new[] { founder, joiner })
        {
            Assert.True(state.Snapshot.Routing);
            Assert.All(Enumerable.Range(0, HashSlot.SlotCount), slot => Assert.Equal(founder.MyId, state.OwnerOf(slot).Id));
        }

        var moving = Enumerable.Range(0, HashSlot.SlotCount).Where(slot => founder.DesiredOwnerOf(slot).Id == joiner.MyId).ToList();
        Assert.InRange(moving.Count, 7000, 9500);
        Assert.Equal(moving, Enumerable.Range(0, HashSlot.SlotCount).Where(slot => joiner.DesiredOwnerOf(slot).Id == joiner.MyId));

        founder.AssignSlot(moving[0], joiner.MyId);
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        Assert.Equal(joiner.MyId, joiner.OwnerOf(moving[0]).Id);
        Assert.Same(joiner.Myself, joiner.OwnerOf(moving[0]));
        Assert.Equal(founder.MyId, joiner.OwnerOf(moving[1]).Id);
    }

    [Fact]
    public void SlotsOfAFailedMemberGoStraightToTheirDesiredOwnerAtAHigherEpoch()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        var given = Enumerable.Range(0, HashSlot.SlotCount).Where(slot => founder.DesiredOwnerOf(slot).Id == joiner.MyId).Take(100).ToList();
        Assert.Equal(100, given.Count);
        foreach (var slot in given)
        {
            founder.AssignSlot(slot, joiner.MyId);
        }

        var epochBefore = founder.SlotOwners().Epochs[given[0]];
        founder.MarkFailed(joiner.MyId);

        Assert.False(founder.Snapshot.Routing);
        Assert.All(given, slot => Assert.Same(founder.Myself, founder.OwnerOf(slot)));
        Assert.True(founder.SlotOwners().Epochs[given[0]] > epochBefore);
        Assert.Equal(MemberStatus.Failed, founder.Members().Single(m => m.Id == joiner.MyId).Status);
    }

    [Fact]
    public void AMemberReportedFailedRefutesItWithAHigherIncarnation()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        founder.MarkFailed(joiner.MyId);

        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));

        var seen = founder.Members().Single(m => m.Id == joiner.MyId);
        Assert.Equal((MemberStatus.Alive, 2L), (seen.Status, seen.Incarnation));
    }

    [Fact]
    public void ALeavingMemberKeepsServingItsSlotsButIsGivenNone()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));

        founder.SetMyStatus(MemberStatus.Leaving);
        joiner.Merge(founder.CreateMessage(includeSlots: false, 0));

        Assert.All(Enumerable.Range(0, HashSlot.SlotCount), slot => Assert.Equal(founder.MyId, joiner.OwnerOf(slot).Id));
        Assert.All(Enumerable.Range(0, HashSlot.SlotCount), slot => Assert.Equal(joiner.MyId, joiner.DesiredOwnerOf(slot).Id));

        founder.SetMyStatus(MemberStatus.Left);
        joiner.Merge(founder.CreateMessage(includeSlots: false, 0));
        Assert.All(Enumerable.Range(0, HashSlot.SlotCount), slot => Assert.Same(joiner.Myself, joiner.OwnerOf(slot)));
    }

    [Fact]
    public void AHandOverOutranksTheSlotsEpochAtTheOldOwnerThatTheNewOwnerHadNotSeen()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        var third = NewState(cluster: "127.0.0.1");
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        founder.Merge(third.CreateMessage(includeSlots: false, 0));
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        third.Merge(founder.CreateMessage(includeSlots: true, 0));
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        founder.Merge(third.CreateMessage(includeSlots: false, 0));
        var given = Enumerable.Range(0, HashSlot.SlotCount).Where(slot => founder.DesiredOwnerOf(slot).Id == joiner.MyId).Take(100).ToList();
        Assert.Equal(100, given.Count);
        foreach (var slot in given)
        {
            founder.AssignSlot(slot, joiner.MyId);
        }

        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        var moved = given[^1];
        var epochAtOldOwner = joiner.EpochOf(moved);
        Assert.True(epochAtOldOwner > third.CurrentEpoch, "the new owner has not seen the old owner's epoch");

        // The hand-over as the rebalancer does it: SETSLOT ... EPOCH at the new owner, then the old owner's own record.
        third.AssignSlot(moved, third.MyId, epochAtOldOwner);
        joiner.AssignSlot(moved, third.MyId);
        third.Merge(founder.CreateMessage(includeSlots: true, 0));

        // The founder still has the slot at the joiner with the old epoch; that older news must not take it back.
        Assert.Same(third.Myself, third.OwnerOf(moved));
        Assert.True(third.EpochOf(moved) > epochAtOldOwner);
    }

    private static ClusterState NewState(string cluster = "") =>
        new(Options.Create(new PepperCacheOptions { Port = 0, AdminPort = 0, Cluster = cluster }), NullLogger<ClusterState>.Instance);
}
