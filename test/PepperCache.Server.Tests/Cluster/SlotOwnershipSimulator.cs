using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// A seeded model of the slot-ownership protocol at the <see cref="ClusterState"/> level: no network and no clock, the
/// states exchange <see cref="ClusterState.CreateMessage"/>/<see cref="ClusterState.Merge"/> directly. Steps are
/// chosen by one <see cref="Random"/> (ids too), so a seed replays a scenario exactly. The simulator knows where each
/// slot's keys really are (they move with a hand-over, and are lost with a crash or a timed-out leave) and checks the
/// protocol against that (<see cref="Check"/>, <see cref="Quiesce"/>); the first broken invariant throws
/// <see cref="SimulationFailure"/> with the steps that led there.
/// </summary>
internal sealed class SlotOwnershipSimulator
{
    private const int MaxRunning = 6;
    private const int MinAlive = 2;
    private const int MaxLate = 40;

    private readonly Random _random;
    private readonly List<SimNode> _nodes = [];
    // Where each slot's keys are: a node id, or null while they are lost (a crash, a timed-out leave) until a
    // quiescent point finds the slot's agreed owner serving it afresh.
    private readonly string?[] _keysAt = new string?[HashSlot.SlotCount];
    // The entry (owner, epoch) of the hand-over that put the keys where they are: no table may hold one that outranks
    // it for another owner, or that owner wins the slot everywhere and serves it without its keys.
    private readonly long[] _keysEpoch = new long[HashSlot.SlotCount];
    private readonly List<(SimNode To, GossipMessage Message)> _late = [];
    private readonly List<string> _trace = [];
    // Per slot, what happened to it (hand-overs, lost keys): printed for the slot a failure names.
    private readonly Dictionary<int, List<string>> _history = [];
    private int _step;

    public SlotOwnershipSimulator(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    public int Seed { get; }

    /// <summary>Hand-overs whose CLUSTER SETSLOT reply is lost (the target took the slot, the old owner never hears it).</summary>
    public bool LoseReplies { get; init; }

    /// <summary>Leaves that time out and go with slots not handed over (their keys lost by design).</summary>
    public bool TimeOutLeaves { get; init; } = true;

    public int HandOvers { get; private set; }

    public int Joins { get; private set; }

    public int Leaves { get; private set; }

    public int Crashes { get; private set; }

    public int Quiescences { get; private set; }

    /// <summary>Founds a cluster, joins two more members, then runs <paramref name="steps"/> random steps and a final quiescent phase.</summary>
    public void Run(int steps)
    {
        var founder = NewNode(string.Empty);
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            _keysAt[slot] = founder.Id;
            _keysEpoch[slot] = founder.State.EpochOf(slot);
        }

        Join();
        Join();
        Check();
        for (_step = 1; _step <= steps; _step++)
        {
            Step();
        }

        Quiesce();
    }

    private IEnumerable<SimNode> Running => _nodes.Where(n => n.Running);

    private void Step()
    {
        StepCore();
        // The table entries are compared every few steps (an entry that outranks a hand-over stays until a higher one).
        Check(tables: _step % 4 == 0);
    }

    private void StepCore()
    {
        var roll = _random.Next(100);
        switch (roll)
        {
            case < 40:
                Gossip();
                break;
            case < 48:
                Replay();
                break;
            case < 73:
                HandOverBatch();
                break;
            case < 77:
                Join();
                break;
            case < 80:
                StartLeave();
                break;
            case < 86:
                FinishLeave(_random.Next(20) == 0 && TimeOutLeaves);
                break;
            case < 88:
                Crash();
                break;
            case < 99:
                DetectCrash();
                break;
            default:
                Quiesce();
                break;
        }
    }

    private SimNode NewNode(string cluster)
    {
        var id = Convert.ToHexStringLower(RandomBytes(20));
        var state = new ClusterState(
            Options.Create(new PepperCacheOptions { Port = 0, AdminPort = 0, Cluster = cluster }), NullLogger<ClusterState>.Instance, store: null, newId: id);
        var node = new SimNode(state, _nodes.Count);
        _nodes.Add(node);
        return node;
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private void Log(string what) => _trace.Add($"{_step,4}: {what}");

    private void History(int slot, string what)
    {
        if (!_history.TryGetValue(slot, out var list))
        {
            _history[slot] = list = [];
        }

        list.Add($"{_step,4}: {what}");
    }

    // --- steps ---

    private void Join()
    {
        var unsynced = Running.Where(n => !n.State.Synced).ToList();
        var members = Running.Where(n => n.State.Synced && n.State.MyStatus != MemberStatus.Leaving).ToList();
        if (members.Count == 0)
        {
            return;
        }

        SimNode joiner;
        if (unsynced.Count > 0 && _random.Next(2) == 0)
        {
            // A joiner whose /join reply was lost tries again.
            joiner = Pick(unsynced);
        }
        else if (Running.Count() < MaxRunning)
        {
            joiner = NewNode("seed");
            Joins++;
        }
        else
        {
            return;
        }

        var seed = Pick(members);
        Log($"join {joiner} through {seed}");
        Merge(seed, joiner.State.CreateMessage(includeSlots: false, 0), "join request");
        var reply = seed.State.CreateMessage(includeSlots: true, 0);
        if (_random.Next(10) == 0)
        {
            Log("  join reply lost");
            return;
        }

        Merge(joiner, reply, "join reply");
    }

    /// <summary>One exchange as GossipService makes it: a message with what the peer lacks, and its reply built from the acknowledgement.</summary>
    private void Gossip()
    {
        var senders = Running.Where(n => n.State.Synced).ToList();
        if (senders.Count < 2)
        {
            return;
        }

        var from = Pick(senders);
        var known = from.State.Members().Where(m => m.IsServing && m.Id != from.Id).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var targets = Running.Where(n => known.Contains(n.Id)).ToList();
        if (targets.Count == 0)
        {
            return;
        }

        Exchange(from, Pick(targets), reliable: false);
    }

    private bool Exchange(SimNode from, SimNode to, bool reliable)
    {
        var request = from.State.CreateMessage(includeSlots: true, 0, to: to.Id);
        if (!reliable && !Deliver(to, request, $"gossip {from} -> {to}"))
        {
            return false;
        }

        var changed = Merge(to, request, $"gossip {from} -> {to}");
        var reply = to.State.CreateMessage(includeSlots: true, 0, to: from.Id);
        if (!reliable && !Deliver(from, reply, $"reply {to} -> {from}"))
        {
            return changed;
        }

        return Merge(from, reply, $"reply {to} -> {from}") | changed;
    }

    /// <summary>Decides a message's fate: delivered now (true), dropped, or kept to be delivered late.</summary>
    private bool Deliver(SimNode to, GossipMessage message, string what)
    {
        var fate = _random.Next(10);
        if (fate == 0)
        {
            Log(what + " dropped");
            return false;
        }

        if (fate == 1)
        {
            Log(what + " delayed");
            _late.Add((to, message));
            if (_late.Count > MaxLate)
            {
                _late.RemoveAt(_random.Next(_late.Count));
            }

            return false;
        }

        return true;
    }

    private void Replay()
    {
        if (_late.Count == 0)
        {
            return;
        }

        var index = _random.Next(_late.Count);
        var (to, message) = _late[index];
        // Sometimes delivered twice (a retry).
        if (_random.Next(4) != 0)
        {
            _late.RemoveAt(index);
        }

        if (to.Running)
        {
            Merge(to, message, $"late message {Name(message.From)} -> {to}");
        }
    }

    /// <summary>
    /// As the rebalancer moves a batch: slots this node serves and the plan gives to one other node, each handed over
    /// with CLUSTER SETSLOT ... EPOCH (the target's AssignSlot) and recorded here at the epoch it answers.
    /// </summary>
    private void HandOverBatch()
    {
        var movers = Running.Where(n => n.State.Synced).ToList();
        if (movers.Count == 0)
        {
            return;
        }

        var giver = Pick(movers);
        var byTarget = Pending(giver).GroupBy(p => p.Target).ToList();
        if (byTarget.Count == 0)
        {
            return;
        }

        var group = Pick(byTarget).ToList();
        var start = _random.Next(group.Count);
        var count = 1 + _random.Next(Math.Min(64, group.Count - start));
        if (HandOver(giver, group[0].Target, group.GetRange(start, count).Select(p => p.Slot).ToList(), reliable: false) &&
            _random.Next(8) == 0)
        {
            // The giver crashes before gossip spreads its hand-overs: survivors take its slots over from older entries.
            Crash(giver);
        }
    }

    private List<(int Slot, string Target)> Pending(SimNode node)
    {
        var state = node.State;
        var pending = new List<(int, string)>();
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (state.OwnerOf(slot).Id == node.Id && state.DesiredOwnerOf(slot).Id is var desired && desired != node.Id)
            {
                pending.Add((slot, desired));
            }
        }

        return pending;
    }

    private bool HandOver(SimNode giver, string targetId, List<int> slots, bool reliable)
    {
        var target = _nodes.Single(n => n.Id == targetId);
        Log($"hand-over {giver} -> {target}: {slots.Count} slots from {slots[0]}");
        if (!target.Running)
        {
            Log("  target unreachable");
            return false;
        }

        if (!target.State.Synced)
        {
            Log("  TRYAGAIN: target not synced");
            return false;
        }

        var moved = false;
        foreach (var slot in slots)
        {
            if (target.State.OwnerOf(slot).Id == target.Id)
            {
                // PEPPER.IMPORT refuses a slot the target serves already: it is not frozen, not handed over.
                Log($"  slot {slot}: import refused, already served by {target}");
                continue;
            }

            if (target.State.PlansElsewhere(slot))
            {
                // CLUSTER SETSLOT refuses a slot the target's own plan does not give it (the giver's plan is newer or older).
                Log($"  slot {slot}: SETSLOT refused, {target}'s plan does not give it the slot");
                continue;
            }

            if (_keysAt[slot] is { } holder && holder != giver.Id)
            {
                Fail($"hand-over of slot {slot} by {giver}, which owns it in its table at epoch {giver.State.EpochOf(slot)}, but its keys are at {Name(holder)} (entry epoch {_keysEpoch[slot]}): it would hand over an empty or stale slot", slot);
            }

            var atLeast = giver.State.EpochOf(slot);
            var epoch = target.State.AssignSlot(slot, target.Id, atLeast);
            History(slot, $"handed over {giver} -> {target}: EPOCH {atLeast}, taken at {epoch}");
            _keysAt[slot] = target.Id;
            _keysEpoch[slot] = epoch;
            HandOvers++;
            moved = true;
            if (!reliable && LoseReplies && _random.Next(30) == 0)
            {
                Log($"  slot {slot}: SETSLOT reply lost (target took it at {epoch}); the batch ends");
                return true;
            }

            giver.State.RecordHandOver(slot, target.Id, epoch);
        }

        return moved;
    }

    private void StartLeave()
    {
        var alive = Running.Where(n => n.State.Synced && n.State.MyStatus == MemberStatus.Alive).ToList();
        if (alive.Count <= MinAlive)
        {
            return;
        }

        var leaver = Pick(alive);
        Log($"leave starts: {leaver}");
        leaver.State.SetMyStatus(MemberStatus.Leaving);
        Leaves++;
        Push(leaver, reliable: false);
    }

    /// <summary>
    /// As GossipService.LeaveAsync ends: once the node holds a plan without it (or no other member is alive) and has
    /// nothing left to move, it marks itself left, pushes that and exits. With <paramref name="timedOut"/>, it goes
    /// anyway, as when LeaveTimeout runs out: the keys of the slots it still holds are lost, by design.
    /// </summary>
    private bool FinishLeave(bool timedOut)
    {
        var leaving = Running.Where(n => n.State.MyStatus == MemberStatus.Leaving).ToList();
        if (leaving.Count == 0)
        {
            return false;
        }

        var leaver = Pick(leaving);
        return FinishLeave(leaver, timedOut);
    }

    private bool FinishLeave(SimNode leaver, bool timedOut)
    {
        var state = leaver.State;
        var othersAlive = state.Members().Any(m => m.Id != leaver.Id && m.Status == MemberStatus.Alive);
        if (!timedOut && ((state.PlannedForMe && othersAlive) || (state.HoldsSlots && othersAlive) || Pending(leaver).Count > 0))
        {
            return false;
        }

        var held = Enumerable.Range(0, HashSlot.SlotCount).Where(slot => _keysAt[slot] == leaver.Id).ToList();
        Log($"leave ends{(timedOut ? " (timed out)" : "")}: {leaver}, holding the keys of {held.Count} slots");
        if (held.Count > 0 && !timedOut)
        {
            var slot = held[0];
            Fail(slot: slot, what: $"{leaver} finished its leave (its plan: planned for it {state.PlannedForMe}, nothing pending) while it still holds the keys of {held.Count} slots, e.g. slot {slot}: its own table says owner {Name(state.OwnerOf(slot).Id)} desired {Name(state.DesiredOwnerOf(slot).Id)} at epoch {state.EpochOf(slot)}");
        }

        foreach (var slot in held)
        {
            History(slot, $"keys lost: {leaver} left");
            _keysAt[slot] = null;
        }

        state.SetMyStatus(MemberStatus.Left);
        Push(leaver, reliable: false);
        leaver.Gone = true;
        return true;
    }

    /// <summary>As PushAsync: one exchange with every member this node counts as serving.</summary>
    private void Push(SimNode from, bool reliable)
    {
        var known = from.State.Members().Where(m => m.IsServing && m.Id != from.Id).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var to in Running.Where(n => known.Contains(n.Id)).ToList())
        {
            Exchange(from, to, reliable);
        }
    }

    private void Crash(SimNode? victim = null)
    {
        // One crash at a time, until every survivor has failed it: a majority of detectors must remain.
        if (_nodes.Any(n => n.Crashed && Running.Any(r => IsServingIn(r, n.Id))))
        {
            return;
        }

        var alive = Running.Where(n => n.State.Synced && n.State.MyStatus == MemberStatus.Alive).ToList();
        if (alive.Count <= MinAlive + 1 || (victim is not null && !alive.Contains(victim)))
        {
            return;
        }

        victim ??= Pick(alive);
        var lost = 0;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (_keysAt[slot] == victim.Id)
            {
                History(slot, $"keys lost: {victim} crashed");
                _keysAt[slot] = null;
                lost++;
            }
        }

        Log($"crash: {victim} (the keys of {lost} slots lost)");
        victim.Crashed = true;
        Crashes++;
    }

    private static bool IsServingIn(SimNode viewer, string id) => viewer.State.Members().Any(m => m.Id == id && m.IsServing);

    /// <summary>
    /// A survivor's failure detector fires for a member that stopped answering and that it still counts as serving: a
    /// crashed one, or one that left while its Left push to this survivor was lost (PFAIL, then FAIL by majority).
    /// </summary>
    private void DetectCrash()
    {
        var pairs = Running.SelectMany(r => _nodes.Where(c => !c.Running && IsServingIn(r, c.Id)).Select(c => (r, c))).ToList();
        if (pairs.Count == 0)
        {
            return;
        }

        var (detector, silent) = Pick(pairs);
        Log($"detector: {detector} suspects {silent}");
        detector.State.Suspect(silent.Id);
    }

    /// <summary>
    /// Every detector fires, then everyone gossips with everyone (nothing lost), the movers move everything, and
    /// leavers finish, until nothing changes; then every member must agree, and every slot be where its keys are.
    /// </summary>
    public void Quiesce()
    {
        Log("quiesce");
        Quiescences++;
        var rounds = 0;
        bool changed;
        do
        {
            if (++rounds > 40)
            {
                Fail("no quiescence after 40 rounds of gossip and moves");
            }

            changed = false;
            foreach (var detector in Running.ToList())
            {
                foreach (var silent in _nodes.Where(c => !c.Running && IsServingIn(detector, c.Id)).ToList())
                {
                    detector.State.Suspect(silent.Id);
                    changed |= !IsServingIn(detector, silent.Id);
                }
            }

            foreach (var joiner in Running.Where(n => !n.State.Synced).ToList())
            {
                var seed = Running.First(n => n.State.Synced);
                Merge(seed, joiner.State.CreateMessage(includeSlots: false, 0), "join request");
                Merge(joiner, seed.State.CreateMessage(includeSlots: true, 0), "join reply");
                changed = true;
            }

            foreach (var from in Running.ToList())
            {
                foreach (var to in Running.Where(n => n != from).ToList())
                {
                    if (from.Running && to.Running)
                    {
                        changed |= Exchange(from, to, reliable: true);
                    }
                }
            }

            Check();
            foreach (var giver in Running.ToList())
            {
                foreach (var group in Pending(giver).GroupBy(p => p.Target))
                {
                    changed |= HandOver(giver, group.Key, [.. group.Select(p => p.Slot)], reliable: true);
                }
            }

            Check();
            foreach (var leaver in Running.Where(n => n.State.MyStatus == MemberStatus.Leaving).ToList())
            {
                changed |= FinishLeave(leaver, timedOut: false);
            }

            Check();
        }
        while (changed);

        CheckAgreement();
    }

    // --- invariants ---

    private bool Merge(SimNode to, GossipMessage message, string what)
    {
        var state = to.State;
        var owned = state.Synced ? OwnedBy(to) : null;
        var changed = state.Merge(message);
        if (owned is null || !state.Synced)
        {
            return changed;
        }

        // (2) A node never takes a slot through gossip alone while the slot's keys are at another live member and the
        // entry it took outranks that member's hand-over: then the slot leaves its keys everywhere. (A takeover from a
        // stale view is let pass while it is outranked: the keys' holder's entry wins once it arrives.)
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (!owned[slot] && state.OwnerOf(slot).Id == to.Id && _keysAt[slot] is { } holder && holder != to.Id &&
                Outranks(to.Id, state.EpochOf(slot), holder, _keysEpoch[slot]))
            {
                Fail($"{what}: {to} took slot {slot} at epoch {state.EpochOf(slot)} through Merge, but its keys are at {Name(holder)}, handed over at epoch {_keysEpoch[slot]}", slot);
            }
        }

        return changed;
    }

    private static bool[] OwnedBy(SimNode node)
    {
        var owned = new bool[HashSlot.SlotCount];
        for (var slot = 0; slot < owned.Length; slot++)
        {
            owned[slot] = node.State.OwnerOf(slot).Id == node.Id;
        }

        return owned;
    }

    /// <summary>Whether the table entry (owner, epoch) beats (other, otherEpoch), as SlotTable.Merge decides.</summary>
    private static bool Outranks(string owner, long epoch, string other, long otherEpoch) =>
        epoch > otherEpoch || (epoch == otherEpoch && string.CompareOrdinal(owner, other) > 0);

    /// <summary>After every step: the invariants that must hold at any moment.</summary>
    private void Check(bool tables = true)
    {
        var running = Running.Where(n => n.State.Synced).ToList();
        var entries = tables ? running.Select(n => n.State.SlotOwners()).ToList() : null;
        var serving = running.Select(n => n.State.MyStatus is MemberStatus.Alive or MemberStatus.Leaving).ToList();
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (_keysAt[slot] is not { } holder)
            {
                continue;
            }

            // (4) No two live members both believe they own a slot whose keys are at neither: both would answer nil.
            var believers = 0;
            var holderBelieves = false;
            for (var i = 0; i < running.Count; i++)
            {
                var node = running[i];
                if (serving[i] && node.State.OwnerOf(slot).Id == node.Id)
                {
                    believers++;
                    holderBelieves |= node.Id == holder;
                }
            }

            if (believers > 1 && !holderBelieves)
            {
                var all = running.Where((n, i) => serving[i] && n.State.OwnerOf(slot).Id == n.Id).Select(n => n.ToString());
                Fail($"split brain: {string.Join(" and ", all)} all serve slot {slot}, whose keys are at {Name(holder)}", slot);
            }

            for (var i = 0; i < running.Count && entries is not null; i++)
            {
                var node = running[i];
                // (2') No table holds an entry that outranks the hand-over that put the keys where they are, for another owner.
                var (owners, epochs) = entries[i];
                if (owners[slot] is { } owner && owner != holder && Outranks(owner, epochs[slot], holder, _keysEpoch[slot]))
                {
                    Fail($"{node}'s table gives slot {slot} to {Name(owner)} at epoch {epochs[slot]}, outranking the hand-over of its keys to {Name(holder)} at epoch {_keysEpoch[slot]}: the slot would leave its keys everywhere", slot);
                }
            }
        }
    }

    /// <summary>At quiescence: (1) one owner per slot in every view, the node holding the keys; (3) serving; the plan agreed and carried out.</summary>
    private void CheckAgreement()
    {
        var running = Running.ToList();
        var unsynced = running.FirstOrDefault(n => !n.State.Synced);
        if (unsynced is not null)
        {
            Fail($"at quiescence {unsynced} is not synced");
        }

        var leaving = running.FirstOrDefault(n => n.State.MyStatus == MemberStatus.Leaving);
        if (leaving is not null)
        {
            var held = Enumerable.Range(0, HashSlot.SlotCount).FirstOrDefault(slot => leaving.State.OwnerOf(slot).Id == leaving.Id, -1);
            var views = string.Join("; ", running.Select(n => $"{n} sees " + string.Join(" ", n.State.Members().Select(m => $"{Name(m.Id)}:{m.Status}"))));
            Fail($"at quiescence {leaving} is still leaving (planned for it: {leaving.State.PlannedForMe}, pending {Pending(leaving).Count}, holds slots {leaving.State.HoldsSlots}); {views}", held);
        }

        var planEpochs = running.Select(n => n.State.PlanEpoch).Distinct().ToList();
        if (planEpochs.Count != 1)
        {
            Fail($"at quiescence the members hold plans of epochs {string.Join(", ", planEpochs)}");
        }

        var first = running[0];
        var (owners, epochs) = first.State.SlotOwners();
        var runningIds = running.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var node in running.Skip(1))
        {
            var (theirs, theirEpochs) = node.State.SlotOwners();
            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                if (theirs[slot] != owners[slot] || theirEpochs[slot] != epochs[slot])
                {
                    Fail($"at quiescence {first} says slot {slot} is {Name(owners[slot])}'s at {epochs[slot]}, {node} says {Name(theirs[slot])}'s at {theirEpochs[slot]}", slot);
                }
            }
        }

        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            var owner = owners[slot];
            if (owner is null || !runningIds.Contains(owner))
            {
                Fail($"at quiescence slot {slot} is owned by {Name(owner)}, which is not a live member (3)", slot);
            }

            foreach (var node in running)
            {
                if (node.State.DesiredOwnerOf(slot).Id != owner)
                {
                    Fail($"at quiescence slot {slot} is {Name(owner)}'s but {node} wants it at {Name(node.State.DesiredOwnerOf(slot).Id)}", slot);
                }
            }

            if (_keysAt[slot] is { } holder && holder != owner)
            {
                Fail($"at quiescence slot {slot} is {Name(owner)}'s at epoch {epochs[slot]} in every view, but its keys are at {Name(holder)} (handed over at {_keysEpoch[slot]}) (1)", slot);
            }

            if (_keysAt[slot] is null)
            {
                // Lost keys: the owner everyone agrees on serves the slot afresh from now on.
                _keysAt[slot] = owner;
                _keysEpoch[slot] = epochs[slot];
                History(slot, $"served afresh by {Name(owner)} at {epochs[slot]}");
            }
        }
    }

    private string Name(string? id)
    {
        if (id is null)
        {
            return "(none)";
        }

        var node = _nodes.FirstOrDefault(n => n.Id == id);
        return node is null ? id[..8] : node.ToString();
    }

    private void Fail(string what, int slot = -1)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"seed {Seed}, step {_step}: {what}\n");
        text.Append("members: ").AppendJoin(", ", _nodes.Select(n => $"{n}={n.Id[..8]}{(n.Crashed ? " crashed" : n.Gone ? " left" : n.Running ? " " + n.State.MyStatus : "")}")).Append('\n');
        if (slot >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"slot {slot} now:");
            foreach (var node in Running)
            {
                text.Append(CultureInfo.InvariantCulture, $" {node}: {Name(node.State.SlotOwners().Owners[slot])}@{node.State.EpochOf(slot)} (plan {node.State.PlanEpoch}: {Name(node.State.PlannedOwners()[slot])});");
            }

            text.Append(CultureInfo.InvariantCulture, $"\nslot {slot} history:\n");
            foreach (var line in _history.GetValueOrDefault(slot) ?? [])
            {
                text.Append(line).Append('\n');
            }
        }

        text.Append("last steps:\n");
        foreach (var line in _trace.TakeLast(60))
        {
            text.Append(line).Append('\n');
        }

        throw new SimulationFailure(text.ToString());
    }

    private sealed class SimNode(ClusterState state, int number)
    {
        public ClusterState State { get; } = state;

        public string Id { get; } = state.MyId;

        public bool Crashed { get; set; }

        public bool Gone { get; set; }

        public bool Running => !Crashed && !Gone;

        public override string ToString() => "n" + number.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>A broken invariant, with the seed and the steps that led to it.</summary>
internal sealed class SimulationFailure(string message) : Exception(message);
