namespace PepperCache.Server.Cluster;

/// <summary>
/// What a member accepts from gossip about another member (docs/cluster.md, "Security"). A member table entry is a
/// claim by the sender; these rules keep one message, forged or stale, from evicting a member:
/// <list type="bullet">
/// <item>Incarnations stay in [1, <see cref="MaxIncarnation"/>], and a relayed entry (not from the member itself)
/// may raise a known member's incarnation by at most <see cref="MaxRelayedJump"/>, so no refutation can wrap.</item>
/// <item>Only a member itself says it is leaving or has left (a relayed Leaving is taken only for a member this node
/// does not know yet: it still serves, and unknown its slots would look orphaned).</item>
/// <item>Failed is this node's own finding (its failure detector): a relayed Failed for a member this node still
/// counts as serving is not applied; it is passed on to that member, which refutes it.</item>
/// </list>
/// </summary>
internal static class GossipRules
{
    /// <summary>Far below <see cref="long.MaxValue"/>: a refutation adds one, a restart adds one.</summary>
    public const long MaxIncarnation = 1L << 62;

    /// <summary>Refutations and restarts raise an incarnation one at a time; relays carry a handful at most.</summary>
    public const long MaxRelayedJump = 1L << 20;

    /// <summary>
    /// The reason given for a relayed Leaving or Left. It is ordinary (a member that missed the leaver's own push
    /// hears it relayed every round), so it is logged at Debug only; the other reasons mean a bad or forged message.
    /// </summary>
    public const string OnlyItselfLeaves = "only a member itself leaves";

    /// <summary>Why <paramref name="entry"/>, sent by <paramref name="from"/>, is not taken as it is; null when it is.</summary>
    /// <param name="current">What this node holds for the member (its own entry when the claim is about itself).</param>
    public static string? Check(Member entry, string from, Member? current)
    {
        if (entry.Incarnation is < 1 or > MaxIncarnation)
        {
            return "incarnation out of range";
        }

        if (!Enum.IsDefined(entry.Status))
        {
            return "unknown status";
        }

        var relayed = entry.Id != from;
        if (relayed && current is not null && entry.Incarnation > current.Incarnation + MaxRelayedJump)
        {
            return "incarnation jumps too far";
        }

        // A relayed Leaving for a member this node does not know yet (a joiner learning the cluster) evicts nothing: the
        // member still serves. Ignored, it would leave the member unknown here, its slots taken for orphans and given
        // to their planned owners at an epoch above the leaver's own, away from their keys.
        if (relayed && (entry.Status == MemberStatus.Left || (entry.Status == MemberStatus.Leaving && current is not null)))
        {
            return OnlyItselfLeaves;
        }

        return null;
    }

    /// <summary>
    /// A relayed Failed for a member this node still counts as serving: not applied (this node's own failure detector
    /// decides), but worth passing on to the member so it can refute it.
    /// </summary>
    public static bool IsSuspicion(Member entry, Member? current) =>
        entry.Status == MemberStatus.Failed && current is { IsServing: true } && entry.Incarnation >= current.Incarnation;
}
