using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// Slot-table gossip sends changes, not the table (issue 15): once two members have acknowledged each other's table,
/// a message carries only the slots changed since, and the whole table goes only to a peer that is new, too far
/// behind, or asks for it. States exchange messages directly, request and reply, as the gossip loop does.
/// </summary>
public sealed class GossipDeltaTests
{
    [Fact]
    public void AfterOneWholeTableEachWayMessagesCarryOnlyTheSlotsChanged()
    {
        var (a, b) = TwoMembers();

        // First exchange between them by name: nothing acknowledged yet, so whole tables both ways.
        var first = a.CreateMessage(includeSlots: true, 0, to: b.MyId);
        Assert.NotNull(first.Slots);
        var reply = Exchange(b, first, a);
        Assert.NotNull(reply.Slots);

        // Now each has acknowledged the other: an empty delta each way, and the digests agree.
        var quiet = a.CreateMessage(includeSlots: true, 0, to: b.MyId);
        Assert.Null(quiet.Slots);
        Assert.NotNull(quiet.Delta);
        Assert.Empty(SlotTable.DecodeDelta(quiet.Delta)!.Entries);
        reply = Exchange(b, quiet, a);
        Assert.Null(reply.Slots);
        Assert.Empty(SlotTable.DecodeDelta(reply.Delta!)!.Entries);
        Assert.Equal(a.Digest, b.Digest);

        // Three hand-overs: the next message carries those three slots and nothing else, and the peer takes them.
        var moving = Enumerable.Range(0, HashSlot.SlotCount).Where(slot => a.DesiredOwnerOf(slot).Id == b.MyId).Take(3).ToList();
        Assert.Equal(3, moving.Count);
        foreach (var slot in moving)
        {
            a.AssignSlot(slot, b.MyId);
        }

        var change = a.CreateMessage(includeSlots: true, 0, to: b.MyId);
        Assert.Null(change.Slots);
        var entries = SlotTable.DecodeDelta(change.Delta!)!.Entries;
        Assert.Equal(moving, entries.Select(e => e.Slot));
        Assert.All(entries, e => Assert.Equal(b.MyId, e.Owner));
        // 8 bytes a slot, in base64.
        Assert.Equal(32, change.Delta!.Entries.Length);
        var back = Exchange(b, change, a);
        Assert.All(moving, slot => Assert.Equal(b.MyId, b.OwnerOf(slot).Id));
        Assert.Equal(a.Digest, b.Digest);
        // b's table changed too, but not echoed back: those entries came from a.
        Assert.Empty(SlotTable.DecodeDelta(back.Delta!)!.Entries);

        // And nothing more goes until something changes.
        Assert.Empty(SlotTable.DecodeDelta(a.CreateMessage(includeSlots: true, 0, to: b.MyId).Delta!)!.Entries);
    }

    [Fact]
    public void APeerTooFarBehindGetsTheWholeTable()
    {
        var (a, b) = TwoMembers();
        Exchange(b, a.CreateMessage(includeSlots: true, 0, to: b.MyId), a);

        var moving = Enumerable.Range(0, HashSlot.SlotCount).Where(slot => a.DesiredOwnerOf(slot).Id == b.MyId).Take(ClusterState.MaxDeltaSlots + 1).ToList();
        Assert.Equal(ClusterState.MaxDeltaSlots + 1, moving.Count);
        foreach (var slot in moving)
        {
            a.AssignSlot(slot, b.MyId);
        }

        var message = a.CreateMessage(includeSlots: true, 0, to: b.MyId);
        Assert.NotNull(message.Slots);
        Assert.Null(message.Delta);
        Exchange(b, message, a);
        Assert.All(moving, slot => Assert.Equal(b.MyId, b.OwnerOf(slot).Id));
        Assert.Equal(a.Digest, b.Digest);
    }

    [Fact]
    public void ChangesRelayedThroughAThirdMemberArriveAsDeltas()
    {
        var (a, b) = TwoMembers();
        var c = NewState(cluster: "127.0.0.1");
        a.Merge(c.CreateMessage(includeSlots: false, 0));
        c.Merge(a.CreateMessage(includeSlots: true, 0));
        foreach (var (from, to) in new[] { (a, b), (a, c), (b, c), (a, b), (a, c), (b, c) })
        {
            Exchange(to, from.CreateMessage(includeSlots: true, 0, to: to.MyId), from);
        }

        // a hands a slot to b; b hears it from a, c hears it from b only.
        var slot = Enumerable.Range(0, HashSlot.SlotCount).First(s => a.DesiredOwnerOf(s).Id == b.MyId);
        a.AssignSlot(slot, b.MyId);
        Exchange(b, a.CreateMessage(includeSlots: true, 0, to: b.MyId), a);
        var relayed = b.CreateMessage(includeSlots: true, 0, to: c.MyId);
        Assert.Null(relayed.Slots);
        Assert.Equal(new[] { slot }, SlotTable.DecodeDelta(relayed.Delta!)!.Entries.Select(e => e.Slot));
        Exchange(c, relayed, b);
        Assert.Equal(b.MyId, c.OwnerOf(slot).Id);
        Assert.Equal(a.Digest, c.Digest);
    }

    [Fact]
    public void ARestartedPeerIsSentTheWholeTableAgain()
    {
        var (a, b) = TwoMembers();
        Exchange(b, a.CreateMessage(includeSlots: true, 0, to: b.MyId), a);
        Assert.Null(a.CreateMessage(includeSlots: true, 0, to: b.MyId).Slots);

        // A message from b that acknowledges nothing of a's current life (a restart of b, which forgets what it heard).
        var forgetful = b.CreateMessage(includeSlots: false, 0) with { AckStream = 0, AckSeq = 0 };
        a.Merge(forgetful);

        Assert.NotNull(a.CreateMessage(includeSlots: true, 0, to: b.MyId).Slots);
    }

    [Fact]
    public void AnAcknowledgementBeyondThisTableGetsTheWholeTableNotSilence()
    {
        var (a, b) = TwoMembers();
        var reply = Exchange(b, a.CreateMessage(includeSlots: true, 0, to: b.MyId), a);

        // Claimed in b's name: b has merged far more of a's table than a ever had. a does not believe it.
        a.Merge(b.CreateMessage(includeSlots: true, 0, to: a.MyId) with { AckStream = reply.AckStream, AckSeq = long.MaxValue });
        var slot = Enumerable.Range(0, HashSlot.SlotCount).First(s => a.DesiredOwnerOf(s).Id == b.MyId);
        a.AssignSlot(slot, b.MyId);

        var message = a.CreateMessage(includeSlots: true, 0, to: b.MyId);
        Assert.NotNull(message.Slots);
        Exchange(b, message, a);
        Assert.Equal(b.MyId, b.OwnerOf(slot).Id);
    }

    [Fact]
    public void TablesThatDifferThoughBothAcknowledgedGoBackToWholeTables()
    {
        var (a, b) = TwoMembers();
        Exchange(b, a.CreateMessage(includeSlots: true, 0, to: b.MyId), a);
        Exchange(b, a.CreateMessage(includeSlots: true, 0, to: b.MyId), a);

        // A message from b that claims to have all of a's table and to be complete itself, with another digest
        // (something was lost on the way): a must stop trusting the acknowledgements, both ways.
        var lying = b.CreateMessage(includeSlots: true, 0, to: a.MyId) with { SlotsDigest = "0123456789abcdef" };
        Assert.Null(lying.Slots);
        a.Merge(lying);

        var next = a.CreateMessage(includeSlots: true, 0, to: b.MyId);
        Assert.NotNull(next.Slots);
        Assert.Equal(0, next.AckStream);
    }

    /// <summary>Delivers <paramref name="request"/> to <paramref name="receiver"/>, and its reply back to <paramref name="sender"/>, as one gossip exchange.</summary>
    private static GossipMessage Exchange(ClusterState receiver, GossipMessage request, ClusterState sender)
    {
        receiver.Merge(request);
        var reply = receiver.CreateMessage(includeSlots: true, 0, to: request.From);
        sender.Merge(reply);
        return reply;
    }

    private static (ClusterState A, ClusterState B) TwoMembers()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        return (founder, joiner);
    }

    private static ClusterState NewState(string cluster = "") =>
        new(Options.Create(new PepperCacheOptions { Port = 0, AdminPort = 0, Cluster = cluster }), NullLogger<ClusterState>.Instance);
}
