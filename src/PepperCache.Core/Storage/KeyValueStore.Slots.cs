using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Keys by cluster hash slot (CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT, slot migration, dropping unowned slots). A slot's keys all live in
// shard (slot mod shard count), so each call reads one shard under its lock.
public sealed partial class KeyValueStore
{
    /// <summary>Live keys in hash slot <paramref name="slot"/> (expired keys met on the way are reclaimed).</summary>
    public long CountKeysInSlot(int slot)
    {
        var shard = ShardOfSlot(slot);
        var now = Now;
        long found = 0;
        lock (shard.Lock)
        {
            if (shard.KeysInSlot(slot) == 0)
            {
                return 0;
            }

            var limit = shard.SlotLimit;
            for (var i = 0; i < limit; i++)
            {
                if (LiveInSlot(shard, i, slot, now) is not null)
                {
                    found++;
                }
            }
        }

        return found;
    }

    /// <summary>Adds up to <paramref name="count"/> live keys of hash slot <paramref name="slot"/> to <paramref name="into"/>.</summary>
    public void GetKeysInSlot(int slot, int count, List<byte[]> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var shard = ShardOfSlot(slot);
        var now = Now;
        lock (shard.Lock)
        {
            var limit = shard.SlotLimit;
            for (var i = 0; i < limit && count > 0; i++)
            {
                if (LiveInSlot(shard, i, slot, now) is { } entry)
                {
                    into.Add(Entry.GetKey(entry).ToArray());
                    count--;
                }
            }
        }
    }

    /// <summary>Deletes every key whose hash slot <paramref name="drop"/> accepts; returns how many were deleted.</summary>
    public long RemoveKeysInSlots(Predicate<int> drop)
    {
        ArgumentNullException.ThrowIfNull(drop);
        long removed = 0;
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                for (var i = 0; i < limit && shard.Count > 0; i++)
                {
                    if (shard.HashSlotAt(i) is var slot and >= 0 && drop(slot))
                    {
                        shard.RemoveAt(i);
                        removed++;
                    }
                }
            }
        }

        return removed;
    }

    /// <summary>The shard holding every key of hash slot <paramref name="slot"/> (checked to be a slot).</summary>
    private StoreShard ShardOfSlot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, HashSlot.SlotCount);
        return _shards[slot & (_shards.Length - 1)];
    }

    /// <summary>The live entry in table position <paramref name="index"/> if its key hashes to <paramref name="slot"/>; reclaims it if expired.</summary>
    private static byte[]? LiveInSlot(StoreShard shard, int index, int slot, long now)
    {
        if (shard.HashSlotAt(index) != slot)
        {
            return null;
        }

        var entry = shard[index];
        if (Entry.IsExpired(entry, now))
        {
            shard.RemoveExpiredAt(index);
            return null;
        }

        return entry;
    }
}
