using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Slot migration: a slot's keys leave this node as (key, value, absolute expiry) and arrive at another the same way.
public sealed partial class KeyValueStore
{
    /// <summary>
    /// Adds every live key of hash slot <paramref name="slot"/> with its value and absolute expiry to
    /// <paramref name="into"/>; returns the bytes of keys and values (a collection counts its heap bytes). One shard
    /// lock, held for the copy only.
    /// </summary>
    /// <remarks>
    /// The values stay valid after the call: string entries are immutable once published (see <see cref="Entry"/>), and
    /// a collection is cloned under the lock (its tables; its elements are immutable arrays).
    /// </remarks>
    public long ExportSlot(int slot, List<SlotEntry> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var shard = ShardOfSlot(slot);
        var now = Now;
        long bytes = 0;
        lock (shard.Lock)
        {
            var limit = shard.SlotLimit;
            for (var i = 0; i < limit; i++)
            {
                if (LiveInSlot(shard, i, slot, now) is { } entry)
                {
                    var key = Entry.GetKey(entry).ToArray();
                    var value = new StoreValue(entry);
                    if (shard.ObjectAt(i) is { } collection)
                    {
                        // Collections change in place: the copy sent is taken now, under the lock.
                        into.Add(new SlotEntry(key, value, collection.Clone(), collection.Version));
                        bytes += key.Length + collection.HeapSize;
                    }
                    else
                    {
                        into.Add(new SlotEntry(key, value));
                        bytes += key.Length + value.Length;
                    }
                }
            }
        }

        return bytes;
    }

    /// <summary>
    /// Whether hash slot <paramref name="slot"/> still holds exactly what an earlier <see cref="ExportSlot"/> put in
    /// <paramref name="exported"/>: the same live keys, each with the same value and expiry. A slot copied to another
    /// node before a write, delete, expiry change or new key here is reported changed, so it must be copied again.
    /// </summary>
    /// <remarks>
    /// Costs the writers nothing: a change of key or value always publishes a new entry, so an entry that is still the
    /// one exported (same reference) still has the same key and value, or the same collection object; the expiry, the
    /// one field rewritten in place, is compared with the one exported, and so is a collection's
    /// <see cref="StoreObject.Version"/>, which every change of its content raises. The scan visits entries in the same
    /// index order as the export did.
    /// </remarks>
    public bool SlotUnchangedSince(int slot, List<SlotEntry> exported)
    {
        ArgumentNullException.ThrowIfNull(exported);
        var shard = ShardOfSlot(slot);
        var now = Now;
        var next = 0;
        lock (shard.Lock)
        {
            var limit = shard.SlotLimit;
            for (var i = 0; i < limit; i++)
            {
                if (LiveInSlot(shard, i, slot, now) is not { } entry)
                {
                    continue;
                }

                if (next == exported.Count)
                {
                    return false;
                }

                var exportedEntry = exported[next++];
                var value = exportedEntry.Value;
                if (!ReferenceEquals(entry, value.RawEntry) || Entry.GetExpiresAt(entry) != value.ExpiresAt
                    || (shard.ObjectAt(i) is { } collection && collection.Version != exportedEntry.ObjectVersion))
                {
                    return false;
                }
            }
        }

        return next == exported.Count;
    }

    /// <summary>Removes every key (live or expired) of hash slot <paramref name="slot"/>; returns how many were live.</summary>
    public long DeleteSlot(int slot)
    {
        var shard = ShardOfSlot(slot);
        var now = Now;
        long removed = 0;
        lock (shard.Lock)
        {
            var limit = shard.SlotLimit;
            for (var i = 0; i < limit; i++)
            {
                var entry = shard.GetAt(i);
                if (entry is null || HashSlot.Of(Entry.GetKey(entry)) != slot)
                {
                    continue;
                }

                if (!Entry.IsExpired(entry, now))
                {
                    removed++;
                }

                shard.RemoveAt(i);
            }
        }

        return removed;
    }

    /// <summary>
    /// Stores a migrated key, replacing any value it has here. A key whose absolute expiry
    /// (<paramref name="expiresAt"/>, Unix ms; 0 for none) has passed is removed instead, as RESTORE ... ABSTTL does.
    /// </summary>
    public void Import(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAt)
    {
        if (expiresAt != Entry.NoExpiry && expiresAt <= Now)
        {
            Delete(key);
            return;
        }

        Set(key, value, expiresAt);
    }

    /// <summary>As <see cref="Import(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long)"/> for a key holding a collection.</summary>
    public void Import(ReadOnlySpan<byte> key, StoreObject value, long expiresAt)
    {
        if (expiresAt != Entry.NoExpiry && expiresAt <= Now)
        {
            Delete(key);
            return;
        }

        SetObject(key, value, expiresAt);
    }

    /// <summary>
    /// Keys per hash slot (expired ones not yet reclaimed included) into <paramref name="counts"/>, in one pass over
    /// the store: a slot's shard holds 1/256 of the keys, so asking slot by slot would read each shard 64 times.
    /// </summary>
    public void CountKeysPerSlot(Span<int> counts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(counts.Length, HashSlot.SlotCount);
        counts.Clear();
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                for (var i = 0; i < limit; i++)
                {
                    if (shard.GetAt(i) is { } entry)
                    {
                        counts[HashSlot.Of(Entry.GetKey(entry))]++;
                    }
                }
            }
        }
    }
}

/// <summary>
/// One key on its way to another node: its name, and its value with the absolute expiry it had. A key holding a
/// collection carries a private copy of it in <paramref name="Object"/> (its <see cref="StoreValue"/> then has no
/// value bytes) and the version the original had when copied.
/// </summary>
public readonly record struct SlotEntry(byte[] Key, StoreValue Value, StoreObject? Object = null, long ObjectVersion = 0);
