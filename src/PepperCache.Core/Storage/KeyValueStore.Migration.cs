using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Slot migration: a slot's keys leave this node as (key, value, absolute expiry) and arrive at another the same way.
public sealed partial class KeyValueStore
{
    /// <summary>
    /// Adds every live key of hash slot <paramref name="slot"/> with its value and absolute expiry to
    /// <paramref name="into"/>; returns the bytes of keys and values. One shard lock, held for the copy only.
    /// </summary>
    /// <remarks>The values stay valid after the call: entries are immutable once published (see <see cref="Entry"/>).</remarks>
    public long ExportSlot(int slot, List<SlotEntry> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, HashSlot.SlotCount);
        var shard = _shards[slot & (_shards.Length - 1)];
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
                    into.Add(new SlotEntry(key, value));
                    bytes += key.Length + value.Length;
                }
            }
        }

        return bytes;
    }

    /// <summary>Removes every key (live or expired) of hash slot <paramref name="slot"/>; returns how many were live.</summary>
    public long DeleteSlot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, HashSlot.SlotCount);
        var shard = _shards[slot & (_shards.Length - 1)];
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

    /// <summary>Which hash slots hold at least one key here (expired ones included), one pass over the store.</summary>
    public void GetOccupiedSlots(Span<bool> occupied)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(occupied.Length, HashSlot.SlotCount);
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                for (var i = 0; i < limit; i++)
                {
                    if (shard.GetAt(i) is { } entry)
                    {
                        occupied[HashSlot.Of(Entry.GetKey(entry))] = true;
                    }
                }
            }
        }
    }
}

/// <summary>One key on its way to another node: its name, and its value with the absolute expiry it had.</summary>
public readonly record struct SlotEntry(byte[] Key, StoreValue Value);
