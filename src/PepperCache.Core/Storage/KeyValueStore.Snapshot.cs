namespace PepperCache.Core.Storage;

// Whole-dataset access for persistence: a point-in-time list of entries (AOF rewrite) and a paused clock (AOF load).
public sealed partial class KeyValueStore
{
    // 0 = the real clock; otherwise the Unix ms Now reports. Set only while nothing else uses the store (AOF load).
    private long _pausedNow;

    /// <summary>
    /// Appends every entry, expired-but-unreclaimed included, to <paramref name="into"/>. Each shard is read under its
    /// lock; the caller makes the whole read one instant by keeping writers out meanwhile (the AOF write lock).
    /// Cheap for strings: each entry is marked shared (its value never changes again), so only references and the
    /// (mutable) expiry are copied.
    /// Collections change in place, so each is cloned (<see cref="StoreObject.Clone"/>: its tables, not its elements).
    /// </summary>
    public void Snapshot(List<StoredEntry> into)
    {
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                for (var i = 0; i < limit; i++)
                {
                    if (shard.GetAt(i) is { } entry)
                    {
                        // The AOF rewrite reads the value after the lock: no in-place change may touch it from now on.
                        Entry.Share(entry);
                        into.Add(new StoredEntry(entry, Entry.GetExpiresAt(entry), shard.ObjectAt(i)?.Clone()));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stops time for expiry checks (Now reports 1 ms after the epoch, so nothing with an expiry counts as expired)
    /// until <see cref="ResumeClock"/>. Replaying a log needs this: a key that was live when a command ran must be
    /// live when the command is replayed, as Redis does not expire keys while loading.
    /// </summary>
    public void PauseClock() => Volatile.Write(ref _pausedNow, 1);

    public void ResumeClock() => Volatile.Write(ref _pausedNow, 0);
}

/// <summary>
/// One key as <see cref="KeyValueStore.Snapshot"/> saw it: key, absolute expiry (0 = none), and its string value or a
/// private copy of its collection.
/// </summary>
public readonly struct StoredEntry
{
    private readonly byte[] _entry;

    internal StoredEntry(byte[] entry, long expiresAt, StoreObject? value)
    {
        _entry = entry;
        ExpiresAt = expiresAt;
        Object = value;
    }

    public ReadOnlySpan<byte> Key => Entry.GetKey(_entry);

    public DataType Type => Entry.GetDataType(_entry);

    /// <summary>A string's value; empty for a collection.</summary>
    public ReadOnlySpan<byte> Value => Entry.GetValue(_entry);

    /// <summary>A copy of the collection as it was at the snapshot; null for a string.</summary>
    public StoreObject? Object { get; }

    /// <summary>Unix ms, 0 when the key does not expire.</summary>
    public long ExpiresAt { get; }
}
