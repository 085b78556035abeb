namespace PepperCache.Server.Cluster;

/// <summary>
/// The members this node knows of, by id. Entries merge (see <see cref="Member.Supersedes"/>) rather than being
/// replaced wholesale, so joins accepted at different members at the same time all survive. Members that failed or
/// left stay as tombstones, so an old report of them alive cannot bring them back, until they are forgotten
/// (<see cref="ClusterState.Forget"/>, which then keeps that report out itself). Not thread-safe: the owner locks.
/// </summary>
internal sealed class MemberTable
{
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);

    public int Count => _members.Count;

    public IEnumerable<Member> All => _members.Values;

    public Member? Find(string id) => _members.GetValueOrDefault(id);

    /// <summary>Takes <paramref name="member"/> if it is new or newer than what is known; returns whether anything changed.</summary>
    public bool Merge(Member member)
    {
        if (_members.TryGetValue(member.Id, out var current) && !Member.Supersedes(member, current))
        {
            return false;
        }

        _members[member.Id] = member;
        return true;
    }

    /// <summary>Drops an entry (a forgotten member); the caller keeps it from coming back.</summary>
    public bool Remove(string id) => _members.Remove(id);

    /// <summary>Replaces an entry unconditionally: for this node's own entry, which only it decides.</summary>
    public void Set(Member member) => _members[member.Id] = member;

    /// <summary>Ids of the members the slot map is built over: alive ones.</summary>
    public List<string> AliveIds() => [.. _members.Values.Where(m => m.Status == MemberStatus.Alive).Select(m => m.Id)];
}
