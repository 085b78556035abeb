using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>Issue 14's forged gossip, replayed against <see cref="ClusterState"/>: none of it may evict a member.</summary>
public sealed class GossipValidationTests
{
    private const string Forger = "ffffffffffffffffffffffffffffffffffffffff";

    [Fact]
    public void ARelayedFailedForAServingMemberIsNotAppliedButPassedOnAndRefuted()
    {
        var (founder, joiner) = TwoMembers();
        var joinerEntry = founder.Members().Single(m => m.Id == joiner.MyId);
        var ownersBefore = founder.SlotOwners();

        founder.Merge(Forged(joinerEntry with { Status = MemberStatus.Failed }));

        Assert.Equal(MemberStatus.Alive, founder.Members().Single(m => m.Id == joiner.MyId).Status);
        Assert.Equal(ownersBefore.Owners, founder.SlotOwners().Owners);
        Assert.Equal(ownersBefore.Epochs, founder.SlotOwners().Epochs);

        // Only the member hears of it, and refutes it; the others' tables are not changed by the report.
        Assert.Equal(MemberStatus.Alive, founder.CreateMessage(false, 0).Members.Single(m => m.Id == joiner.MyId).Status);
        joiner.Merge(founder.CreateMessage(false, 0, to: joiner.MyId));
        Assert.Equal(joinerEntry.Incarnation + 1, joiner.Members().Single(m => m.Id == joiner.MyId).Incarnation);
        founder.Merge(joiner.CreateMessage(false, 0));
        Assert.Equal((MemberStatus.Alive, joinerEntry.Incarnation + 1), Seen(founder, joiner.MyId));
        Assert.Equal(MemberStatus.Alive, founder.CreateMessage(false, 0, to: joiner.MyId).Members.Single(m => m.Id == joiner.MyId).Status);
    }

    [Fact]
    public void OnlyAMemberItselfCanSayItLeft()
    {
        var (founder, joiner) = TwoMembers();
        var joinerEntry = founder.Members().Single(m => m.Id == joiner.MyId);

        founder.Merge(Forged(joinerEntry with { Status = MemberStatus.Left }));
        founder.Merge(Forged(joinerEntry with { Status = MemberStatus.Leaving, Incarnation = joinerEntry.Incarnation + 1 }));
        Assert.Equal((MemberStatus.Alive, joinerEntry.Incarnation), Seen(founder, joiner.MyId));

        joiner.SetMyStatus(MemberStatus.Left);
        founder.Merge(joiner.CreateMessage(false, 0));
        Assert.Equal(MemberStatus.Left, Seen(founder, joiner.MyId).Status);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 1)]
    [InlineData(GossipRules.MaxIncarnation + 1)]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void AnIncarnationOutOfRangeIsIgnoredAndNeverWraps(long incarnation)
    {
        var (founder, joiner) = TwoMembers();
        var joinerEntry = founder.Members().Single(m => m.Id == joiner.MyId);

        // About a third member, about the member itself (the probe's overflow), and in the member's own message.
        founder.Merge(Forged(joinerEntry with { Status = MemberStatus.Left, Incarnation = incarnation }));
        joiner.Merge(Forged(joinerEntry with { Status = MemberStatus.Left, Incarnation = incarnation }));
        founder.Merge(new GossipMessage(joiner.MyId, [joinerEntry with { Status = MemberStatus.Left, Incarnation = incarnation }], "", null));

        Assert.Equal((MemberStatus.Alive, joinerEntry.Incarnation), Seen(founder, joiner.MyId));
        Assert.Equal((MemberStatus.Alive, joinerEntry.Incarnation), Seen(joiner, joiner.MyId));
    }

    [Fact]
    public void ARelayCannotRaiseAnIncarnationFar()
    {
        var (founder, joiner) = TwoMembers();
        var joinerEntry = founder.Members().Single(m => m.Id == joiner.MyId);
        var tooFar = joinerEntry.Incarnation + GossipRules.MaxRelayedJump + 1;

        founder.Merge(Forged(joinerEntry with { Incarnation = tooFar }));
        joiner.Merge(Forged(joinerEntry with { Incarnation = tooFar, Status = MemberStatus.Failed }));
        Assert.Equal(joinerEntry.Incarnation, Seen(founder, joiner.MyId).Incarnation);
        Assert.Equal(joinerEntry.Incarnation, Seen(joiner, joiner.MyId).Incarnation);

        // Nobody speaks for this node in its own name.
        joiner.Merge(new GossipMessage(joiner.MyId, [joinerEntry with { Incarnation = tooFar - 1, Status = MemberStatus.Failed }], "", null));
        Assert.Equal(joinerEntry.Incarnation, Seen(joiner, joiner.MyId).Incarnation);

        joiner.Merge(Forged(joinerEntry with { Incarnation = tooFar - 1, Status = MemberStatus.Failed }));
        Assert.Equal((MemberStatus.Alive, tooFar), Seen(joiner, joiner.MyId));
    }

    [Fact]
    public void ASlotTableWithEpochsBeyondTheLimitIsNotMerged()
    {
        var (founder, joiner) = TwoMembers();
        var table = new SlotTable();
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            table.Merge(slot, Forger, uint.MaxValue);
        }

        joiner.Merge(new GossipMessage(Forger, [], "", table.Encode()));

        Assert.All(Enumerable.Range(0, HashSlot.SlotCount), slot => Assert.Equal(founder.MyId, joiner.OwnerOf(slot).Id));
        Assert.Throws<ArgumentOutOfRangeException>(() => joiner.AssignSlot(0, joiner.MyId, long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => joiner.AssignSlot(0, joiner.MyId, SlotTable.MaxEpochValue));
        Assert.Equal(founder.MyId, joiner.OwnerOf(0).Id);
    }

    [Fact]
    public void ADeltaWithEpochsBeyondTheLimitIsRefusedAsATableIs()
    {
        var (founder, joiner) = TwoMembers();
        var table = new SlotTable();
        table.Merge(0, Forger, SlotTable.MaxEpochValue);
        table.Merge(1, Forger, uint.MaxValue);
        var delta = table.EncodeDelta(0, HashSlot.SlotCount)!;

        // From the forger, and in a member's name: the whole delta is refused, the slot within the limit too.
        joiner.Merge(new GossipMessage(Forger, [], "", null, Delta: delta));
        joiner.Merge(founder.CreateMessage(false, 0) with { Delta = delta });

        Assert.Equal(founder.MyId, joiner.OwnerOf(0).Id);
        Assert.Equal(founder.MyId, joiner.OwnerOf(1).Id);
    }

    [Fact]
    public void AMalformedDeltaIsNotMerged()
    {
        var (founder, joiner) = TwoMembers();
        var table = new SlotTable();
        table.Merge(7, Forger, 1_000);
        var good = table.EncodeDelta(0, HashSlot.SlotCount)!;
        var slotOutOfRange = Convert.ToBase64String(new byte[] { 0xFF, 0xFF, 0, 0, 1, 0, 0, 0 });
        SlotDeltaData[] malformed =
        [
            good with { Owners = [] },
            good with { Owners = [""] },
            good with { Entries = "not base64!" },
            good with { Entries = Convert.ToBase64String(new byte[] { 7, 0, 0 }) },
            good with { Entries = slotOutOfRange },
            good with { Base = -1 },
        ];
        foreach (var delta in malformed)
        {
            Assert.Null(SlotTable.DecodeDelta(delta));
            joiner.Merge(new GossipMessage(Forger, [], "", null, Delta: delta));
        }

        Assert.Equal(founder.MyId, joiner.OwnerOf(7).Id);
        Assert.Equal(founder.MyId, joiner.OwnerOf(HashSlot.SlotCount - 1).Id);
    }

    private static (MemberStatus Status, long Incarnation) Seen(ClusterState state, string id)
    {
        var member = state.Members().Single(m => m.Id == id);
        return (member.Status, member.Incarnation);
    }

    private static GossipMessage Forged(Member entry) => new(Forger, [entry], "", null);

    private static (ClusterState Founder, ClusterState Joiner) TwoMembers()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        return (founder, joiner);
    }

    private static ClusterState NewState(string cluster = "") =>
        new(Options.Create(new PepperCacheOptions { Port = 0, AdminPort = 0, Cluster = cluster }), NullLogger<ClusterState>.Instance);
}
