namespace PepperCache.Core.Types;

/// <summary>
/// When a collection leaves its compact encoding, as Redis's <c>*-max-listpack-*</c> parameters say. Changed live by
/// CONFIG SET from any thread and read by every write to a collection, so each is a single volatile field. A
/// collection converts when a write crosses a limit and never converts back, as in Redis.
/// </summary>
public sealed class EncodingSettings
{
    private long _hashMaxListpackEntries = 512;
    private long _hashMaxListpackValue = 64;
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
