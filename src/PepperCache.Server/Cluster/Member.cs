using System.Text.Json.Serialization;

namespace PepperCache.Server.Cluster;

/// <summary>Where a member stands. The order matters: at the same incarnation a later state wins a merge.</summary>
internal enum MemberStatus
{
    /// <summary>Serving, and given slots by the slot map.</summary>
    Alive = 0,

    /// <summary>Leaving gracefully: still serves the slots it owns, but the slot map no longer gives it any.</summary>
    Leaving = 1,

    /// <summary>Unreachable for longer than the node timeout; its slots went to the survivors.</summary>
    Failed = 2,

    /// <summary>Left gracefully.</summary>
    Left = 3,
}

/// <summary>
/// One entry of the member table. Only the member itself raises its <see cref="Incarnation"/> (on every start,
/// and to refute a report that it failed); any member may mark another failed at that member's incarnation.
/// </summary>
/// <remarks><see cref="TlsPort"/> is last and optional, so members that do not send it (older builds) read as having none.</remarks>
internal sealed record Member(string Id, string Host, int Port, int AdminPort, long Incarnation, MemberStatus Status, int TlsPort = 0)
{
    /// <summary>Serves slots (routing may point at it).</summary>
    [JsonIgnore]
    public bool IsServing => Status is MemberStatus.Alive or MemberStatus.Leaving;

    public ClusterNode ToNode() => new(Id, Host, Port, AdminPort, TlsPort);

    /// <summary>
    /// Whether <paramref name="candidate"/> is newer news about the same member than <paramref name="current"/>:
    /// a higher incarnation, or the same incarnation and a later state. Commutative and idempotent as a merge, so
    /// members that exchange tables in any order agree.
    /// </summary>
    public static bool Supersedes(Member candidate, Member current) =>
        candidate.Incarnation > current.Incarnation ||
        (candidate.Incarnation == current.Incarnation && candidate.Status > current.Status);
}
