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
    /// <summary>Keys per PEPPER.IMPORT command; a slot with more is sent in several (RESET, then APPEND).</summary>
    internal const int ImportChunkKeys = 10_000;

    /// <summary>Most slots handed over in one batch (one freeze, one pipelined exchange with the target).</summary>
    internal const int SlotsPerBatch = 64;

    /// <summary>A batch takes more slots only while it holds fewer keys than this, which bounds how long it stays frozen.</summary>
    internal const int KeysPerBatch = 20_000;

    /// <summary>Longest a batch may stay frozen waiting for the target before the move is abandoned and retried later.</summary>
    private static readonly TimeSpan BatchMoveTimeout = TimeSpan.FromSeconds(10);

    private async Task MoveToAsync(ClusterNode target, List<int> slots, CancellationToken cancellationToken)
    {
        var view = _view;
        try
        {
            var connection = await RespConnection.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var entries = new List<SlotEntry>();
                var next = 0;
                while (next < slots.Count)
                {
                    // The map may have changed since the round began: move only what is still ours and still theirs.
                    var batch = new List<int>(SlotsPerBatch);
                    var keys = 0L;
                    for (; next < slots.Count && batch.Count < SlotsPerBatch && keys < KeysPerBatch; next++)
                    {
                        var slot = slots[next];
                        if (view.OwnerOf(slot).Id == view.Myself.Id && view.DesiredOwnerOf(slot).Id == target.Id)
                        {
                            batch.Add(slot);
                            keys += _server.Store.CountKeysInSlot(slot);
                        }
                    }

                    if (batch.Count > 0)
                    {
                        await MoveSlotsAsync(connection, batch, target, entries, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            _backoff.TryRemove(target.Id, out _);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var delay = _backoff.TryGetValue(target.Id, out var previous)
                ? TimeSpan.FromTicks(Math.Min(previous.Delay.Ticks * 2, MaxBackoff.Ticks))
                : MinBackoff;
            Interlocked.Increment(ref FailedMoves);
            _backoff[target.Id] = new Backoff(Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency), delay);
            Log.RebalanceTargetFailed(_logger, target.Id, $"{target.Host}:{target.Port}", (long)delay.TotalMilliseconds, ex.Message);
        }
    }

    /// <summary>
    /// Hands <paramref name="slots"/> to <paramref name="target"/>: freeze them here, copy their keys (values,
    /// absolute expiries) with PEPPER.IMPORT, make the target their owner with CLUSTER SETSLOT, record that here,
    /// drop the local copies, unfreeze. The commands for the whole batch go out pipelined, so a batch of empty slots
    /// costs about one round trip. Commands on the slots wait meanwhile and then follow the MOVED to the target, so no
    /// reader sees a gap and no acknowledged write can be overwritten by the moving copy. A slot whose SETSLOT did not
    /// succeed stays here, unfrozen, and is moved again later (its import starts with RESET, so that is safe).
    /// </summary>
    internal async Task MoveSlotsAsync(
        RespConnection connection, List<int> slots, ClusterNode target, List<SlotEntry> entries, CancellationToken cancellationToken)
    {
        var migration = _server.Migration;
        var frozen = new List<int>(slots.Count);
        foreach (var slot in slots)
        {
            if (migration.TryFreeze(slot))
            {
                frozen.Add(slot);
            }
        }

        var frozenAt = Stopwatch.GetTimestamp();
        var handedOver = new bool[frozen.Count];
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BatchMoveTimeout);
            await SlotMigrationState.QuiesceAsync(_server.Clients, timeout.Token).ConfigureAwait(false);

            // Two pipelined exchanges: every slot's imports, then SETSLOT for the slots whose imports all succeeded
            // (a target that refused an import, say for a disk error, must not become the owner of a slot it lacks).
            var imports = new List<(int Index, Task<RespReply> Reply)>();
            var counts = new (int Keys, long Bytes)[frozen.Count];
            var slotTexts = new byte[frozen.Count][];
            for (var i = 0; i < frozen.Count; i++)
            {
                var slot = frozen[i];
                entries.Clear();
                var bytes = _server.Store.ExportSlot(slot, entries);
                counts[i] = (entries.Count, bytes);
                slotTexts[i] = Encoding.ASCII.GetBytes(slot.ToString(CultureInfo.InvariantCulture));
                var sent = 0;
                do
                {
                    var chunk = Math.Min(ImportChunkKeys, entries.Count - sent);
                    imports.Add((i, connection.ExecuteAsync(ImportCommand(slotTexts[i], sent == 0, entries, sent, chunk), timeout.Token)));
                    sent += chunk;
                }
                while (sent < entries.Count);
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

            var nodeId = Encoding.ASCII.GetBytes(target.Id);
            var handovers = new List<(int Index, Task<RespReply> Reply)>();
            for (var i = 0; i < frozen.Count; i++)
            {
                if (imported[i])
                {
                    var epoch = Encoding.ASCII.GetBytes(_view.EpochOf(frozen[i]).ToString(CultureInfo.InvariantCulture));
                    handovers.Add((i, connection.ExecuteAsync([ClusterWord, SetSlotWord, slotTexts[i], NodeWord, nodeId, EpochWord, epoch], timeout.Token)));
                }
            }

            foreach (var (index, reply) in handovers)
            {
                if ((await reply.ConfigureAwait(false)) is { IsError: true } refused)
                {
                    refusal ??= $"slot {frozen[index]}: CLUSTER SETSLOT: {refused.Text}";
                }
                else
                {
                    handedOver[index] = true;
                }
            }

            for (var i = 0; i < frozen.Count; i++)
            {
                if (!handedOver[i])
                {
                    continue;
                }

                _view.AssignSlot(frozen[i], target.Id);
                _server.Store.DeleteSlot(frozen[i]);
                Interlocked.Increment(ref _slotsMoved);
                Interlocked.Add(ref _keysMoved, counts[i].Keys);
                Interlocked.Add(ref _bytesMoved, counts[i].Bytes);
            }

            Log.SlotsMoved(_logger, handedOver.Count(h => h), target.Id, counts.Sum(c => c.Keys), counts.Sum(c => c.Bytes), (long)Stopwatch.GetElapsedTime(frozenAt).TotalMicroseconds);
            if (handedOver.Any(h => !h))
            {
                throw new InvalidOperationException($"{handedOver.Count(h => !h)} of {frozen.Count} slots were refused by the target (first: {refusal})");
            }
        }
        finally
        {
            foreach (var slot in frozen)
            {
                migration.Unfreeze(slot);
            }
        }
    }

    private static List<byte[]> ImportCommand(byte[] slotText, bool first, List<SlotEntry> entries, int start, int count)
    {
        var arguments = new List<byte[]>(3 + (3 * count)) { ImportWord, slotText, first ? ResetWord : AppendWord };
        for (var i = start; i < start + count; i++)
        {
            var (key, value) = entries[i];
            arguments.Add(Encoding.ASCII.GetBytes(value.ExpiresAt.ToString(CultureInfo.InvariantCulture)));
            arguments.Add(key);
            arguments.Add(value.Span.ToArray());
        }

        return arguments;
    }

    private static readonly byte[] ImportWord = "PEPPER.IMPORT"u8.ToArray();
    private static readonly byte[] ResetWord = "RESET"u8.ToArray();
    private static readonly byte[] AppendWord = "APPEND"u8.ToArray();
    private static readonly byte[] ClusterWord = "CLUSTER"u8.ToArray();
    private static readonly byte[] SetSlotWord = "SETSLOT"u8.ToArray();
    private static readonly byte[] NodeWord = "NODE"u8.ToArray();
    private static readonly byte[] EpochWord = "EPOCH"u8.ToArray();
}
