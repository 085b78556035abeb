namespace PepperCache.Core.Storage;

// Keyspace operations: expiry, rename, random key.
public sealed partial class KeyValueStore
{
    private int _expireShard;
    private int _expireSlot;
    private long _expiredKeys;

    /// <summary>
    /// EXPIRE family. Returns true when the expiry was set, or the key deleted because
    /// <paramref name="expiresAt"/> is not in the future; false when the key is missing or the condition fails.
    /// </summary>
    public bool SetExpiry(ReadOnlySpan<byte> key, long expiresAt, ExpireCondition condition)
        => throw new NotImplementedException();

    /// <summary>Absolute expiry in Unix ms; -1 when the key has none, -2 when the key is missing.</summary>
    public long GetExpiresAt(ReadOnlySpan<byte> key) => throw new NotImplementedException();

    /// <summary>PERSIST: true when an expiry was removed.</summary>
    public bool Persist(ReadOnlySpan<byte> key) => throw new NotImplementedException();

    /// <summary>RENAME / RENAMENX (<paramref name="onlyIfTargetMissing"/>). The value keeps its expiry.</summary>
    public RenameResult Rename(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, bool onlyIfTargetMissing)
        => throw new NotImplementedException();

    /// <summary>RANDOMKEY: a live key chosen at random, or null when the store is empty.</summary>
    public byte[]? RandomKey() => throw new NotImplementedException();

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
                                shard.RemoveAt(_expireSlot);
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
            }

            _expireShard = (_expireShard + 1) & (_shards.Length - 1);
            _expireSlot = 0;
        }

        Interlocked.Add(ref _expiredKeys, removed);
        return removed;
    }

    /// <summary>Keys removed by active expiry so far (INFO stats <c>expired_keys</c>, active part).</summary>
    public long ExpiredKeys => Interlocked.Read(ref _expiredKeys);
}
