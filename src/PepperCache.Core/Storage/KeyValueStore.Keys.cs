namespace PepperCache.Core.Storage;

// Keyspace operations: rename, random key.
public sealed partial class KeyValueStore
{
    // Random probes before RandomKey falls back to walking the shards: enough that a reasonably dense store
    // almost always answers from a probe, few enough that a sparse or mostly expired one is not hammered.
    private const int RandomKeyProbes = 64;

    /// <summary>RENAME / RENAMENX (<paramref name="onlyIfTargetMissing"/>). The value keeps its expiry.</summary>
    /// <remarks>
    /// As in Redis, renaming a key to itself succeeds for RENAME and reports <see cref="RenameResult.TargetExists"/>
    /// for RENAMENX, provided the key exists. A target's own expiry is replaced by the source's.
    /// </remarks>
    public RenameResult Rename(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, bool onlyIfTargetMissing)
    {
        var sourceHash = Hash(source);
        var targetHash = Hash(target);
        var sourceIndex = ShardIndex(source);
        var targetIndex = ShardIndex(target);
        var sourceShard = _shards[sourceIndex];
        var targetShard = _shards[targetIndex];
        var firstLock = sourceIndex <= targetIndex ? sourceShard.Lock : targetShard.Lock;
        var secondLock = sourceIndex <= targetIndex ? targetShard.Lock : sourceShard.Lock;
        firstLock.Enter();
        if (sourceIndex != targetIndex)
        {
            secondLock.Enter();
        }

        try
        {
            var now = Now;
            var sourceSlot = FindLive(sourceShard, source, (uint)sourceHash, now);
            if (sourceSlot < 0)
            {
                return RenameResult.NoSuchKey;
            }

            if (source.SequenceEqual(target))
            {
                return onlyIfTargetMissing ? RenameResult.TargetExists : RenameResult.Renamed;
            }

            var targetSlot = FindLive(targetShard, target, (uint)targetHash, now);
            if (targetSlot >= 0 && onlyIfTargetMissing)
            {
                return RenameResult.TargetExists;
            }

            // The value moves whole, as Redis moves the object: its type, encoding, access bits and collection.
            var old = sourceShard[sourceSlot];
            var value = sourceShard.ObjectAt(sourceSlot);
            var oldValue = Entry.GetValue(old);
            var entry = Entry.CreateUninitialized(target, oldValue.Length, Entry.GetExpiresAt(old));
            oldValue.CopyTo(entry.AsSpan(Entry.GetValueOffset(entry)));
            Entry.SetMeta(entry, Entry.GetMeta(old) & Entry.PortableMetaMask);
            // Slots are stable, so removing the source first leaves targetSlot valid when both share a shard.
            sourceShard.RemoveAt(sourceSlot);
            if (targetSlot >= 0)
            {
                targetShard.Replace(targetSlot, entry);
            }
            else
            {
                targetSlot = targetShard.Add(entry, (uint)targetHash);
            }

            targetShard.SetObject(targetSlot, value);

            return RenameResult.Renamed;
        }
        finally
        {
            if (sourceIndex != targetIndex)
            {
                secondLock.Exit();
            }

            firstLock.Exit();
        }
    }

    /// <summary>RANDOMKEY: a live key chosen at random, or null when the store is empty.</summary>
    /// <remarks>
    /// Expired keys met on the way are reclaimed, as Redis does. A few random slot probes answer for any store
    /// that is not mostly empty slots; otherwise one walk from a random shard finds a key or proves there is none.
    /// </remarks>
    public byte[]? RandomKey()
    {
        var now = Now;
        var random = Random.Shared;
        for (var probe = 0; probe < RandomKeyProbes; probe++)
        {
            var shard = _shards[random.Next(_shards.Length)];
            lock (shard.Lock)
            {
                if (shard.Count == 0)
                {
                    continue;
                }

                var slot = random.Next(shard.SlotLimit);
                var entry = shard.GetAt(slot);
                if (entry is null)
                {
                    continue;
                }

                if (Entry.IsExpired(entry, now))
                {
                    shard.RemoveExpiredAt(slot);
                    continue;
                }

                return Entry.GetKey(entry).ToArray();
            }
        }

        var start = random.Next(_shards.Length);
        for (var i = 0; i < _shards.Length; i++)
        {
            var shard = _shards[(start + i) & (_shards.Length - 1)];
            lock (shard.Lock)
            {
                var limit = shard.SlotLimit;
                var offset = limit == 0 ? 0 : random.Next(limit);
                for (var j = 0; j < limit && shard.Count > 0; j++)
                {
                    var slot = offset + j < limit ? offset + j : offset + j - limit;
                    var entry = shard.GetAt(slot);
                    if (entry is null)
                    {
                        continue;
                    }

                    if (Entry.IsExpired(entry, now))
                    {
                        shard.RemoveExpiredAt(slot);
                        continue;
                    }

                    return Entry.GetKey(entry).ToArray();
                }
            }
        }

        return null;
    }
}
