using PepperCache.Core.Storage;

namespace PepperCache.Server.Persistence;

// Eviction while the log records: each evicted key is logged as DEL, as Redis propagates evictions, so a replay
// never brings back what was evicted.
internal sealed partial class AppendOnlyLog
{
    private EvictionRecorder? _evictionRecorder;

    /// <summary>
    /// Evicts up to <paramref name="maxKeys"/> keys under <see cref="WriteLock"/>, logging each as DEL in the same
    /// step, so no write to an evicted key can land in the log between the eviction and its record.
    /// </summary>
    public EvictionOutcome Evict(int maxKeys)
    {
        long appended;
        EvictionOutcome outcome;
        lock (WriteLock)
        {
            var recorder = _evictionRecorder ??= new EvictionRecorder(this);
            var before = _active.Length;
            outcome = _store.Evict(maxKeys, recorder);
            appended = _active.Length - before;
            _appendedLsn += appended;
        }

        if (appended != 0)
        {
            Wake();
        }

        return outcome;
    }

    private sealed class EvictionRecorder(AppendOnlyLog log) : IEvictionListener
    {
        // Called under WriteLock (and the key's shard lock), so _active is this thread's to append to.
        public void OnEvicted(ReadOnlySpan<byte> key) => AofRecords.WriteCommand(log._active, "DEL"u8, key);
    }
}
