using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using PepperCache.Client;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Cluster;

// Moving slots to one target node.
internal sealed partial class RebalanceService
{
    /// <summary>Keys (or pieces) per PEPPER.IMPORT command; a slot with more is sent in several (RESET, then APPEND). See also <see cref="ImportCommandBytes"/>.</summary>
    internal const int ImportChunkKeys = 10_000;

    /// <summary>Most slots holding keys pre-copied in one batch (one pipelined exchange with the target).</summary>
    internal const int SlotsPerBatch = 64;

    /// <summary>
    /// Most slots in one batch, empty ones included. Empty slots cost a batch no export and no comparison, only their
    /// RESET and SETSLOT in its pipelined writes; batched 64 at a time, a cluster forming with no keys made 171
    /// batches of hops through the move thread, and with that thread at nice 19 on a busy machine it took 30-60 s.
    /// </summary>
    internal const int MaxSlotsPerBatch = 1024;

    /// <summary>
    /// Most slots holding keys frozen at once (empty slots join the group for free, up to a whole batch). Whatever the
    /// mover does while slots are frozen (compare, SETSLOT, record the owner) grows with their keys, and every command
    /// on any of them waits for all of it; smaller groups cost a round trip each but keep each slot frozen for less.
    /// Empty slots cost no comparison, and a node handing over thousands of them (a leave from an empty cluster)
    /// must not pay a round trip per 8.
    /// </summary>
    internal const int SlotsPerFreeze = 8;

    /// <summary>A batch takes more slots only while it holds fewer keys than this, which bounds what one pre-copy holds in memory and sends.</summary>
    internal const int KeysPerBatch = 20_000;

    /// <summary>Longest a batch may stay frozen waiting for the target before the move is abandoned and retried later.</summary>
    private static readonly TimeSpan BatchMoveTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Slots sent again while frozen because they changed after their pre-copy; for tests and diagnostics.</summary>
    internal long SlotsResent;

    /// <summary>Slots handed over with their pre-copy alone; for tests and diagnostics.</summary>
    internal long SlotsKeptFromPreCopy;

    /// <summary>Slots a target emptied again at this node's word after an attempt it refused some of; for tests and diagnostics.</summary>
    internal long SlotsTakenBack;

    /// <summary>Called with a batch's slots between their pre-copy and their freeze; tests write to them there.</summary>
    internal Action<IReadOnlyList<int>>? PreCopied { get; set; }

    /// <summary>Freeze groups whose CLUSTER SETSLOT replies may be outstanding at once (each holds at most <see cref="SlotsPerFreeze"/> slots with keys frozen).</summary>
    internal const int GroupsInFlight = 4;

    /// <summary>
    /// Moves <paramref name="slots"/> to <paramref name="target"/> in batches, over two connections: the bulk one
    /// carries the pre-copies, the other the hand-overs, so a batch's SETSLOT replies never queue behind the next
    /// batch's keys. The next batch is pre-copied while the current one is handed over.
    /// </summary>
    private async Task MoveToAsync(ClusterNode target, List<int> slots, CancellationToken cancellationToken)
    {
        var view = _view;
        Interlocked.Increment(ref _activeMoves);
        try
        {
            var connection = await OpenAsync(target, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var bulk = await OpenAsync(target, cancellationToken).ConfigureAwait(false);
                await using (bulk.ConfigureAwait(false))
                {
                    // Batch sizes only: counts a moment old are good enough.
                    var counts = new int[HashSlot.SlotCount];
                    var store = _server.Store;
                    // Shard by shard: the store reads a shard (until it has met the slots' keys) to export, compare or
                    // delete any of its slots, so the slots of one shard (every 256th) go in the same batch and, mostly,
                    // the same freeze group, and share those passes. The slot table is fragmented while the move runs,
                    // and whole again after it. The counts are the shards' counters; the sort goes with them.
                    var toMove = slots;
                    slots = await MoveScheduler.RunAsync(
                        () =>
                        {
                            store.CountKeysPerSlot(counts);
                            return (List<int>)[.. toMove.OrderBy(store.ShardIndexOfSlot).ThenBy(slot => slot)];
                        },
                        cancellationToken).ConfigureAwait(false);
                    var next = 0;
                    (List<int> Slots, long Keys) NextBatch()
                    {
                        // The map may have changed since the round began: move only what is still ours and still theirs.
                        var batch = new List<int>(SlotsPerBatch);
                        var keys = 0L;
                        var withKeys = 0;
                        for (; next < slots.Count && withKeys < SlotsPerBatch && batch.Count < MaxSlotsPerBatch && keys < KeysPerBatch; next++)
                        {
                            var slot = slots[next];
                            if (view.OwnerOf(slot).Id == view.Myself.Id && view.DesiredOwnerOf(slot).Id == target.Id)
                            {
                                batch.Add(slot);
                                keys += counts[slot];
                                withKeys += counts[slot] > 0 ? 1 : 0;
                            }
                        }

                        return (batch, keys);
                    }

                    // A batch of slots that held no keys when counted has nothing to yield the CPU for (RESETs only).
                    // Paced first (MovePacer): the wait holds back this pre-copy only, not the hand-over running beside it.
                    // The move has been busy since its last wait (or its start): the pacer's duty is a share of that.
                    var resumedAt = _time.GetTimestamp();
                    async Task<(Dictionary<int, SlotCopy> Accepted, string? FirstRefusal, bool NotSynced)> StartPreCopy((List<int> Slots, long Keys) batch)
                    {
                        var leaving = _server.Cluster is { MyStatus: MemberStatus.Leaving };
                        await _pacer.WaitAsync(batch.Keys, _time.GetElapsedTime(resumedAt), leaving, cancellationToken).ConfigureAwait(false);
                        resumedAt = _time.GetTimestamp();
                        return await MoveScheduler.StartAsync(() => PreCopyAsync(bulk, batch.Slots, cancellationToken), cancellationToken, light: batch.Keys == 0).ConfigureAwait(false);
                    }

                    var (current, currentKeys) = NextBatch();
                    var preCopy = current.Count > 0 ? StartPreCopy((current, currentKeys)) : null;
                    // The batch preCopy is copying, for the take-back below.
                    var preCopying = current;
                    try
                    {
                        while (preCopy is not null)
                        {
                            var copied = await preCopy.ConfigureAwait(false);
                            var (following, followingKeys) = NextBatch();
                            // Started before this batch's hand-over, on another thread (the export is synchronous work):
                            // its keys travel while this batch's slots are frozen. Not after a refusal, which ends the attempt.
                            preCopy = following.Count > 0 && copied.FirstRefusal is null ? StartPreCopy((following, followingKeys)) : null;
                            preCopying = following;
                            await MoveSlotsAsync(connection, current, copied, target, cancellationToken).ConfigureAwait(false);
                            current = following;
                        }
                    }
                    finally
                    {
                        // A refused batch ends the attempt; the pre-copy already under way is let finish (its failure,
                        // if any, is the first one's), then taken back, what it refused too (a slot's first command may
                        // have been taken before an OOM): those slots stay here, and keys the target holds for a slot it
                        // does not serve would count twice until its stray sweep.
                        if (preCopy is not null)
                        {
                            await ((Task)preCopy).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                            if (preCopy.IsCompletedSuccessfully)
                            {
                                Interlocked.Add(ref SlotsTakenBack, await TakeBackPreCopyAsync(bulk, preCopying, cancellationToken).ConfigureAwait(false));
                            }
                        }
                    }
                }
            }

            _backoff.TryRemove(target.Id, out _);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (ex is SlotsRefusedException { TargetLacksView: true } lacking && await TrySendViewAsync(target, lacking, cancellationToken).ConfigureAwait(false))
            {
                // No backoff: the next round, at once, moves the slots again, to a target that has this node's plan now
                // (the loop would otherwise sleep until another target's backoff ends, or the idle poll).
                Wake();
                return;
            }

            var delay = _backoff.TryGetValue(target.Id, out var previous)
                ? TimeSpan.FromTicks(Math.Min(previous.Delay.Ticks * 2, MaxBackoff.Ticks))
                : MinBackoff;
            Interlocked.Increment(ref FailedMoves);
            _backoff[target.Id] = new Backoff(_time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency), delay);
            if (ex is SlotsRefusedException { TargetNotSynced: true })
            {
                // The joiner heard of the move before it had the slot table, and sending it this node's view did not
                // help (unreachable on its admin port, or sent once already for this plan).
                Log.RebalanceTargetNotReady(_logger, target.Id, $"{target.Host}:{target.Port}", (long)delay.TotalMilliseconds);
            }
            else
            {
                Log.RebalanceTargetFailed(_logger, target.Id, $"{target.Host}:{target.Port}", (long)delay.TotalMilliseconds, ex.Message);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _activeMoves);
        }
    }

    /// <summary>A connection to <paramref name="target"/>, authenticated for PEPPER.IMPORT and CLUSTER SETSLOT.</summary>
    private async Task<RespConnection> OpenAsync(ClusterNode target, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            // The password first (a node with requirepass answers NOAUTH to anything else), then the cluster secret.
            await AuthenticatePasswordAsync(connection).ConfigureAwait(false);
            await AuthenticateAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The target's plain port, or with <c>--tls-cluster yes</c> its TLS port over TLS (this node's certificate as the
    /// client certificate, the target's checked against the CA). A target with no port of that kind fails the move.
    /// </summary>
    private Task<RespConnection> ConnectAsync(ClusterNode target, CancellationToken cancellationToken)
    {
        if (_tls is null)
        {
            return target.Port != 0
                ? RespConnection.ConnectAsync(target.Host, target.Port, cancellationToken)
                : throw new RespConnectionException($"{target.Host} serves TLS only (tls-port {target.TlsPort}) and --tls-cluster is not set here");
        }

        return target.TlsPort != 0
            ? RespConnection.ConnectAsync(target.Host, target.TlsPort, _tls.ClientOptions(target.Host), cancellationToken)
            : throw new RespConnectionException($"{target.Host}:{target.Port} has no tls-port, and --tls-cluster yes moves slots over TLS only");
    }

    /// <summary>
    /// With a requirepass, the target asks for it before PEPPER.IMPORT and CLUSTER SETSLOT: the mover authenticates
    /// as the default user with this node's requirepass (members of a cluster share it, as they share the cluster
    /// secret). A refusal fails the move, which is retried after the usual back-off.
    /// </summary>
    private async Task AuthenticatePasswordAsync(RespConnection connection)
    {
        var password = _server.Acl.RequirePass;
        if (password.Length == 0)
        {
            return;
        }

        var reply = await connection.ExecuteAsync("AUTH", password).ConfigureAwait(false);
        if (reply.IsError)
        {
            throw new InvalidOperationException("the target refused this node's requirepass: " + reply.Text);
        }
    }

    /// <summary>
    /// Hands <paramref name="slots"/> to <paramref name="target"/>, once their pre-copy (<paramref name="copied"/>: their
    /// keys, values and absolute expiries, sent with PEPPER.IMPORT ... RESET while the slots were still served here) is
    /// acknowledged. Then, <see cref="SlotsPerFreeze"/> slots with keys at a time, freeze them here, send again, with
    /// RESET, only the slots that changed since their pre-copy (a write, a delete, an expiry change), make the target
    /// their owner with CLUSTER SETSLOT, and, as each reply comes, record that here, unfreeze, drop the local copy. Up
    /// to <see cref="GroupsInFlight"/> groups overlap, so the mover does not wait a round trip per group, and each slot
    /// stays frozen for about one round trip. Commands on the slots wait meanwhile and then follow the MOVED to the
    /// target, so no reader sees a gap and no acknowledged write can be overwritten by the moving copy. A slot whose
    /// SETSLOT did not succeed stays here, unfrozen, and is moved again later (its import starts with RESET, so that is
    /// safe).
    /// </summary>
    private async Task MoveSlotsAsync(
        RespConnection connection, List<int> slots, (Dictionary<int, SlotCopy> Accepted, string? FirstRefusal, bool NotSynced) copied, ClusterNode target, CancellationToken cancellationToken)
    {
        var (preCopies, refusal, notSynced) = copied;
        PreCopied?.Invoke(slots);

        // A slot whose pre-copy the target refused (not synced yet, already serving it) is not frozen for nothing.
        var notMoved = slots.Count - preCopies.Count;
        var group = new List<int>(SlotsPerBatch);
        var withKeys = 0;
        // Groups overlap: the next is frozen and handed over while the previous ones' SETSLOT replies are on their way.
        var inFlight = new Queue<Task<(int Refused, string? Reason, bool NotPlanned)>>();
        var notPlanned = false;
        try
        {
            for (var i = 0; i < slots.Count; i++)
            {
                if (preCopies.TryGetValue(slots[i], out var copy))
                {
                    group.Add(slots[i]);
                    withKeys += copy.Entries.Count > 0 ? 1 : 0;
                }

                if (group.Count > 0 && (withKeys == SlotsPerFreeze || i == slots.Count - 1))
                {
                    inFlight.Enqueue(await HandOverAsync(connection, [.. group], preCopies, target, cancellationToken).ConfigureAwait(false));
                    group.Clear();
                    withKeys = 0;
                    while (inFlight.Count >= GroupsInFlight)
                    {
                        var (refused, reason, elsewhere) = await inFlight.Dequeue().ConfigureAwait(false);
                        notMoved += refused;
                        refusal ??= reason;
                        notPlanned |= elsewhere;
                    }
                }
            }
        }
        finally
        {
            // Every group started is seen through (its slots unfrozen), even when a later one failed.
            while (inFlight.Count > 0)
            {
                var completion = inFlight.Dequeue();
                await ((Task)completion).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (completion.IsCompletedSuccessfully)
                {
                    notMoved += completion.Result.Refused;
                    refusal ??= completion.Result.Reason;
                    notPlanned |= completion.Result.NotPlanned;
                }
            }
        }

        if (notMoved > 0)
        {
            // What the target took of the slots it did not take over (a pre-copy before its refusal, the part of a slot
            // accepted before an OOM, a large collection's first pieces) is taken back now: under noeviction it would
            // keep the target over its limit, refusing its own clients' writes, until the stray sweep 30 s on. The
            // target refuses RESET for a slot it serves, so a slot it did take over keeps its keys. Not after a joiner's
            // TRYAGAIN to every pre-copy (each join meets it once): it refused them all before they ran.
            var targetNotSynced = notSynced && preCopies.Count == 0;
            var kept = targetNotSynced ? [] : slots.Where(slot => _view.OwnerOf(slot).Id != target.Id).ToList();
            var emptied = await TakeBackPreCopyAsync(connection, kept, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref SlotsTakenBack, emptied);
            throw new SlotsRefusedException(
                $"{notMoved} of {slots.Count} slots were refused by the target (first: {refusal}); {emptied} of the {kept.Count} slots kept here emptied at the target",
                targetNotSynced: targetNotSynced,
                targetPlanLags: notPlanned);
        }
    }

    /// <summary>
    /// Sends <paramref name="target"/>, which refused slots for want of this node's plan or slot table, this node's
    /// view (one gossip exchange; its reply brings the target's, so whichever of the two plans is older is replaced),
    /// once per target and plan. True when it was sent: the slots are moved again at once, not after a backoff.
    /// </summary>
    private async Task<bool> TrySendViewAsync(ClusterNode target, SlotsRefusedException refused, CancellationToken cancellationToken)
    {
        var planEpoch = _view.PlanEpoch;
        if (_viewPush is null || (_viewSentAt.TryGetValue(target.Id, out var sentAt) && sentAt == planEpoch))
        {
            return false;
        }

        _viewSentAt[target.Id] = planEpoch;
        if (!await _viewPush.SendAsync(target, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Interlocked.Increment(ref PlanPushes);
        Log.RebalanceTargetSentView(_logger, target.Id, $"{target.Host}:{target.Port}", planEpoch, _view.PlanEpoch, refused.Message);
        return true;
    }

    /// <summary>A SETSLOT refusal from a target whose plan gives the slot to another member it knows alive (CLUSTER SETSLOT's TRYAGAIN).</summary>
    private static bool IsNotPlannedThere(string? refusal) =>
        refusal is not null && refusal.StartsWith("TRYAGAIN ", StringComparison.Ordinal) &&
        refusal.Contains(" is not planned to this node ", StringComparison.Ordinal);

    /// <summary>
    /// Freezes <paramref name="group"/>, sends again the slots that changed since their pre-copy, and sends CLUSTER
    /// SETSLOT for the group without waiting for the replies. The task returned completes the hand-over as they come:
    /// each slot is unfrozen as soon as it is recorded as the target's, and its local keys are dropped after that,
    /// outside the freeze (commands on the slot are redirected by then).
    /// </summary>
    /// <returns>A task for the rest: how many slots stayed here because the target refused them, the first refusal, and
    /// whether any SETSLOT was refused because the target's plan gives the slot to another member.</returns>
    private async Task<Task<(int Refused, string? Reason, bool NotPlanned)>> HandOverAsync(
        RespConnection connection, List<int> group, Dictionary<int, SlotCopy> preCopies, ClusterNode target, CancellationToken cancellationToken)
    {
        var migration = _server.Migration;
        var frozen = new List<int>(group.Count);
        foreach (var slot in group)
        {
            // What was pre-copied is handed over even if the plan changed meanwhile (the target then moves it on, keys
            // and all): leaving it here would leave the pre-copy at the target as stray keys until the import grace ends.
            if (migration.TryFreeze(slot))
            {
                frozen.Add(slot);
                // Clients blocked on its keys run again, so they wait for the move and are then redirected.
                _server.Blocking.WakeSlot(slot);
            }
        }

        var frozenAt = Stopwatch.GetTimestamp();
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = false;
        try
        {
            timeout.CancelAfter(BatchMoveTimeout);
            await SlotMigrationState.QuiesceAsync(_server.Clients, timeout.Token).ConfigureAwait(false);
            var quiescedAt = Stopwatch.GetTimestamp();

            // The imports of slots that changed since their pre-copy (rare: a write while the batch waited) are waited
            // for before their SETSLOT: a target that refused an import, say for a disk error, must not become the
            // owner of a slot it lacks. Unchanged slots' SETSLOT goes at once.
            var imports = new List<(int Index, Task<RespReply> Reply)>();
            var counts = new (int Keys, long Bytes)[frozen.Count];
            var slotTexts = new byte[frozen.Count][];
            var resentSlot = new bool[frozen.Count];
            var store = _server.Store;
            // One pass per shard for the group (its slots mostly share one or two shards), not one per slot.
            var sent = frozen.Select(slot => preCopies.TryGetValue(slot, out var copy) ? copy.Entries : null).ToArray();
            var unchanged = new bool[frozen.Count];
            var compared = Enumerable.Range(0, frozen.Count).Where(i => sent[i] is not null).ToList();
            if (compared.Count > 0)
            {
                var same = new bool[compared.Count];
                store.SlotsUnchangedSince([.. compared.Select(i => frozen[i])], [.. compared.Select(i => sent[i]!)], same);
                for (var c = 0; c < compared.Count; c++)
                {
                    unchanged[compared[c]] = same[c];
                }
            }

            var changed = new List<int>();
            for (var i = 0; i < frozen.Count; i++)
            {
                slotTexts[i] = SlotText(frozen[i]);
                if (unchanged[i])
                {
                    var copy = preCopies[frozen[i]];
                    counts[i] = (copy.Entries.Count, copy.Bytes);
                }
                else
                {
                    changed.Add(i);
                }
            }

            if (changed.Count > 0)
            {
                var entries = changed.Select(_ => new List<SlotEntry>()).ToArray();
                var bytes = new long[changed.Count];
                store.ExportSlots([.. changed.Select(i => frozen[i])], entries, bytes);
                for (var c = 0; c < changed.Count; c++)
                {
                    counts[changed[c]] = (entries[c].Count, bytes[c]);
                    resentSlot[changed[c]] = true;
                }

                Interlocked.Add(ref PiecesSent, await SendImportsAsync(connection, [.. changed.Select((i, c) => (i, slotTexts[i], entries[c]))], imports, timeout.Token).ConfigureAwait(false));
            }

            var imported = Enumerable.Repeat(true, frozen.Count).ToArray();
            string? refusal = null;
            foreach (var (index, reply) in imports)
            {
                if ((await reply.ConfigureAwait(false)) is { IsError: true } refused && imported[index])
                {
                    imported[index] = false;
                    refusal ??= $"slot {frozen[index]}: PEPPER.IMPORT: {refused.Text}";
                }
            }

            var importedAt = Stopwatch.GetTimestamp();
            var nodeId = Encoding.ASCII.GetBytes(target.Id);
            // The group's SETSLOTs leave in one write, so the target reads and runs them in one go.
            var handing = Enumerable.Range(0, frozen.Count).Where(i => imported[i]).ToList();
            var epochs = handing.Select(i => _view.EpochOf(frozen[i])).ToArray();
            var setSlots = await connection.ExecuteManyAsync(
                handing.Count,
                (output, h) =>
                {
                    output.WriteArrayHeader(7);
                    output.WriteBulkString(ClusterWord);
                    output.WriteBulkString(SetSlotWord);
                    output.WriteBulkString(slotTexts[handing[h]]);
                    output.WriteBulkString(NodeWord);
                    output.WriteBulkString(nodeId);
                    output.WriteBulkString(EpochWord);
                    output.WriteBulkString(epochs[h]);
                },
                timeout.Token).ConfigureAwait(false);
            var handovers = handing.Select((i, h) => (i, setSlots[h])).ToList();

            started = true;
            return CompleteHandOverAsync(frozen, handovers, counts, resentSlot, refusal, target, timeout, (frozenAt, quiescedAt, importedAt));
        }
        finally
        {
            if (!started)
            {
                // Unfreeze is idempotent: this releases the slots on an exception before the SETSLOTs went out.
                timeout.Dispose();
                foreach (var slot in frozen)
                {
                    migration.Unfreeze(slot);
                }
            }
        }
    }

    /// <summary>Takes each SETSLOT reply as it comes: the slot is the target's, so it is recorded, unfrozen and dropped here.</summary>
    private async Task<(int Refused, string? Reason, bool NotPlanned)> CompleteHandOverAsync(
        List<int> frozen, List<(int Index, Task<RespReply> Reply)> handovers, (int Keys, long Bytes)[] counts, bool[] resentSlot,
        string? refusal, ClusterNode target, CancellationTokenSource timeout, (long Frozen, long Quiesced, long Imported) at)
    {
        var migration = _server.Migration;
        var handedOver = new bool[frozen.Count];
        // Imports each slot had received when it was handed over; its keys here are dropped at the end only if no import came since.
        var importsAtHandOver = new int[frozen.Count];
        var notPlanned = false;
        try
        {
            foreach (var (index, reply) in handovers)
            {
                var handed = await reply.ConfigureAwait(false);
                if (handed is { IsError: true } refused)
                {
                    refusal ??= $"slot {frozen[index]}: CLUSTER SETSLOT: {refused.Text}";
                    notPlanned |= IsNotPlannedThere(refused.Text);
                    migration.Unfreeze(frozen[index]);
                    continue;
                }

                importsAtHandOver[index] = migration.ImportCount(frozen[index]);
                if (handed is { Kind: RespReplyKind.Integer, Integer: > 0 })
                {
                    if (!_view.RecordHandOver(frozen[index], target.Id, handed.Integer))
                    {
                        refusal ??= $"slot {frozen[index]}: CLUSTER SETSLOT answered epoch {handed.Integer}, below this node's own entry";
                        migration.Unfreeze(frozen[index]);
                        continue;
                    }
                }
                else
                {
                    // A target of an older build answers +OK, not the epoch it took.
                    _view.AssignSlot(frozen[index], target.Id);
                }

                handedOver[index] = true;
                migration.Unfreeze(frozen[index]);
                Interlocked.Increment(ref resentSlot[index] ? ref SlotsResent : ref SlotsKeptFromPreCopy);
                Interlocked.Increment(ref _slotsMoved);
                Interlocked.Add(ref _keysMoved, counts[index].Keys);
                Interlocked.Add(ref _bytesMoved, counts[index].Bytes);
            }

            var doneAt = Stopwatch.GetTimestamp();
            Log.SlotsMoved(
                _logger, handedOver.Count(h => h), target.Id, counts.Sum(c => c.Keys), counts.Sum(c => c.Bytes), resentSlot.Count(r => r),
                Microseconds(at.Frozen, doneAt), Microseconds(at.Frozen, at.Quiesced), Microseconds(at.Quiesced, at.Imported),
                Microseconds(at.Imported, doneAt));
            return (handedOver.Count(h => !h), refusal, notPlanned);
        }
        finally
        {
            timeout.Dispose();
            // Releases the slots that were not handed over (or all that are left, on an exception).
            foreach (var slot in frozen)
            {
                migration.Unfreeze(slot);
            }

            // Outside the freeze, so on the move thread: it yields to clients. A group that sent no key has none to
            // drop (its slots were frozen, so none came since), and that pass skips their shards.
            await MoveScheduler.RunAsync(() => DropHandedOver(frozen, handedOver, importsAtHandOver), light: !counts.Any(c => c.Keys > 0)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drops the keys of a group's handed-over slots, in one pass per shard, after every slot of the group is unfrozen
    /// (the held commands are redirected by then and need not wait for this). Under the import lock, and only for a
    /// slot that received no import since its hand-over: one that came straight back was reset by its import.
    /// </summary>
    private void DropHandedOver(List<int> frozen, bool[] handedOver, int[] importsAtHandOver)
    {
        var migration = _server.Migration;
        lock (migration.ImportLock)
        {
            var drop = new List<int>(frozen.Count);
            for (var i = 0; i < frozen.Count; i++)
            {
                if (handedOver[i] && migration.ImportCount(frozen[i]) == importsAtHandOver[i])
                {
                    drop.Add(frozen[i]);
                }
            }

            if (drop.Count > 0)
            {
                _server.Store.DeleteSlots(drop);
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="slots"/> to the target while they are still served here (RESET first, so what the target
    /// holds for them is exactly this copy). Returns, per slot whose copy the target accepted, what was sent, for
    /// <see cref="KeyValueStore.SlotUnchangedSince"/> to compare with once the slot is frozen; and the first refusal.
    /// </summary>
    private async Task<(Dictionary<int, SlotCopy> Accepted, string? FirstRefusal, bool NotSynced)> PreCopyAsync(RespConnection connection, List<int> slots, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(BatchMoveTimeout);
        var copies = new SlotCopy[slots.Count];
        var imports = new List<(int Index, Task<RespReply> Reply)>();
        var entries = slots.Select(_ => new List<SlotEntry>()).ToArray();
        var bytes = new long[slots.Count];
        // One pass per shard: the batch's slots come shard by shard (MoveToAsync).
        _server.Store.ExportSlots(slots, entries, bytes);
        for (var i = 0; i < slots.Count; i++)
        {
            copies[i] = new SlotCopy(entries[i], bytes[i]);
        }

        Interlocked.Add(ref PiecesSent, await SendImportsAsync(connection, [.. slots.Select((slot, i) => (i, SlotText(slot), entries[i]))], imports, timeout.Token).ConfigureAwait(false));

        var refused = new HashSet<int>();
        string? firstRefusal = null;
        var notSynced = true;
        foreach (var (index, reply) in imports)
        {
            if ((await reply.ConfigureAwait(false)) is { IsError: true } refusal && refused.Add(index))
            {
                firstRefusal ??= $"slot {slots[index]}: PEPPER.IMPORT: {refusal.Text}";
                notSynced &= refusal.Text?.StartsWith("TRYAGAIN ", StringComparison.Ordinal) == true;
            }
        }

        var accepted = new Dictionary<int, SlotCopy>(slots.Count);
        for (var i = 0; i < slots.Count; i++)
        {
            if (!refused.Contains(i))
            {
                accepted[slots[i]] = copies[i];
            }
        }

        return (accepted, firstRefusal, notSynced && refused.Count > 0);
    }

    /// <summary>
    /// Empties <paramref name="slots"/> at the target (<c>PEPPER.IMPORT slot RESET</c> with no keys) after their
    /// pre-copy, or a refused import, when they will not be handed over in this attempt. Best effort: a target that
    /// cannot be told (the connection failed with the move) drops them with its stray sweep, and the retry starts with
    /// RESET anyway. A target that serves a slot refuses the import, so this never empties a slot it owns; one over
    /// its maxmemory takes it (a RESET with no keys only frees memory). Returns the slots the target emptied.
    /// </summary>
    private static async Task<int> TakeBackPreCopyAsync(RespConnection connection, List<int> slots, CancellationToken cancellationToken)
    {
        if (slots.Count == 0)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(BatchMoveTimeout);
        var done = 0;
        try
        {
            var emptied = new List<(int Index, Task<RespReply> Reply)>();
            await SendImportsAsync(connection, [.. slots.Select((slot, i) => (i, SlotText(slot), new List<SlotEntry>()))], emptied, timeout.Token).ConfigureAwait(false);
            foreach (var (_, reply) in emptied)
            {
                await ((Task)reply).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                done += reply.IsCompletedSuccessfully && !reply.Result.IsError ? 1 : 0;
            }
        }
        catch (Exception ex) when (ex is RespConnectionException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The attempt failed already; this one's failure adds nothing to report.
        }

        return done;
    }

    private static long Microseconds(long from, long to) => (long)Stopwatch.GetElapsedTime(from, to).TotalMicroseconds;

    private static byte[] SlotText(int slot) => Encoding.ASCII.GetBytes(slot.ToString(CultureInfo.InvariantCulture));

    /// <summary>With a cluster secret, the target accepts PEPPER.IMPORT and SETSLOT only after PEPPER.AUTH.</summary>
    private async Task AuthenticateAsync(RespConnection connection, CancellationToken cancellationToken)
    {
        var secret = _server.Options.ClusterSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        if (await connection.ExecuteAsync([AuthWord, Encoding.UTF8.GetBytes(secret)], cancellationToken).ConfigureAwait(false) is { IsError: true } refused)
        {
            throw new SlotsRefusedException("PEPPER.AUTH: " + refused.Text, targetNotSynced: false);
        }
    }

    private static readonly byte[] AuthWord = "PEPPER.AUTH"u8.ToArray();
    private static readonly byte[] ImportWord = "PEPPER.IMPORT"u8.ToArray();
    private static readonly byte[] ResetWord = "RESET"u8.ToArray();
    private static readonly byte[] AppendWord = "APPEND"u8.ToArray();
    private static readonly byte[] ClusterWord = "CLUSTER"u8.ToArray();
    private static readonly byte[] SetSlotWord = "SETSLOT"u8.ToArray();
    private static readonly byte[] NodeWord = "NODE"u8.ToArray();
    private static readonly byte[] EpochWord = "EPOCH"u8.ToArray();
    private static readonly byte[] NoExpiryWord = "0"u8.ToArray();

    /// <summary>What a pre-copy sent for one slot: its entries (with the expiries sent) and their key and value bytes.</summary>
    private sealed record SlotCopy(List<SlotEntry> Entries, long Bytes);
}

/// <summary>A target refused some slots of a batch; they stay here and the target is retried (with backoff, unless sending it this node's view may settle it).</summary>
/// <param name="targetNotSynced">It refused every pre-copy with TRYAGAIN: a joiner that has not learned the slot table yet.</param>
/// <param name="targetPlanLags">It refused a SETSLOT because its plan gives the slot to another live member: it has not heard this node's plan yet (or this node has not heard its newer one).</param>
internal sealed class SlotsRefusedException(string message, bool targetNotSynced, bool targetPlanLags = false) : Exception(message)
{
    public bool TargetNotSynced { get; } = targetNotSynced;

    public bool TargetPlanLags { get; } = targetPlanLags;

    /// <summary>Either refusal that one gossip exchange with the target settles.</summary>
    public bool TargetLacksView => TargetNotSynced || TargetPlanLags;
}
