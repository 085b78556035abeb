using System.Runtime.InteropServices;

namespace PepperCache.Core.Storage;

/// <summary>
/// The store-wide count of heap bytes the keyspace holds, kept for the maxmemory check that runs before every
/// command. Shards add their changes in batches (<see cref="PublishThreshold"/>), so writers on different cores
/// rarely touch this counter; it is exact to within shards x threshold, eviction publishes what it frees at once, and
/// a change of limit has every shard publish what it held back. While eviction runs, every change is published at once
/// (<see cref="PublishEveryChange"/>), so the node evicts for each write as Redis does.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal sealed class MemoryMeter
{
    // The threshold, read by every write, and the counter, written by every publication, sit on cache lines of their
    // own: a publication on one core must not evict the line every other core's writes read.
    [FieldOffset(0)]
    private int _publishThreshold = MaxThreshold;

    // What SizeFor chose; _publishThreshold leaves it while the keyspace is at its limit (PublishEveryChange).
    [FieldOffset(4)]
    private int _batchThreshold = MaxThreshold;

    [FieldOffset(128)]
    private long _bytes;

    /// <summary>Largest batch a shard keeps to itself before adding it here.</summary>
    public const int MaxThreshold = 16 * 1024;

    private const int MinThreshold = 256;

    private const int AtLimitThreshold = 1;

    public long Bytes => Volatile.Read(ref _bytes);

    public int PublishThreshold => _publishThreshold;

    public void Add(long delta) => Interlocked.Add(ref _bytes, delta);

    /// <summary>
    /// Sizes the batches for a limit of <paramref name="maxMemory"/> bytes over <paramref name="shards"/> shards: the
    /// error, shards x threshold, stays under 1/64 of the limit (floor 256 B, ceiling 16 KB a shard).
    /// </summary>
    public void SizeFor(long maxMemory, int shards)
        => _publishThreshold = _batchThreshold =
            maxMemory == 0 ? MaxThreshold : (int)Math.Clamp(maxMemory / shards / 64, MinThreshold, MaxThreshold);

    /// <summary>True while every change is published at once (<see cref="PublishEveryChange"/>).</summary>
    public bool PublishesEveryChange => _publishThreshold == AtLimitThreshold;

    /// <summary>
    /// From now on each shard publishes every change of its size (a write costs one shared add): for a keyspace at its
    /// limit, where eviction then frees what each write takes as it takes it. In batches, evictions come in bursts
    /// and lulls as the batches' random sizes add up, and the entry arrays eviction frees for the next writes
    /// (EntryRecycler) are too many in a burst and too few in a lull: measured, an eighth of the writes at the limit
    /// allocated anyway, and as many freed arrays went to the GC.
    /// </summary>
    public void PublishEveryChange()
    {
        if (_publishThreshold != AtLimitThreshold)
        {
            _publishThreshold = AtLimitThreshold;
        }
    }

    /// <summary>Back to batches of the size <see cref="SizeFor"/> chose, once the keyspace is clear of its limit.</summary>
    public void PublishInBatches()
    {
        if (_publishThreshold != _batchThreshold)
        {
            _publishThreshold = _batchThreshold;
        }
    }
}
