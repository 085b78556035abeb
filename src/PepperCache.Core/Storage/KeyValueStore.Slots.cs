using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Keys by cluster hash slot: CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT, and dropping the slots a node no longer owns.
public sealed partial class KeyValueStore
{
    /// <summary>Live keys whose hash slot is <paramref name="slot"/>.</summary>
    /// <remarks>
    /// A full walk of the keyspace, shard by shard under each shard's lock: there is no per-slot index, because
    /// keeping one would cost every write on the hot path, and these are admin commands.
    /// </remarks>
    public long CountKeysInSlot(int slot)
    {
        long count = 0;
        var now = Now;
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                for (var i = 0; i < limit; i++)
                {
                    if (shard.GetAt(i) is { } entry && !Entry.IsExpired(entry, now) && HashSlot.Of(Entry.GetKey(entry)) == slot)
                    {
                        count++;
                    }
                }
            }
        }

        return count;
    }

    /// <summary>Adds up to <paramref name="count"/> live keys of hash slot <paramref name="slot"/> to <paramref name="into"/>.</summary>
    public void GetKeysInSlot(int slot, int count, List<byte[]> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var now = Now;
        var added = 0;
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                for (var i = 0; i < limit && added < count; i++)
                {
                    if (shard.GetAt(i) is { } entry && !Entry.IsExpired(entry, now) && HashSlot.Of(Entry.GetKey(entry)) == slot)
                    {
                        into.Add(Entry.GetKey(entry).ToArray());
                        added++;
                    }
                }
            }

            if (added >= count)
            {
                return;
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
                    if (shard.GetAt(i) is { } entry && drop(HashSlot.Of(Entry.GetKey(entry))))
                    {
                        shard.RemoveAt(i);
                        removed++;
                    }
                }
            }
        }

        return removed;
    }
}
