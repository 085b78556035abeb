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
            // A move's target resets every slot it is sent, almost always empty here: the count ends the pass early.
            var wanted = shard.KeysInSlot(slot);
            var limit = shard.SlotLimit;
            for (var i = 0; i < limit && wanted > 0; i++)
            {
                if (shard.HashSlotAt(i) != slot)
                {
                    continue;
                }

                wanted--;
                if (!Entry.IsExpired(shard[i], now))
                {
                    removed++;
                }

                shard.RemoveAt(i);
            }
        }

        return removed;
    }

    /// <summary>
    /// The shard (0 to the shard count - 1) holding the keys of hash slot <paramref name="slot"/>. Slots that share a
    /// shard are best exported, compared and deleted together (<see cref="ExportSlots"/>): each pass reads the whole
    /// shard, about 64 slots' worth of keys with the default 256 shards.
    /// </summary>
    public int ShardIndexOfSlot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, HashSlot.SlotCount);
        return slot & (_shards.Length - 1);
    }

    /// <summary>
    /// <see cref="ExportSlot"/> for several slots: slot <c>slots[i]</c> goes to <c>into[i]</c> and its bytes to
    /// <c>bytes[i]</c>. Slots that share a shard are read in one pass under its lock, in the same index order as
    /// <see cref="ExportSlot"/>, so <see cref="SlotsUnchangedSince"/> and <see cref="SlotUnchangedSince"/> can compare.
    /// </summary>
    /// <remarks>
    /// A pass computes the hash slot of every key of the shard; asked slot by slot, a move of the ~6 slots per shard a
    /// node hands to a newcomer read each shard 6 times to export, 6 to compare and 6 to delete, which was most of the
    /// old owner's CPU during a rebalance (docs/cluster.md, "Figures").
    /// </remarks>
    public void ExportSlots(IReadOnlyList<int> slots, List<SlotEntry>[] into, long[] bytes)
    {
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(bytes);
        var now = Now;
        ForEachShardOf(slots, (shard, positions, wanted) =>
        {
            var limit = shard.SlotLimit;
            var met = 0;
            for (var i = 0; i < limit && met < wanted; i++)
            {
                if (LiveInSlots(shard, i, positions, now, ref met) is not ({ } entry, var at))
                {
                    continue;
                }

                var key = Entry.GetKey(entry).ToArray();
                var value = new StoreValue(entry);
                if (shard.ObjectAt(i) is { } collection)
                {
                    // Collections change in place: the copy sent is taken now, under the lock.
                    into[at].Add(new SlotEntry(key, value, collection.Clone(), collection.Version));
                    bytes[at] += key.Length + collection.HeapSize;
                }
                else
                {
                    into[at].Add(new SlotEntry(key, value));
                    bytes[at] += key.Length + value.Length;
                }
            }
        });
    }

    /// <summary>
    /// <see cref="SlotUnchangedSince"/> for several slots, those sharing a shard in one pass: <c>unchanged[i]</c> says
    /// whether slot <c>slots[i]</c> still holds exactly <c>exported[i]</c>.
    /// </summary>
    public void SlotsUnchangedSince(IReadOnlyList<int> slots, IReadOnlyList<List<SlotEntry>> exported, bool[] unchanged)
    {
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(exported);
        ArgumentNullException.ThrowIfNull(unchanged);
        var now = Now;
        var next = new int[slots.Count];
        for (var s = 0; s < slots.Count; s++)
        {
            unchanged[s] = true;
        }

        ForEachShardOf(slots, (shard, positions, wanted) =>
        {
            var limit = shard.SlotLimit;
            var met = 0;
            for (var i = 0; i < limit && met < wanted; i++)
            {
                if (LiveInSlots(shard, i, positions, now, ref met) is not ({ } entry, var at) || !unchanged[at])
                {
                    continue;
                }

                var sent = exported[at];
                if (next[at] == sent.Count)
                {
                    unchanged[at] = false;
                    continue;
                }

                var exportedEntry = sent[next[at]++];
                var value = exportedEntry.Value;
                if (!ReferenceEquals(entry, value.RawEntry) || Entry.GetExpiresAt(entry) != value.ExpiresAt
                    || (shard.ObjectAt(i) is { } collection && collection.Version != exportedEntry.ObjectVersion))
                {
                    unchanged[at] = false;
                }
            }
        });

        for (var s = 0; s < slots.Count; s++)
        {
            unchanged[s] &= next[s] == exported[s].Count;
        }
    }

    /// <summary><see cref="DeleteSlot"/> for several slots, those sharing a shard in one pass; returns how many keys were live.</summary>
    public long DeleteSlots(IReadOnlyList<int> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var now = Now;
        long removed = 0;
        ForEachShardOf(slots, (shard, positions, wanted) =>
        {
            var limit = shard.SlotLimit;
            var met = 0;
            for (var i = 0; i < limit && met < wanted; i++)
            {
                var slot = shard.HashSlotAt(i);
                if (slot < 0 || positions[slot / _shards.Length] < 0)
                {
                    continue;
                }

                met++;
                if (!Entry.IsExpired(shard[i], now))
                {
                    removed++;
                }

                shard.RemoveAt(i);
            }
        });

        return removed;
    }

    /// <summary>
    /// Runs <paramref name="pass"/> once per shard holding any of <paramref name="slots"/>, under the shard's lock, with
    /// a table from a slot of that shard (slot / shard count) to its position in <paramref name="slots"/>, -1 for the
    /// shard's other slots, and how many entries those slots hold (expired ones included): a pass may stop once it has
    /// met them all, and a shard whose slots hold none is not read at all.
    /// </summary>
    private void ForEachShardOf(IReadOnlyList<int> slots, ShardPass pass)
    {
        var positions = new int[HashSlot.SlotCount / _shards.Length];
        var done = new HashSet<int>();
        for (var s = 0; s < slots.Count; s++)
        {
            var shardIndex = ShardIndexOfSlot(slots[s]);
            if (!done.Add(shardIndex))
            {
                continue;
            }

            var shard = _shards[shardIndex];
            lock (shard.Lock)
            {
                positions.AsSpan().Fill(-1);
                for (var t = s; t < slots.Count; t++)
                {
                    if ((slots[t] & (_shards.Length - 1)) == shardIndex)
                    {
                        positions[slots[t] / _shards.Length] = t;
                    }
                }

                var wanted = 0;
                for (var k = 0; k < positions.Length; k++)
                {
                    wanted += positions[k] >= 0 ? shard.KeysInSlot((k * _shards.Length) + shardIndex) : 0;
                }

                if (wanted > 0)
                {
                    pass(shard, positions, wanted);
                }
            }
        }
    }

    /// <summary>One shard's part of a several-slot operation (<see cref="ForEachShardOf"/>).</summary>
    private delegate void ShardPass(StoreShard shard, int[] positions, int wanted);

    /// <summary>
    /// The live entry in <paramref name="index"/> and its slot's position if the slot is one of <paramref name="positions"/>;
    /// reclaims it if expired. Counts in <paramref name="met"/> every entry of those slots, live or not.
    /// </summary>
    private (byte[]? Entry, int At) LiveInSlots(StoreShard shard, int index, int[] positions, long now, ref int met)
    {
        var slot = shard.HashSlotAt(index);
        if (slot < 0 || positions[slot / _shards.Length] is var at && at < 0)
        {
            return default;
        }

        var entry = shard[index];
        met++;
        if (Entry.IsExpired(entry, now))
        {
            shard.RemoveExpiredAt(index);
            return default;
        }

        return (entry, at);
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
    /// Keys per hash slot (expired ones not yet reclaimed included) into <paramref name="counts"/>: each shard keeps its
    /// slots' counts as keys come and go, so this reads 16384 counters, not every entry.
    /// </summary>
    public void CountKeysPerSlot(Span<int> counts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(counts.Length, HashSlot.SlotCount);
        for (var s = 0; s < _shards.Length; s++)
        {
            var shard = _shards[s];
            lock (shard.Lock)
            {
                for (var slot = s; slot < HashSlot.SlotCount; slot += _shards.Length)
                {
                    counts[slot] = shard.KeysInSlot(slot);
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
