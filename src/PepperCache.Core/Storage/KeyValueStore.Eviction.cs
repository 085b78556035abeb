namespace PepperCache.Core.Storage;

// Eviction, as Redis's evict.c: sample keys, keep the best candidates seen in a pool that lives across calls, evict
// the best one still unchanged. Sampling one key from each of several random shards draws from the whole keyspace,
// so the quality does not depend on the shard count.
public sealed partial class KeyValueStore
{
    /// <summary>Redis's EVPOOL_SIZE.</summary>
    private const int PoolSize = 16;

    // Rounds in a row that found nothing to evict before the policy counts as unable to free memory.
    private const int MaxBarrenRounds = 16;

    // Random probes in a shard before walking it for a key the policy may evict (sparse volatile keys).
    private const int ProbesPerShard = 16;

    private readonly Lock _evictionLock = new();

    // The last round under _evictionLock found nothing to evict: callers then wait for the lock instead of passing.
    private bool _lastRoundFailed;
    private readonly EvictionCandidate[] _pool = new EvictionCandidate[PoolSize];
    private int _poolCount;

    // The policy the pool's candidates were scored under: their scores mean nothing to another one.
    private EvictionPolicy _poolPolicy;

    /// <summary>
    /// Evicts keys by the policy until the keyspace is under maxmemory, at most <paramref name="maxKeys"/> of them.
    /// Expired keys met while sampling are reclaimed on the way (they count as expired, not evicted).
    /// </summary>
    /// <remarks>
    /// Callers that log writes must hold their log's order while this runs, and log each key
    /// <paramref name="listener"/> is told of, so a replay never brings back an evicted key.
    /// <para>
    /// A call that finds another thread evicting does not wait for it: it answers <see cref="EvictionOutcome.Running"/>
    /// and its command runs, as Redis runs a command while eviction is still under way. The thread evicting goes on
    /// until the keyspace is under the limit, this command's write included (the meter counts every write at once
    /// while eviction runs), so the node overshoots by at most a write per thread. Waiting instead put two loop threads
    /// that evict for every write to sleep on each other's lock: measured at 2 cores, a quarter of the CPU went to
    /// the futex calls. Once a round has found nothing the policy may evict, callers wait for the lock again, so that
    /// each gets its own answer and a write that must be refused (OOM) is.
    /// </para>
    /// </remarks>
    public EvictionOutcome Evict(int maxKeys, IEvictionListener? listener)
    {
        var policy = Memory.Policy;
        if (policy == EvictionPolicy.NoEviction)
        {
            return IsOverMemoryLimit ? EvictionOutcome.Failed : EvictionOutcome.Ok;
        }

        if (!_evictionLock.TryEnter())
        {
            if (!Volatile.Read(ref _lastRoundFailed))
            {
                return EvictionOutcome.Running;
            }

            _evictionLock.Enter();
        }

        var outcome = EvictionOutcome.Running;
        try
        {
            outcome = EvictUnderLock(policy, maxKeys, listener);
            return outcome;
        }
        finally
        {
            Volatile.Write(ref _lastRoundFailed, outcome == EvictionOutcome.Failed);
            _evictionLock.Exit();
        }
    }

    private EvictionOutcome EvictUnderLock(EvictionPolicy policy, int maxKeys, IEvictionListener? listener)
    {
        if (policy != _poolPolicy)
        {
            Array.Clear(_pool);
            _poolCount = 0;
            _poolPolicy = policy;
        }

        var evicted = 0;
        var barren = 0;
        while (IsOverMemoryLimit)
        {
            if (evicted >= maxKeys)
            {
                return EvictionOutcome.Running;
            }

            _meter.PublishEveryChange();

            var freed = policy.IsRandom() ? EvictRandom(policy.IsVolatile(), listener) : EvictFromPool(policy, listener);
            if (freed)
            {
                evicted++;
                barren = 0;
            }
            else if (++barren >= MaxBarrenRounds)
            {
                return EvictionOutcome.Failed;
            }
        }

        return EvictionOutcome.Ok;
    }

    /// <summary>
    /// Hands the entry arrays this thread's evictions kept for its own next writes to every thread's (as far as there
    /// is room; the GC gets the rest): for a thread that evicts but does not write, such as the expiry service's.
    /// </summary>
    public static void ReleaseKeptEntries() => EntryRecycler.Release();

    private bool EvictRandom(bool volatileOnly, IEvictionListener? listener)
    {
        var now = Now;
        var shard = RandomShard(volatileOnly);
        if (shard is null)
        {
            return false;
        }

        lock (shard.Lock)
        {
            var index = SampleShard(shard, volatileOnly);
            if (index < 0)
            {
                return false;
            }

            Remove(shard, index, now, listener);
            return true;
        }
    }

    private bool EvictFromPool(EvictionPolicy policy, IEvictionListener? listener)
    {
        var now = Now;
        if (!FillPool(policy, now))
        {
            // Sampling reclaimed expired keys: memory was freed without evicting anything.
            return true;
        }

        while (_poolCount > 0)
        {
            var candidate = _pool[--_poolCount];
            _pool[_poolCount] = default;
            var shard = candidate.Shard;
            lock (shard.Lock)
            {
                // Skip a key removed or written since it was sampled (another entry in its slot), used since (its
                // access bits moved on), or under a volatile policy persisted since (its expiry is cleared in place,
                // so the entry is the same). Nothing is read from the candidate's array before it is found in its
                // slot: once removed, an array may be reused for another key (EntryRecycler).
                var index = candidate.Slot;
                if (index < shard.SlotLimit
                    && ReferenceEquals(shard.GetAt(index), candidate.Entry)
                    && Entry.GetAccess(candidate.Entry) == candidate.Access
                    && Evictable(candidate.Entry, policy.IsVolatile()))
                {
                    Remove(shard, index, now, listener);
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Samples maxmemory-samples keys, one from each of as many random shards, into the pool. Returns false when it
    /// reclaimed an expired key instead (memory was freed; evicting may no longer be needed).
    /// </summary>
    private bool FillPool(EvictionPolicy policy, long now)
    {
        var volatileOnly = policy.IsVolatile();
        var frequency = policy.UsesFrequency();
        var reclaimed = false;
        for (var sample = Math.Min(Memory.Samples, MemorySettings.MaxEffectiveSamples); sample > 0; sample--)
        {
            var shard = RandomShard(volatileOnly);
            if (shard is null)
            {
                break;
            }

            lock (shard.Lock)
            {
                var index = SampleShard(shard, volatileOnly);
                if (index < 0)
                {
                    continue;
                }

                var entry = shard[index];
                if (Entry.IsExpired(entry, now))
                {
                    shard.RemoveToMakeRoom(index, expired: true);
                    EntryRecycler.Offer(entry);
                    reclaimed = true;
                    continue;
                }

                var access = Entry.GetAccess(entry);
                var score = policy == EvictionPolicy.VolatileTtl ? long.MaxValue - Entry.GetExpiresAt(entry)
                    : frequency ? 255 - AccessBits.DecayedCounter(access, AccessNow, Memory.LfuDecayTime)
                    : AccessBits.IdleMs(access, AccessNow);
                Offer(new EvictionCandidate(entry, shard, index, score, access));
            }
        }

        return !reclaimed;
    }

    /// <summary>Keeps the pool's best candidates in ascending order of score (the best is last), as Redis's pool.</summary>
    private void Offer(EvictionCandidate candidate)
    {
        for (var i = 0; i < _poolCount; i++)
        {
            if (ReferenceEquals(_pool[i].Entry, candidate.Entry))
            {
                return;
            }
        }

        var position = 0;
        while (position < _poolCount && _pool[position].Score < candidate.Score)
        {
            position++;
        }

        if (_poolCount == PoolSize)
        {
            if (position == 0)
            {
                return;
            }

            // Full: the worst candidate (first) makes room.
            Array.Copy(_pool, 1, _pool, 0, position - 1);
            _pool[position - 1] = candidate;
            return;
        }

        Array.Copy(_pool, position, _pool, position + 1, _poolCount - position);
        _pool[position] = candidate;
        _poolCount++;
    }

    private void Remove(StoreShard shard, int index, long now, IEvictionListener? listener)
    {
        var entry = shard[index];
        var expired = Entry.IsExpired(entry, now);
        if (!expired)
        {
            listener?.OnEvicted(Entry.GetKey(entry));
        }

        shard.RemoveToMakeRoom(index, expired);
        EntryRecycler.Offer(entry);
    }

    /// <summary>A shard holding keys the policy may evict, from a random start; null when none does.</summary>
    private StoreShard? RandomShard(bool volatileOnly)
    {
        var start = Random.Shared.Next(_shards.Length);
        for (var i = 0; i < _shards.Length; i++)
        {
            var shard = _shards[(start + i) & (_shards.Length - 1)];
            // Read without the lock: a stale count only sends the sample to another shard.
            if (volatileOnly ? shard.VolatileCount > 0 : shard.Count > 0)
            {
                return shard;
            }
        }

        return null;
    }

    /// <summary>A random occupied slot index of <paramref name="shard"/> the policy may evict, or -1. Under the shard lock.</summary>
    private static int SampleShard(StoreShard shard, bool volatileOnly)
    {
        var limit = shard.SlotLimit;
        if (limit == 0 || (volatileOnly ? shard.VolatileCount : shard.Count) == 0)
        {
            return -1;
        }

        var random = Random.Shared;
        for (var probe = 0; probe < ProbesPerShard; probe++)
        {
            var index = random.Next(limit);
            if (Evictable(shard.GetAt(index), volatileOnly))
            {
                return index;
            }
        }

        // Few slots qualify (mostly free, or few keys with a TTL): walk from a random start, at most one shard's worth.
        var start = random.Next(limit);
        for (var i = 0; i < limit; i++)
        {
            var index = start + i < limit ? start + i : start + i - limit;
            if (Evictable(shard.GetAt(index), volatileOnly))
            {
                return index;
            }
        }

        return -1;
    }

    private static bool Evictable(byte[]? entry, bool volatileOnly)
        => entry is not null && (!volatileOnly || Entry.GetExpiresAt(entry) != Entry.NoExpiry);

    private readonly record struct EvictionCandidate(byte[] Entry, StoreShard Shard, int Slot, long Score, uint Access);
}
