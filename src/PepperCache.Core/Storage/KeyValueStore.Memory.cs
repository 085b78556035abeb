namespace PepperCache.Core.Storage;

// Memory: what the keyspace holds, the limit, and the statistics INFO reports about them.
public sealed partial class KeyValueStore
{
    /// <summary>The limit and the eviction parameters (CONFIG SET changes them live).</summary>
    public MemorySettings Memory { get; }

    /// <summary>
    /// Heap bytes the keyspace holds (tables, entries, collections), as the maxmemory check sees it: batched per
    /// shard, so it lags the truth by at most a few bytes per shard (see <see cref="MemoryMeter"/>).
    /// </summary>
    public long UsedMemory => _meter.Bytes;

    /// <summary>The same as <see cref="UsedMemory"/> summed from every shard now, for INFO and MEMORY STATS.</summary>
    public long UsedMemoryExact
    {
        get
        {
            var total = BuildingMemory;
            foreach (var shard in _shards)
            {
                total += shard.UsedBytes;
            }

            return total;
        }
    }

    /// <summary>
    /// Heap bytes of collections the node is building outside the keyspace: a large collection a slot import is
    /// rebuilding from pieces, counted by its own figure (<see cref="StoreObject.HeapSize"/>, as it will count once
    /// stored). Part of <see cref="UsedMemory"/> and <see cref="UsedMemoryExact"/>, so maxmemory sees it before the
    /// collection is installed; whoever holds such a collection adds and takes back its bytes here.
    /// </summary>
    public long BuildingMemory => Interlocked.Read(ref _buildingBytes);

    private long _buildingBytes;

    /// <summary>
    /// Adds <paramref name="delta"/> bytes (negative: gives them back) to <see cref="BuildingMemory"/>. Straight into
    /// the store-wide count, not batched as a shard's changes are: a piece changes it by up to megabytes, a few times a
    /// second at most, and the next command's maxmemory check must see it.
    /// </summary>
    public void AddBuildingMemory(long delta)
    {
        if (delta != 0)
        {
            Interlocked.Add(ref _buildingBytes, delta);
            _meter.Add(delta);
        }
    }

    /// <summary>What the keyspace holds with no key in it: the empty tables (MEMORY STATS's startup allocation).</summary>
    public long EmptyMemory => _shards.Length * StoreShard.EmptyBytes(int.Log2(_shards.Length));

    /// <summary>
    /// The part of <see cref="UsedMemoryExact"/> that is the tables (buckets, slots, object columns) rather than the
    /// entries and collections in them: MEMORY STATS's overhead.hashtable.main. At least <see cref="EmptyMemory"/>.
    /// </summary>
    public long TableMemory => SumShards(static shard => shard.TableOverheadBytes);

    /// <summary>
    /// Periodically (the expiry service's tick): once the keyspace is clear of its limit by more than the meter's
    /// error in batches, its shards go back to publishing in batches (eviction had them publish every change).
    /// </summary>
    public void ReviewMemoryMeter()
    {
        var max = Memory.MaxMemory;
        // A limit changed or removed has already put the meter back to batches (OnMaxMemoryChanged).
        if (_meter.PublishesEveryChange && _meter.Bytes < max - (max / 32))
        {
            _meter.PublishInBatches();
        }
    }

    /// <summary>True when a limit is set and the keyspace is over it: eviction should run before the next command.</summary>
    public bool IsOverMemoryLimit
    {
        get
        {
            var max = Memory.MaxMemory;
            return max != 0 && _meter.Bytes > max;
        }
    }

    /// <summary>Keys removed to stay under maxmemory (INFO stats <c>evicted_keys</c>).</summary>
    public long EvictedKeys => SumShards(static shard => shard.EvictedRemoved);

    /// <summary>
    /// Sizes the shards' batches for the new limit and has every shard hand over what it held back: under the old
    /// threshold (16 KB a shard without a limit) the count could lag by megabytes, and a limit set now is checked
    /// against it from the next command on.
    /// </summary>
    private void OnMaxMemoryChanged()
    {
        _meter.SizeFor(Memory.MaxMemory, _shards.Length);
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.Publish(force: true);
            }
        }
    }

    // Counters written under each shard's lock and read here without it: a stale sum is fine for statistics.
    private long SumShards(Func<StoreShard, long> counter)
    {
        long total = 0;
        foreach (var shard in _shards)
        {
            total += counter(shard);
        }

        return total;
    }
}
