using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PepperCache.Core.Cluster;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Logging;
using PepperCache.Protocol;

namespace PepperCache.Server.Cluster;

/// <summary>
/// This node's view of the cluster: the member table, the slot table, and the routing snapshot built from them.
/// Every change goes through <see cref="Merge"/> (news from a peer) or a local decision (a failure, a leave, an
/// assignment), then <see cref="Reconcile"/>, which applies the ownership rule:
/// <list type="bullet">
/// <item>A slot whose owner still serves stays with it until slot migration moves its keys and calls <see cref="AssignSlot"/>.</item>
/// <item>A slot whose owner failed or left, or that has none, goes straight to its desired owner (the agreed slot
/// plan's owner, once the plan names a serving member) at the slot's epoch + 1: members holding the same plan compute
/// the same, so they agree without talking. The keys of a failed member are lost; it is a cache.</item>
/// </list>
/// The plan (<see cref="SlotTarget"/>, contiguous ranges from <see cref="SlotPlanner"/>) is made by one coordinator
/// when the alive members differ from the plan's, at the next plan epoch, and spread with every gossip message;
/// members adopt the higher epoch (docs/cluster.md, "Slot assignment in ranges").
/// </summary>
internal sealed class ClusterState : IClusterView
{
    private readonly Lock _lock = new();
    private readonly MemberTable _members = new();
    private readonly SlotTable _slots = new();
    private readonly Dictionary<string, long> _keyCounts = new(StringComparer.Ordinal);
    private readonly ILogger<ClusterState> _logger;
    private readonly KeyValueStore? _store;
    private readonly string? _stateFile;
    private readonly Dictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    // Relayed reports that a member failed, not applied here (see GossipRules); passed on to that member to refute.
    private readonly Dictionary<string, long> _suspicions = new(StringComparer.Ordinal);
    // Forgotten members and the incarnation they had: news of them at that incarnation or below is old news (as
    // Redis's forget blacklist). A member that comes back has a higher one. Bounded: the oldest go first.
    private readonly Dictionary<string, long> _forgotten = new(StringComparer.Ordinal);
    private readonly Queue<string> _forgottenOrder = new();
    private const int MaxForgotten = 10_000;
    private Member _self;
    // Where every slot should be (SlotPlanner's plan, agreed by epoch); null until this node has one.
    private SlotTarget? _target;
    private SlotTargetData? _targetEncoded;
    private volatile ClusterSnapshot _snapshot = null!;
    // The whole table as last encoded, and the table sequence it was encoded at.
    private SlotTableData? _encoded;
    private long _encodedSeq = -1;
    // Slot-table gossip sends changes, not the table (docs/cluster.md, "Spreading"). This node's stream (random per
    // process life, so an acknowledgement from a peer's memory of an earlier life is not taken for this one), per peer
    // how far it has acknowledged this node's table, and per peer how far this node has merged the peer's.
    private readonly long _stream = Random.Shared.NextInt64(1, long.MaxValue);
    private readonly Dictionary<string, long> _acked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Stream, long Seq)> _heard = new(StringComparer.Ordinal);
    private bool _dirty;
    // Members this node's failure detector suspects (PFAIL, "fail?" in CLUSTER NODES), and per peer the suspects its
    // last message listed: a member is failed when a majority of the serving members suspect it (docs/cluster.md,
    // "Failure detection").
    private readonly HashSet<string> _pfail = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _reportedBy = new(StringComparer.Ordinal);
    // False on a restart until the first peer's state is merged, so a stale saved plan is not the base of a new one.
    private bool _mayPlan = true;

    /// <param name="store">The keys to drop from slots this node takes over without their keys; null in tests of the rule alone.</param>
    public ClusterState(IOptions<PepperCacheOptions> options, ILogger<ClusterState> logger, KeyValueStore? store = null)
        : this(options, logger, store, newId: null)
    {
    }

    /// <param name="newId">The id a node without a saved one takes; null for a random one. Tests that replay a seeded
    /// scenario pass one, since ids decide the coordinator and the slot table's tie-break.</param>
    internal ClusterState(IOptions<PepperCacheOptions> options, ILogger<ClusterState> logger, KeyValueStore? store, string? newId)
    {
        _logger = logger;
        _store = store;
        var node = options.Value;
        var directory = node.DataDirectory;
        _stateFile = directory is null ? null : Path.Combine(directory, "nodes.json");
        var saved = NodeStateStore.Load(_stateFile, logger);
        if (saved is not null)
        {
            // A restart: same id, a higher incarnation, so every member takes this entry over the one it holds.
            // Out-of-range incarnations (a file written before gossip was checked) are dropped, not carried on.
            _self = new Member(saved.Id, node.Node, PlainPort(node), node.AdminPort, Math.Clamp(saved.Incarnation, 0, GossipRules.MaxIncarnation - 1) + 1, MemberStatus.Alive, node.TlsPort);
            foreach (var member in saved.Members.Where(m => m.Id != saved.Id && m.Incarnation is >= 1 and <= GossipRules.MaxIncarnation))
            {
                _members.Merge(member);
            }

            if (saved.Slots is not null && SlotTable.DecodeCopy(saved.Slots) is { } slots)
            {
                using (slots)
                {
                    _slots.Merge(slots);
                }
            }

            _target = SlotTarget.Decode(saved.Target);
            // Its saved plan may be old: it plans only once it has heard from a peer (or found them all failed).
            _mayPlan = false;

            IsReturning = _members.All.Any(m => m.IsServing);
            _synced = true;
        }
        else
        {
            _self = new Member(newId ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), node.Node, PlainPort(node), node.AdminPort, 1, MemberStatus.Alive, node.TlsPort);
            // A node started without --cluster founds a cluster of one and owns every slot; a joiner owns nothing
            // until it has the cluster's slot table.
            _synced = string.IsNullOrWhiteSpace(node.Cluster);
        }

        _members.Set(_self);
        Reconcile();
        // The id (and the new incarnation) must be on disk before anyone hears of it.
        SaveIfDirty();
        Log.NodeIdentity(logger, _self.Id, _self.Incarnation, _stateFile ?? "(not persisted)");
    }

    public ClusterNode Myself => _snapshot.Myself;

    public string MyId => _self.Id;

    /// <summary>The snapshot routing reads; replaced on membership changes.</summary>
    public ClusterSnapshot Snapshot => _snapshot;

    /// <summary>Whether this node has a slot table from the cluster (or founded it), so may reassign orphaned slots.</summary>
    /// <remarks>
    /// Published only after the routing snapshot built from that table: until then the snapshot takes this node for
    /// every slot's owner, and a reader that saw true with the old snapshot could move slots it does not own.
    /// </remarks>
    public bool Synced => _publishedSynced;

    // Under _lock; copied to _publishedSynced once the snapshot that reflects it is in place.
    private bool _synced;
    private volatile bool _publishedSynced;

    /// <summary>Restarted with a saved member set: it must take the cluster's state before it announces itself.</summary>
    public bool IsReturning { get; private set; }

    /// <summary>Bumped on every change (tests and diagnostics; gossip follows the slot table's own sequence).</summary>
    public int Version { get; private set; }

    public event Action? Changed;

    public ClusterNode OwnerOf(int slot) => _snapshot.Owners[slot];

    public ClusterNode DesiredOwnerOf(int slot) => _snapshot.Desired[slot];

    public MemberStatus MyStatus
    {
        get
        {
            lock (_lock)
            {
                return _self.Status;
            }
        }
    }

    public long CurrentEpoch
    {
        get
        {
            lock (_lock)
            {
                return _slots.MaxEpoch;
            }
        }
    }

    /// <summary>The plain cache port this node advertises: 0 when it serves TLS only.</summary>
    private static int PlainPort(PepperCacheOptions node) => node.PlainPortEnabled ? node.Port : 0;

    /// <summary>The ports Kestrel actually bound (they differ from the options when 0 was asked for); 0 for a port not served.</summary>
    public void SetAddress(int port, int adminPort, int tlsPort = 0)
    {
        lock (_lock)
        {
            if (_self.Port == port && _self.AdminPort == adminPort && _self.TlsPort == tlsPort)
            {
                return;
            }

            _self = _self with { Port = port, AdminPort = adminPort, TlsPort = tlsPort };
            _members.Set(_self);
            Reconcile();
        }

        RaiseChanged();
    }

    /// <summary>A consistent copy of the members, this node included.</summary>
    public Member[] Members()
    {
        lock (_lock)
        {
            return [.. _members.All];
        }
    }

    public long? KeyCountOf(string id)
    {
        lock (_lock)
        {
            return _keyCounts.TryGetValue(id, out var keys) ? keys : null;
        }
    }

    /// <summary>The epoch of the slot plan this node holds; 0 before it has one.</summary>
    public long PlanEpoch
    {
        get
        {
            lock (_lock)
            {
                return _target?.Epoch ?? 0;
            }
        }
    }

    /// <summary>
    /// Whether the plan this node holds still gives it slots. A leaving node waits until it does not: until then its
    /// slots' planned owner is itself, so the rebalancer has nothing to hand over.
    /// </summary>
    public bool PlannedForMe
    {
        get
        {
            lock (_lock)
            {
                return _target?.Members.Contains(_self.Id) == true;
            }
        }
    }

    /// <summary>
    /// Whether this node's slot table still names it the owner of any slot. A leaving node waits for none, not only
    /// for nothing left to move: a slot whose planned owner stopped serving (failed during the leave) is wanted here
    /// until the coordinator's next plan, so nothing is pending while this node still holds its keys.
    /// </summary>
    public bool HoldsSlots
    {
        get
        {
            lock (_lock)
            {
                for (var slot = 0; slot < HashSlot.SlotCount; slot++)
                {
                    if (string.Equals(_slots.OwnerOf(slot), _self.Id, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>
    /// Whether the plan this node holds gives <paramref name="slot"/> to another member it knows alive, while this node
    /// does not serve it: a hand-over of it here comes from a sender with another plan, and taken, it would be handed
    /// straight on (back) by this node's rebalancer (CLUSTER SETSLOT refuses it). A slot planned to a member that is
    /// not alive (leaving, failed) stays with whoever serves it, so taking it is no bounce.
    /// </summary>
    public bool PlansElsewhere(int slot) => PlansElsewhere(slot, out _);

    /// <inheritdoc cref="PlansElsewhere(int)"/>
    /// <param name="slot">The slot a hand-over names this node for.</param>
    /// <param name="planEpoch">The epoch of the plan this node holds (0 before it has one): the refusal tells the sender.</param>
    public bool PlansElsewhere(int slot, out long planEpoch)
    {
        lock (_lock)
        {
            planEpoch = _target?.Epoch ?? 0;
            return _target?.Owners[slot] is { } planned && planned != _self.Id && _slots.OwnerOf(slot) != _self.Id &&
                _members.Find(planned) is { Status: MemberStatus.Alive };
        }
    }

    /// <summary>Where the plan this node holds puts every slot (null entries before it has one); a copy.</summary>
    public string?[] PlannedOwners()
    {
        lock (_lock)
        {
            return _target is null ? new string?[HashSlot.SlotCount] : [.. _target.Owners];
        }
    }

    /// <summary>
    /// Each member's slot ranges, served now and in the plan this node holds, in one walk under the lock. For
    /// <c>GET /cluster/nodes</c>, which dashboards and tools poll: copying both tables for it put 384 KB on the
    /// large-object heap per call, and searching them once per member cost a string comparison per slot and member.
    /// </summary>
    public (Dictionary<string, List<SlotRange>> Serving, Dictionary<string, List<SlotRange>> Planned) SlotRangesByOwner()
    {
        lock (_lock)
        {
            return (SlotRange.ByOwner(_slots.Owners), _target is { } target ? SlotRange.ByOwner(target.Owners) : []);
        }
    }

    /// <summary>Slot owners and epochs, copied under the lock: the whole table, to compare members' tables.</summary>
    public (string?[] Owners, long[] Epochs) SlotOwners()
    {
        lock (_lock)
        {
            var owners = new string?[HashSlot.SlotCount];
            var epochs = new long[HashSlot.SlotCount];
            for (var slot = 0; slot < owners.Length; slot++)
            {
                owners[slot] = _slots.OwnerOf(slot);
                epochs[slot] = _slots.EpochOf(slot);
            }

            return (owners, epochs);
        }
    }

    /// <summary>
    /// Most slots a delta carries (8 bytes each before base64); with more changed, the whole table, Brotli-compressed,
    /// is about as small and costs the receiver one pass instead of thousands of entries.
    /// </summary>
    internal const int MaxDeltaSlots = 2048;

    /// <summary>
    /// This node's state as a gossip message. With <paramref name="includeSlots"/>, what the receiver lacks of the slot
    /// table: the slots changed since it last acknowledged this node's table (a delta, usually empty or a few slots),
    /// or the whole table when the receiver is unknown or new, has acknowledged nothing of this node's current life,
    /// is more than <see cref="MaxDeltaSlots"/> changes behind, or <paramref name="wholeTable"/> asks for it.
    /// </summary>
    /// <param name="to">The receiver, when known: a report that it failed, which this node did not apply, is passed on to it.</param>
    public GossipMessage CreateMessage(bool includeSlots, long keys, bool pull = false, string? to = null, bool wholeTable = false)
    {
        GossipMessage message;
        SlotTableCopy? copy = null;
        lock (_lock)
        {
            var sequence = _slots.Sequence;
            SlotTableData? encoded = null;
            SlotDeltaData? delta = null;
            if (includeSlots)
            {
                if (!wholeTable && to is not null && _acked.TryGetValue(to, out var acked))
                {
                    delta = _slots.EncodeDelta(acked, MaxDeltaSlots, to);
                }

                if (delta is null)
                {
                    // The table is compressed outside the lock (moves and routing wait on it), from a copy taken under it.
                    if (_encoded is not null && _encodedSeq == sequence)
                    {
                        encoded = _encoded;
                    }
                    else
                    {
                        copy = _slots.Copy();
                    }
                }
            }

            Member[] members = [.. _members.All];
            if (to is not null && _suspicions.TryGetValue(to, out var suspected))
            {
                var index = Array.FindIndex(members, m => m.Id == to);
                if (index >= 0 && members[index].IsServing && members[index].Incarnation <= suspected)
                {
                    members[index] = members[index] with { Incarnation = suspected, Status = MemberStatus.Failed };
                }
                else
                {
                    _suspicions.Remove(to);
                }
            }

            var heard = to is not null && _heard.TryGetValue(to, out var h) ? h : default;
            // The digest, the sequence and the slots sent are taken together: a receiver that holds all of them and
            // whose own table has not changed since compares digests (see Merge).
            message = new GossipMessage(
                _self.Id, members, DigestText(), encoded, keys, pull, _targetEncoded ??= _target?.Encode(), Reports(),
                _stream, sequence, delta, heard.Stream, heard.Seq);
        }

        if (copy is not null)
        {
            message = message with { Slots = EncodeAndKeep(copy) };
        }

        return message;
    }

    public string Digest
    {
        get
        {
            lock (_lock)
            {
                return DigestText();
            }
        }
    }

    /// <summary>Under the lock. The table keeps its digest up to date, so this is a format, not a pass over the slots.</summary>
    private string DigestText() => _slots.Digest().ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Merges a peer's state; returns whether this node's state changed.</summary>
    public bool Merge(GossipMessage message)
    {
        // Decompressed before taking the lock: moves (SETSLOT, AssignSlot) and routing wait on it, and on a loaded
        // machine every millisecond held stretches into many.
        using var slots = message.Slots is null ? null : SlotTable.DecodeCopy(message.Slots);
        return Merge(message, slots);
    }

    private bool Merge(GossipMessage message, SlotTableCopy? slots)
    {
        bool changed;
        var delta = message.Slots is null && message.Delta is not null ? SlotTable.DecodeDelta(message.Delta) : null;
        lock (_lock)
        {
            changed = false;
            _keyCounts[message.From] = message.Keys;
            foreach (var member in message.Members)
            {
                if (member.Id == _self.Id && message.From == _self.Id)
                {
                    // This node knows its own state; a message in its name is not its own.
                    continue;
                }

                if (_forgotten.TryGetValue(member.Id, out var forgottenAt) && member.Incarnation <= forgottenAt)
                {
                    continue;
                }

                var current = member.Id == _self.Id ? _self : _members.Find(member.Id);
                if (GossipRules.Check(member, message.From, current) is { } reason)
                {
                    if (reason == GossipRules.OnlyItselfLeaves)
                    {
                        Log.GossipEntryIgnoredQuietly(_logger, message.From, member.Id, member.Status.ToString(), member.Incarnation, reason);
                    }
                    else
                    {
                        Log.GossipEntryIgnored(_logger, message.From, member.Id, member.Status.ToString(), member.Incarnation, reason);
                    }

                    continue;
                }

                if (member.Id == _self.Id)
                {
                    // Someone says this node failed, or left, or knows an incarnation newer than ours (a previous
                    // life whose file was lost): refute it with a higher incarnation. A node that is leaving stays
                    // leaving; one that has left does not come back.
                    if (Member.Supersedes(member, _self) && _self.Status != MemberStatus.Left)
                    {
                        _self = _self with { Incarnation = checked(member.Incarnation + 1) };
                        _members.Set(_self);
                        Log.Refuted(_logger, member.Status.ToString(), _self.Incarnation);
                        changed = true;
                    }

                    continue;
                }

                if (GossipRules.IsSuspicion(member, current))
                {
                    // Not applied: this node's own failure detector decides. The member hears of it and refutes it.
                    _suspicions[member.Id] = Math.Max(member.Incarnation, _suspicions.GetValueOrDefault(member.Id));
                    continue;
                }

                if (_members.Merge(member))
                {
                    Log.MemberChanged(_logger, member.Id, member.Host, member.Port, member.Status.ToString(), member.Incarnation);
                    changed = true;
                }
            }

            var slotsChanged = false;
            List<int>? changedSlots = null;
            // A member's own messages (not one in this node's name, nor an unknown sender's) move the acknowledgements.
            var fromMember = message.From != _self.Id && _members.Find(message.From) is not null;
            var slotsTaken = false;
            if (slots is not null && AcceptsSlots(slots.MaxEpoch, message.From))
            {
                changedSlots = [];
                slotsChanged = _slots.Merge(slots, changedSlots, message.From) > 0;
                slotsTaken = true;
                if (fromMember && message.SlotStream != 0)
                {
                    _heard[message.From] = (message.SlotStream, message.SlotSeq);
                }
            }
            else if (delta is not null && AcceptsSlots(delta.MaxEpoch, message.From))
            {
                // Checked as a whole table is (GossipRules' epoch bound above, a malformed delta not decoded at all).
                changedSlots = [];
                slotsChanged = _slots.Merge(delta, changedSlots, message.From) > 0;
                slotsTaken = true;
                // The entries are true either way (merging is idempotent); this node holds all of the sender's table up
                // to SlotSeq only when the delta starts at or before what it had merged, in the same stream.
                if (fromMember && _heard.TryGetValue(message.From, out var heard) && heard.Stream == message.SlotStream &&
                    heard.Seq >= delta.Base && message.SlotSeq >= heard.Seq)
                {
                    _heard[message.From] = (message.SlotStream, message.SlotSeq);
                }
            }

            if (slotsTaken && !_synced && _slots.HasOwners)
            {
                _synced = true;
                changed = true;
            }

            if (fromMember)
            {
                // How far the sender has merged this node's table: deltas to it start there. An acknowledgement of an
                // earlier life's stream, or beyond this table's sequence (forged, or garbled), gets the whole table.
                if (message.AckStream == _stream && message.AckSeq >= 0 && message.AckSeq <= _slots.Sequence)
                {
                    _acked[message.From] = message.AckSeq;
                }
                else
                {
                    _acked.Remove(message.From);
                }
            }

            if (message.From != _self.Id && _members.Find(message.From) is not null)
            {
                _reportedBy[message.From] = message.Suspects ?? [];
                foreach (var suspect in _pfail.ToList())
                {
                    changed |= FailIfQuorum(suspect);
                }
            }

            // Most messages carry the plan this node has: compared by epoch and digest first, expanded only if newer.
            if (message.Target is { } data && SlotTarget.Beats(data, _target) && SlotTarget.Decode(data) is { } target)
            {
                _target = target;
                _targetEncoded = null;
                changed = true;
            }

            if (!_mayPlan && message.From != _self.Id)
            {
                // A returning node has now heard the cluster's plan (if any): it may plan from it.
                _mayPlan = true;
                changed = true;
            }

            if (changed || (slotsChanged && !TrySetOwners(changedSlots!)))
            {
                Reconcile();
            }

            changed |= slotsChanged;
            CheckTablesAgree(message, slotsTaken);
        }

        if (changed)
        {
            RaiseChanged();
        }

        return changed;
    }

    /// <summary>
    /// A safety net under the deltas. When this node holds all of the sender's table as of its message, the sender
    /// holds all of this node's, and this node's table has not changed since, the two tables are equal (each is the
    /// other merged in), so their digests must be. If they differ, something was lost: both sides forget what they
    /// acknowledged, so the next messages carry whole tables. Under the lock.
    /// </summary>
    private void CheckTablesAgree(GossipMessage message, bool slotsTaken)
    {
        if (slotsTaken && message.SlotStream != 0 &&
            _heard.TryGetValue(message.From, out var heard) && heard == (message.SlotStream, message.SlotSeq) &&
            message.AckStream == _stream && message.AckSeq == _slots.Sequence &&
            message.SlotsDigest != DigestText())
        {
            _heard.Remove(message.From);
            _acked.Remove(message.From);
            Log.SlotTablesDiffer(_logger, message.From);
        }
    }

    /// <summary>
    /// Slots merged from a peer (a move elsewhere) with nothing else changed: their entries in the routing snapshot are
    /// set in place, as <see cref="AssignSlot(int, string, long)"/> does, rather than rebuilding it. False (nothing
    /// done) when a slot needs the ownership rule: its new owner or its planned one does not serve.
    /// </summary>
    private bool TrySetOwners(List<int> changedSlots)
    {
        if (_target is null)
        {
            return false;
        }

        foreach (var slot in changedSlots)
        {
            if (_slots.OwnerOf(slot) is not { } owner || !_nodes.ContainsKey(owner) || _members.Find(owner) is not { IsServing: true } ||
                _members.Find(_target.Owners[slot]) is not { IsServing: true })
            {
                return false;
            }
        }

        foreach (var slot in changedSlots)
        {
            _snapshot.SetOwner(slot, _nodes[_slots.OwnerOf(slot)!]);
        }

        MarkDirty();
        return true;
    }

    /// <summary>
    /// The joiner could not reach its seed and serves alone: it founds a cluster of one (owning every slot), so it
    /// stops answering keyed commands with CLUSTERDOWN. Writes taken from now on are its own, not dropped later.
    /// </summary>
    public void GiveUpJoining()
    {
        lock (_lock)
        {
            if (_synced)
            {
                return;
            }

            _synced = true;
            _mayPlan = true;
            Reconcile();
        }

        RaiseChanged();
    }

    /// <summary>
    /// Drops a failed or departed member from the member table (CLUSTER FORGET, and the gossip loop after
    /// <c>ForgetAfter</c>). A member still serving, or named as a slot's owner, is kept: forgetting it would hand its
    /// slots to others while it still holds their keys. Reports of it at its incarnation or below are ignored from now
    /// on; a member that comes back (restart, refutation) has a higher incarnation and is taken again.
    /// </summary>
    public ForgetResult Forget(string id, string why)
    {
        lock (_lock)
        {
            if (id == _self.Id)
            {
                return ForgetResult.Myself;
            }

            if (_members.Find(id) is not { } member)
            {
                return ForgetResult.Unknown;
            }

            if (member.IsServing)
            {
                return ForgetResult.Serving;
            }

            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                if (_slots.OwnerOf(slot) == id)
                {
                    return ForgetResult.OwnsSlots;
                }
            }

            _members.Remove(id);
            _keyCounts.Remove(id);
            _heard.Remove(id);
            _acked.Remove(id);
            _suspicions.Remove(id);
            if (!_forgotten.ContainsKey(id))
            {
                _forgottenOrder.Enqueue(id);
                if (_forgottenOrder.Count > MaxForgotten)
                {
                    _forgotten.Remove(_forgottenOrder.Dequeue());
                }
            }

            _forgotten[id] = member.Incarnation;
            Log.MemberForgotten(_logger, id, member.Host, member.Port, member.Status.ToString(), why);
            Reconcile();
        }

        RaiseChanged();
        return ForgetResult.Forgotten;
    }

    /// <summary>
    /// What this node reports in gossip: the members it suspects, and those it has failed or seen leave (a failure is
    /// the strongest report, as Redis gossips FAIL; a peer that suspects the member too counts it towards its majority).
    /// A member that left is reported too: a peer that never got its Left push (a joiner the leaver did not know yet)
    /// does not take a relayed Left, and without these reports its suspicion never found a majority, so it kept the
    /// member alive for good (and as coordinator planned slots to it). Under the lock.
    /// </summary>
    private string[]? Reports()
    {
        var reports = _members.All.Where(m => m.Status is MemberStatus.Failed or MemberStatus.Left).Select(m => m.Id).Concat(_pfail).ToArray();
        return reports.Length == 0 ? null : reports;
    }

    /// <summary>Members this node suspects (PFAIL); a copy.</summary>
    public string[] Suspected()
    {
        lock (_lock)
        {
            return [.. _pfail];
        }
    }

    /// <summary>
    /// A member unreachable for the node timeout: suspected here (PFAIL), and failed once a majority of the serving
    /// members (this one included) suspect it, as their gossip says. In a cluster of two a majority is both, which a
    /// crash never gives, so there this node's own finding is enough, as before quorum.
    /// </summary>
    public void Suspect(string id)
    {
        bool changed;
        lock (_lock)
        {
            if (_members.Find(id) is not { IsServing: true } || id == _self.Id)
            {
                return;
            }

            changed = _pfail.Add(id);
            if (changed)
            {
                Log.MemberSuspected(_logger, id);
                Reconcile();
            }

            changed |= FailIfQuorum(id);
        }

        if (changed)
        {
            RaiseChanged();
        }
    }

    /// <summary>A suspected member answered: this node no longer suspects it.</summary>
    public void ClearSuspicion(string id)
    {
        lock (_lock)
        {
            if (!_pfail.Remove(id))
            {
                return;
            }

            Reconcile();
        }

        RaiseChanged();
    }

    /// <summary>Marks <paramref name="id"/> failed if this node suspects it and a majority of the serving members do. Under the lock.</summary>
    private bool FailIfQuorum(string id)
    {
        if (!_pfail.Contains(id) || _members.Find(id) is not { IsServing: true } member)
        {
            _pfail.Remove(id);
            return false;
        }

        var voters = _members.All.Where(m => m.IsServing).Select(m => m.Id).ToList();
        var reports = 1 + voters.Count(v => v != _self.Id && v != id && _reportedBy.TryGetValue(v, out var list) && list.Contains(id, StringComparer.Ordinal));
        var needed = voters.Count <= 2 ? 1 : (voters.Count / 2) + 1;
        if (reports < needed)
        {
            return false;
        }

        _pfail.Remove(id);
        _members.Merge(member with { Status = MemberStatus.Failed });
        Log.MemberFailed(_logger, id, member.Host, member.Port);
        _mayPlan = true;
        Reconcile();
        return true;
    }

    /// <summary>A member declared failed outright (tests, and the quorum above): mark it failed at its incarnation.</summary>
    public void MarkFailed(string id)
    {
        lock (_lock)
        {
            if (_members.Find(id) is not { IsServing: true } member)
            {
                return;
            }

            _members.Merge(member with { Status = MemberStatus.Failed });
            Log.MemberFailed(_logger, id, member.Host, member.Port);
            _mayPlan = true;
            Reconcile();
        }

        RaiseChanged();
    }

    /// <summary>This node's own status (leaving, left).</summary>
    public void SetMyStatus(MemberStatus status)
    {
        lock (_lock)
        {
            _self = _self with { Status = status };
            _members.Set(_self);
            Reconcile();
        }

        RaiseChanged();
    }

    public void AssignSlot(int slot, string nodeId) => AssignSlot(slot, nodeId, 0);

    /// <summary>The epoch of <paramref name="slot"/>'s current assignment in this node's table.</summary>
    public long EpochOf(int slot)
    {
        lock (_lock)
        {
            return _slots.EpochOf(slot);
        }
    }

    /// <summary>
    /// As <see cref="AssignSlot(int, string)"/>, at an epoch above <paramref name="atLeast"/> too: a hand-over
    /// carries the slot's epoch at the old owner, which this node may not have seen yet. Without it the new owner's
    /// epoch could fall below that older assignment, and gossip carrying it would take the slot away again.
    /// </summary>
    /// <returns>The epoch of the assignment (the one this node already had, if it already was the slot's owner).</returns>
    public long AssignSlot(int slot, string nodeId, long atLeast)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, HashSlot.SlotCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(atLeast, SlotTable.MaxEpochValue);
        long epoch;
        lock (_lock)
        {
            if (!_nodes.TryGetValue(nodeId, out var node))
            {
                throw new ArgumentException($"Unknown node {nodeId}", nameof(nodeId));
            }

            if (_slots.OwnerOf(slot) == nodeId && _slots.EpochOf(slot) > atLeast)
            {
                return _slots.EpochOf(slot);
            }

            // Not "already mine" when that entry is no newer than the sender's: a takeover by a member with a newer plan
            // (the slot's old owner left, and that member never heard where it went) can name this node at a low epoch
            // before the keys arrive. Answered as it was, the sender's record of the hand-over lost to its own entry:
            // it kept the slot, dropped its keys, and sent it again, empty, over the keys it had just sent.

            // Above every epoch this node knows, and two above the old owner's: a survivor that never heard of this
            // hand-over reassigns the slot of a failed or departed old owner at that owner's epoch + 1, and with +1
            // here the two tied, so a takeover for another planned owner (a newer plan) with a larger id won and
            // served the slot without its keys. With the gap the hand-over outranks any takeover made from the entry
            // it replaced. (At the very top of the epoch range the gap shrinks to one.)
            epoch = Math.Max(_slots.MaxEpoch, atLeast) + 1;
            ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, SlotTable.MaxEpochValue, nameof(atLeast));
            epoch = Math.Min(epoch + 1, SlotTable.MaxEpochValue);
            _slots.Merge(slot, nodeId, epoch);
            _snapshot.SetOwner(slot, node);
            MarkDirty();
        }

        RaiseChanged();
        return epoch;
    }

    /// <summary>
    /// The old owner's record of a hand-over, at the epoch the new owner took the slot at (its CLUSTER SETSLOT reply).
    /// One assignment, one epoch on both sides: were the old owner to record it at an epoch of its own, higher than
    /// the new owner's, that record would outrank the new owner's hand-over of the slot to a third node (sent with the
    /// new owner's lower epoch) and, gossiped, take the slot back to a node that no longer holds its keys.
    /// </summary>
    /// <returns>False when this node's table still names it the owner (an entry of its own outranks the epoch given): the slot is not handed over, and its keys must stay.</returns>
    public bool RecordHandOver(int slot, string nodeId, long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, HashSlot.SlotCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epoch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, SlotTable.MaxEpochValue);
        lock (_lock)
        {
            if (!_nodes.TryGetValue(nodeId, out var node))
            {
                throw new ArgumentException($"Unknown node {nodeId}", nameof(nodeId));
            }

            // Not merged only if this node already holds newer news of the slot (gossip got there first): that stands.
            if (!_slots.Merge(slot, nodeId, epoch))
            {
                return _slots.OwnerOf(slot) != _self.Id;
            }

            _snapshot.SetOwner(slot, node);
            MarkDirty();
        }

        RaiseChanged();
        return true;
    }

    /// <summary>Whether the member table knows <paramref name="nodeId"/> (CLUSTER SETSLOT's check).</summary>
    public bool IsKnown(string nodeId)
    {
        lock (_lock)
        {
            return _nodes.ContainsKey(nodeId);
        }
    }

    /// <summary>Writes <c>nodes.json</c> if anything changed since the last write.</summary>
    public void SaveIfDirty()
    {
        NodeStateFile state;
        SlotTableCopy? copy = null;
        lock (_lock)
        {
            if (!_dirty || _stateFile is null)
            {
                return;
            }

            _dirty = false;
            var current = _encoded is not null && _encodedSeq == _slots.Sequence;
            if (!current)
            {
                copy = _slots.Copy();
            }

            state = new NodeStateFile(_self.Id, _self.Incarnation, [.. _members.All], current ? _encoded : null, _targetEncoded ??= _target?.Encode());
        }

        if (copy is not null)
        {
            state = state with { Slots = EncodeAndKeep(copy) };
        }

        NodeStateStore.Save(_stateFile, state, _logger);
    }

    /// <summary>A slot table whose epochs are beyond any this cluster can reach is not merged (it would pin its slots).</summary>
    private bool AcceptsSlots(long maxEpoch, string from)
    {
        if (maxEpoch <= SlotTable.MaxEpochValue)
        {
            return true;
        }

        Log.GossipSlotsIgnored(_logger, from, "epoch out of range");
        return false;
    }

    private void MarkDirty()
    {
        _dirty = true;
        Version++;
    }

    private void RaiseChanged() => Changed?.Invoke();

    /// <summary>
    /// Who plans: the lowest id of the alive members the current plan gives slots to, so a joiner (however low its
    /// id) never plans its own join, and a member that only just appeared (perhaps not even synced, or not there at
    /// all) does not hold the cluster up; the lowest alive id when no plan member is alive (or there is no plan).
    /// </summary>
    private string Coordinator(List<string> sortedAlive)
    {
        if (_target is not null)
        {
            foreach (var id in sortedAlive)
            {
                if (_target.Members.Contains(id))
                {
                    return id;
                }
            }
        }

        return sortedAlive[0];
    }

    /// <summary>
    /// Compresses <paramref name="copy"/> of the slot table outside the lock and keeps it for the next whole-table
    /// message, unless the table changed meanwhile; gives the copy's arrays back.
    /// </summary>
    private SlotTableData EncodeAndKeep(SlotTableCopy copy)
    {
        SlotTableData encoded;
        using (copy)
        {
            encoded = copy.Encode();
        }

        lock (_lock)
        {
            if (_slots.Sequence == copy.Sequence)
            {
                _encoded = encoded;
                _encodedSeq = copy.Sequence;
            }
        }

        return encoded;
    }

    /// <summary>Applies the ownership rule and rebuilds the routing snapshot. Called under the lock.</summary>
    private void Reconcile()
    {
        var serving = _members.All.Where(m => m.IsServing).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var alive = _members.AliveIds();
        if (alive.Count == 0)
        {
            alive = serving.Count > 0 ? [.. serving] : [_self.Id];
        }

        alive.Sort(StringComparer.Ordinal);
        if (_synced && _mayPlan && Coordinator(alive) == _self.Id && _self.Status == MemberStatus.Alive && (_target is null || !_target.Members.SetEquals(alive)))
        {
            // This node is the coordinator: it plans the next table from the current plan (or, first, from who serves
            // what) at the next epoch, and gossip spreads it. Others only adopt higher epochs. If the coordinator
            // fails or leaves, it is no longer alive in any view, and the next one plans (a new epoch) without it.
            // A slot planned to a member that is gone counts as its owner's when a live member serves it: a joiner
            // that failed before it took its share leaves that share where it is, not dealt out afresh (which moved
            // a third of the slots between the two others of a three-member cluster whose third never took any).
            var live = alive.ToHashSet(StringComparer.Ordinal);
            var current = _target is null
                ? Enumerable.Range(0, HashSlot.SlotCount).Select(_slots.OwnerOf).ToArray()
                : [.. _target.Owners.Select((planned, slot) => live.Contains(planned) ? planned : _slots.OwnerOf(slot))];
            var epoch = Math.Min((_target?.Epoch ?? 0) + 1, SlotTable.MaxEpochValue);
            _target = SlotTarget.Plan(epoch, current, alive);
            _targetEncoded = null;
            Log.SlotPlanMade(_logger, epoch, alive.Count);
        }

        if (_synced && _target is not null)
        {
            var reassigned = 0;
            var mine = 0;
            long dropped = 0;
            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                var owner = _slots.OwnerOf(slot);
                var planned = _target.Owners[slot];
                // A slot whose owner is gone goes to its planned owner, if the plan names a serving one (else it
                // waits for the coordinator's next plan).
                if ((owner is null || !serving.Contains(owner)) && serving.Contains(planned))
                {
                    if (planned == _self.Id && owner != _self.Id)
                    {
                        // Taken over without its keys, so what this node holds of the slot is an old copy (a hand-over
                        // whose reply was lost, keys not yet swept, a pre-copy never handed over): served now, it
                        // would answer values older than writes the gone owner acknowledged. Dropped before the
                        // snapshot below names this node the owner.
                        dropped += _store?.DeleteSlot(slot) ?? 0;
                        mine++;
                    }

                    _slots.Merge(slot, planned, Math.Min(_slots.EpochOf(slot) + 1, SlotTable.MaxEpochValue));
                    reassigned += owner is null ? 0 : 1;
                }
            }

            if (reassigned > 0)
            {
                Log.SlotsReassigned(_logger, reassigned, mine, dropped);
            }
        }

        _nodes.Clear();
        foreach (var member in _members.All)
        {
            _nodes[member.Id] = member.ToNode();
        }

        var myself = _nodes[_self.Id];
        var aliveIds = _members.All.Where(m => m.Status == MemberStatus.Alive).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var owners = new ClusterNode[HashSlot.SlotCount];
        var desired = new ClusterNode[HashSlot.SlotCount];
        for (var slot = 0; slot < owners.Length; slot++)
        {
            owners[slot] = _slots.OwnerOf(slot) is { } owner && _nodes.TryGetValue(owner, out var node) ? node : myself;
            // Until this node has a plan (a joiner before it has joined), or where the plan names a member it
            // does not know as alive, a slot should stay where it is: nothing moves on a guess. A plan that gives
            // slots to a leaving member is older than its leave (the coordinator plans without it once it hears):
            // followed, a member that had not heard the newer plan yet handed the slots the leaver had just given it
            // straight back, and the leaver gave them again.
            desired[slot] = _target is not null && _nodes.TryGetValue(_target.Owners[slot], out var planned) && aliveIds.Contains(planned.Id) ? planned : owners[slot];
        }

        // Cut off from the majority (quorum needs three or more; a cluster of two keeps serving, as before quorum).
        var minority = serving.Count >= 3 && serving.Count - _pfail.Count(serving.Contains) < (serving.Count / 2) + 1;
        _snapshot = new ClusterSnapshot(myself, owners, desired, routing: serving.Count > 1, down: !_synced, minority);
        _publishedSynced = _synced;
        MarkDirty();
    }
}
