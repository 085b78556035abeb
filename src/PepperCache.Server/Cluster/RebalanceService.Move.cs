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

    /// <summary>Slots moved at once to one target: each is frozen only for its own copy, so this bounds frozen slots too.</summary>
    internal const int SlotsInFlightPerTarget = 8;

    /// <summary>Longest a slot may stay frozen waiting for the target before the move is abandoned and retried later.</summary>
    private static readonly TimeSpan SlotMoveTimeout = TimeSpan.FromSeconds(10);

    private async Task MoveToAsync(ClusterNode target, List<int> slots, CancellationToken cancellationToken)
    {
        var view = _view!;
        try
        {
            var connection = await RespConnection.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // A few slots in flight on the one connection hide the round trips; each slot's own commands stay in order.
                await Parallel.ForEachAsync(
                    slots,
                    new ParallelOptions { MaxDegreeOfParallelism = SlotsInFlightPerTarget, CancellationToken = cancellationToken },
                    async (slot, token) =>
                    {
                        // The map may have changed since the round began: move only what is still ours and still theirs.
                        if (view.OwnerOf(slot).Id == view.Myself.Id && view.DesiredOwnerOf(slot).Id == target.Id)
                        {
                            await MoveSlotAsync(connection, slot, target, [], token).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
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
    /// Hands one slot to <paramref name="target"/>: freeze it here, copy its keys (values, absolute expiries) with
    /// PEPPER.IMPORT, make the target its owner with CLUSTER SETSLOT, record that here, drop the local copies,
    /// unfreeze. Commands on the slot wait meanwhile and then follow the MOVED to the target, so no reader sees a
    /// gap and no acknowledged write can be overwritten by the moving copy. On any failure before SETSLOT succeeds
    /// the slot stays here, unfrozen, and the whole move is retried later.
    /// </summary>
    internal async Task MoveSlotAsync(
        RespConnection connection, int slot, ClusterNode target, List<SlotEntry> entries, CancellationToken cancellationToken)
    {
        var migration = _server.Migration;
        if (!migration.TryFreeze(slot))
        {
            return;
        }

        var frozenAt = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SlotMoveTimeout);
            await SlotMigrationState.QuiesceAsync(_server.Clients, timeout.Token).ConfigureAwait(false);

            entries.Clear();
            var bytes = _server.Store.ExportSlot(slot, entries);
            var slotText = Encoding.ASCII.GetBytes(slot.ToString(CultureInfo.InvariantCulture));
            var sent = 0;
            do
            {
                var chunk = Math.Min(ImportChunkKeys, entries.Count - sent);
                var reply = await connection.ExecuteAsync(ImportCommand(slotText, sent == 0, entries, sent, chunk), timeout.Token).ConfigureAwait(false);
                ThrowIfError(reply, "PEPPER.IMPORT");
                sent += chunk;
            }
            while (sent < entries.Count);

            var handover = await connection.ExecuteAsync(
                [ClusterWord, SetSlotWord, slotText, NodeWord, Encoding.ASCII.GetBytes(target.Id)], timeout.Token).ConfigureAwait(false);
            ThrowIfError(handover, "CLUSTER SETSLOT");

            _view!.AssignSlot(slot, target.Id);
            _server.Store.DeleteSlot(slot);
            Interlocked.Increment(ref _slotsMoved);
            Interlocked.Add(ref _keysMoved, entries.Count);
            Interlocked.Add(ref _bytesMoved, bytes);
            Log.SlotMoved(_logger, slot, target.Id, entries.Count, bytes, (long)Stopwatch.GetElapsedTime(frozenAt).TotalMicroseconds);
        }
        finally
        {
            migration.Unfreeze(slot);
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

    private static void ThrowIfError(RespReply reply, string command)
    {
        if (reply.IsError)
        {
            throw new InvalidOperationException($"{command} refused: {reply.Text}");
        }
    }

    private static readonly byte[] ImportWord = "PEPPER.IMPORT"u8.ToArray();
    private static readonly byte[] ResetWord = "RESET"u8.ToArray();
    private static readonly byte[] AppendWord = "APPEND"u8.ToArray();
    private static readonly byte[] ClusterWord = "CLUSTER"u8.ToArray();
    private static readonly byte[] SetSlotWord = "SETSLOT"u8.ToArray();
    private static readonly byte[] NodeWord = "NODE"u8.ToArray();
}
