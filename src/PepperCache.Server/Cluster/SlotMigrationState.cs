using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Per-slot migration state shared by the connections and the rebalancer: which slots are frozen (commands on
/// their keys wait) and when each slot last received imported keys (so stray-key cleanup leaves it alone).
/// </summary>
/// <remarks>
/// A freeze is a barrier, not just a flag: a connection checks for frozen slots inside a batch bracketed by
/// <see cref="ClientSession.EnterBatch"/>/<see cref="ClientSession.ExitBatch"/>, and <see cref="QuiesceAsync"/>
/// waits for every batch that was running when the freeze was published. After it returns no command can touch the
/// slot until <see cref="Unfreeze"/>. The hot path pays one interlocked increment per batch and, while nothing is
/// frozen, one volatile read per command with keys.
/// </remarks>
internal sealed class SlotMigrationState(KeyValueStore store)
{
    private readonly TaskCompletionSource?[] _frozen = new TaskCompletionSource?[HashSlot.SlotCount];
    private readonly long[] _lastImportAt = new long[HashSlot.SlotCount];
    private readonly int[] _imports = new int[HashSlot.SlotCount];
    private int _frozenCount;

    /// <summary>Serialises imports with stray-key cleanup, so a slot is never swept between its import and its handover.</summary>
    public Lock ImportLock { get; } = new();

    /// <summary>Collections PEPPER.IMPORT is rebuilding from pieces; guarded by <see cref="ImportLock"/>.</summary>
    public ImportPieces Pieces { get; } = new(store);

    public bool AnyFrozen => Volatile.Read(ref _frozenCount) != 0;

    /// <summary>The task a command on <paramref name="slot"/> must await, or null when the slot is not frozen.</summary>
    public Task? WaitFor(int slot) => Volatile.Read(ref _frozen[slot])?.Task;

    /// <summary>Freezes <paramref name="slot"/>. Returns false if it is already frozen (another move holds it).</summary>
    public bool TryFreeze(int slot)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Interlocked: a full fence, paired with EnterBatch's, so a batch either sees the freeze or is waited for.
        if (Interlocked.CompareExchange(ref _frozen[slot], gate, null) is not null)
        {
            return false;
        }

        Interlocked.Increment(ref _frozenCount);
        return true;
    }

    /// <summary>Lets waiting commands on <paramref name="slot"/> run again (they re-dispatch, so they see the new owner).</summary>
    public void Unfreeze(int slot)
    {
        if (Interlocked.Exchange(ref _frozen[slot], null) is { } gate)
        {
            Interlocked.Decrement(ref _frozenCount);
            gate.SetResult();
        }
    }

    /// <summary>Completes once every batch that was running when this was called has finished.</summary>
    public static async Task QuiesceAsync(ClientRegistry clients, CancellationToken cancellationToken)
    {
        List<(ClientSession Session, long Sequence)>? busy = null;
        foreach (var session in clients.Sessions)
        {
            var sequence = session.BatchSequence;
            if ((sequence & 1) != 0)
            {
                (busy ??= []).Add((session, sequence));
            }
        }

        if (busy is null)
        {
            return;
        }

        // Batches are synchronous and short (microseconds); yielding is enough, and a departed client never blocks us
        // because its last batch ends before it leaves.
        foreach (var (session, sequence) in busy)
        {
            for (var spins = 0; session.BatchSequence == sequence; spins++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // A long batch (KEYS over a big store) should not cost a spinning thread.
                if (spins < 16)
                {
                    await Task.Yield();
                }
                else
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public void MarkImported(int slot, long now)
    {
        Volatile.Write(ref _lastImportAt[slot], now);
        Interlocked.Increment(ref _imports[slot]);
    }

    /// <summary>
    /// How many imports <paramref name="slot"/> has received (wraps; compare for equality only). A sender that drops a
    /// handed-over slot's keys a little later does so under <see cref="ImportLock"/> only if this has not changed
    /// since the hand-over: an import in between (the slot coming straight back) has reset the slot itself.
    /// </summary>
    public int ImportCount(int slot) => Volatile.Read(ref _imports[slot]);

    /// <summary>Unix ms of the last import into <paramref name="slot"/>, 0 if none since start.</summary>
    public long LastImportAt(int slot) => Volatile.Read(ref _lastImportAt[slot]);
}
