namespace PepperCache.Core.Storage;

// Expiry: TTL reads and writes, and active expiry. Lazy expiry lives in FindLive.
public sealed partial class KeyValueStore
{
    private int _expireShard;
    private int _expireSlot;

    /// <summary>
    /// EXPIRE family. Returns true when the expiry was set, or the key deleted because
    /// <paramref name="expiresAt"/> is not in the future; false when the key is missing or the condition fails.
    /// </summary>
    /// <remarks>
    /// Conditions follow Redis 7: a key without expiry counts as an infinite TTL, so GT always fails on it and
    /// LT always passes. A deletion for a past time is a plain delete, not counted in <see cref="ExpiredKeys"/>.
    /// </remarks>
    public bool SetExpiry(ReadOnlySpan<byte> key, long expiresAt, ExpireCondition condition)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, (uint)hash, now);
            if (index < 0)
            {
                return false;
            }

            var current = Entry.GetExpiresAt(shard[index]);
            var hasExpiry = current != Entry.NoExpiry;
            var allowed = condition switch
            {
                ExpireCondition.IfNoExpiry => !hasExpiry,
                ExpireCondition.IfHasExpiry => hasExpiry,
                ExpireCondition.IfGreater => hasExpiry && expiresAt > current,
                ExpireCondition.IfLess => !hasExpiry || expiresAt < current,
                ExpireCondition.IfHasExpiryAndLess => hasExpiry && expiresAt < current,
                _ => true,
            };
            if (!allowed)
            {
                return false;
            }

            if (expiresAt <= now)
            {
                shard.RemoveAt(index);
            }
            else
            {
                shard.SetExpiresAt(index, expiresAt);
            }

            return true;
        }
    }

    /// <summary>Absolute expiry in Unix ms; -1 when the key has none, -2 when the key is missing.</summary>
    public long GetExpiresAt(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLiveNoTouch(shard, key, (uint)hash, Now);
            if (index < 0)
            {
                return -2;
            }

            var expiresAt = Entry.GetExpiresAt(shard[index]);
            return expiresAt == Entry.NoExpiry ? -1 : expiresAt;
        }
    }

    /// <summary>PERSIST: true when an expiry was removed.</summary>
    public bool Persist(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLive(shard, key, (uint)hash);
            if (index < 0 || Entry.GetExpiresAt(shard[index]) == Entry.NoExpiry)
            {
                return false;
            }

            shard.SetExpiresAt(index, Entry.NoExpiry);
            return true;
        }
    }

    /// <summary>
    /// Active expiry: examines up to <paramref name="budget"/> keys that carry an expiry, resuming where the last
    /// call stopped, and removes those that have expired. Returns how many were removed.
    /// </summary>
    /// <remarks>Called from one thread only (the expiry service): the resume position is not shared.</remarks>
    public int RemoveExpired(int budget)
    {
        var now = Now;
        var removed = 0;
        var examined = 0;
        // Slots without an expiry cost a visit too; cap visits so one call stays short however the keys are mixed.
        var visitsLeft = budget * 20;
        for (var shardsVisited = 0; shardsVisited < _shards.Length && examined < budget && visitsLeft > 0; shardsVisited++)
        {
            var shard = _shards[_expireShard];
            lock (shard.Lock)
            {
                if (shard.VolatileCount > 0)
                {
                    var limit = shard.SlotLimit;
                    while (_expireSlot < limit && examined < budget && visitsLeft > 0)
                    {
                        visitsLeft--;
                        var entry = shard.GetAt(_expireSlot);
                        if (entry is not null && Entry.GetExpiresAt(entry) != Entry.NoExpiry)
                        {
                            examined++;
                            if (Entry.IsExpired(entry, now))
                            {
                                shard.RemoveExpiredAt(_expireSlot);
                                removed++;
                            }
                        }

                        _expireSlot++;
                    }

                    if (_expireSlot < limit)
                    {
                        break;
                    }
                }

                // A shard emptied by expiry gives its table memory back (see StoreShard.TryShrink).
                shard.TryShrink();
            }

            _expireShard = (_expireShard + 1) & (_shards.Length - 1);
            _expireSlot = 0;
        }

        return removed;
    }

    /// <summary>
    /// Keys removed because they expired, by active expiry or lazily when touched (INFO stats <c>expired_keys</c>).
    /// </summary>
    public long ExpiredKeys
    {
        get
        {
            long total = 0;
            foreach (var shard in _shards)
            {
                // A torn read is impossible for a long on 64-bit, and a slightly stale sum is fine for INFO.
                total += shard.ExpiredRemoved;
            }

            return total;
        }
    }
}
