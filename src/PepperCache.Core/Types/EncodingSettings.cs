namespace PepperCache.Core.Types;

/// <summary>
/// When a collection leaves its compact encoding, as Redis's <c>*-max-listpack-*</c> parameters say. Changed live by
/// CONFIG SET from any thread and read by every write to a collection, so each is a single volatile field. A
/// collection converts when a write crosses a limit and never converts back, as in Redis.
/// </summary>
public sealed class EncodingSettings
{
    private long _hllSparseMaxBytes = HyperLogLog.DefaultSparseMaxBytes;

    /// <summary><c>hll-sparse-max-bytes</c>: the longest a sparse HyperLogLog grows before PFADD makes it dense.</summary>
    public long HllSparseMaxBytes
    {
        get => Volatile.Read(ref _hllSparseMaxBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _hllSparseMaxBytes, value);
        }
    }

    private long _hashMaxListpackEntries = 512;
    private long _hashMaxListpackValue = 64;
    private long _setMaxIntsetEntries = 512;
    private long _zsetMaxListpackEntries = 128;
    private long _zsetMaxListpackValue = 64;
    private long _listMaxListpackSize = -2;

    /// <summary><c>hash-max-listpack-entries</c> (alias <c>hash-max-ziplist-entries</c>): most fields a listpack hash holds.</summary>
    public long HashMaxListpackEntries
    {
        get => Volatile.Read(ref _hashMaxListpackEntries);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _hashMaxListpackEntries, value);
        }
    }

    /// <summary><c>hash-max-listpack-value</c> (alias <c>hash-max-ziplist-value</c>): longest field or value, in bytes, a listpack hash holds.</summary>
    public long HashMaxListpackValue
    {
        get => Volatile.Read(ref _hashMaxListpackValue);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _hashMaxListpackValue, value);
        }
    }

    /// <summary><c>set-max-intset-entries</c>: most members an intset holds (Redis caps it at 2^30 whatever this says).</summary>
    public long SetMaxIntsetEntries
    {
        get => Volatile.Read(ref _setMaxIntsetEntries);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _setMaxIntsetEntries, value);
        }
    }

    /// <summary><c>zset-max-listpack-entries</c> (alias <c>zset-max-ziplist-entries</c>): most members a listpack sorted set holds.</summary>
    public long ZsetMaxListpackEntries
    {
        get => Volatile.Read(ref _zsetMaxListpackEntries);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _zsetMaxListpackEntries, value);
        }
    }

    /// <summary><c>zset-max-listpack-value</c> (alias <c>zset-max-ziplist-value</c>): longest member, in bytes, a listpack sorted set holds.</summary>
    public long ZsetMaxListpackValue
    {
        get => Volatile.Read(ref _zsetMaxListpackValue);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _zsetMaxListpackValue, value);
        }
    }

    /// <summary>
    /// <c>list-max-listpack-size</c> (alias <c>list-max-ziplist-size</c>): Redis's quicklist node size (negative: a
    /// byte limit class, positive: entries). Kept for CONFIG; lists here are one ring of elements (see
    /// <see cref="ListObject"/>), and Redis 7.0 reports every list as a quicklist whatever this says.
    /// </summary>
    public long ListMaxListpackSize
    {
        get => Volatile.Read(ref _listMaxListpackSize);
        set => Volatile.Write(ref _listMaxListpackSize, value);
    }
}
