using System.Runtime.InteropServices;

namespace PepperCache.Core.Storage;

/// <summary>
/// The store-wide count of heap bytes the keyspace holds, kept for the maxmemory check that runs before every
/// command. Shards add their changes in batches (<see cref="PublishThreshold"/>), so writers on different cores
/// rarely touch this counter; it is exact to within shards x threshold, eviction publishes what it frees at once, and
/// a change of limit has every shard publish what it held back.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal sealed class MemoryMeter
{
    // The threshold, read by every write, and the counter, written by every publication, sit on cache lines of their
    // own: a publication on one core must not evict the line every other core's writes read.
    [FieldOffset(0)]
    private int _publishThreshold = MaxThreshold;

    [FieldOffset(128)]
    private long _bytes;

    /// <summary>Largest batch a shard keeps to itself before adding it here.</summary>
    public const int MaxThreshold = 16 * 1024;

    private const int MinThreshold = 256;

    public long Bytes => Volatile.Read(ref _bytes);

    public int PublishThreshold => _publishThreshold;

    public void Add(long delta) => Interlocked.Add(ref _bytes, delta);

    /// <summary>
    /// Sizes the batches for a limit of <paramref name="maxMemory"/> bytes over <paramref name="shards"/> shards: the
    /// error, shards x threshold, stays under 1/64 of the limit (floor 256 B, ceiling 16 KB a shard).
    /// </summary>
    public void SizeFor(long maxMemory, int shards)
        => _publishThreshold = maxMemory == 0 ? MaxThreshold : (int)Math.Clamp(maxMemory / shards / 64, MinThreshold, MaxThreshold);
}
