using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Value operations: each is one atomic step under the key's shard lock.
public sealed partial class KeyValueStore
{
    /// <summary>GETDEL: reads and removes the key.</summary>
    public bool TryGetDelete(ReadOnlySpan<byte> key, out StoreValue value) => throw new NotImplementedException();

    /// <summary>
    /// GETEX: reads the key and, when <paramref name="persist"/> is set, removes its expiry, or when
    /// <paramref name="expiresAt"/> is non-zero sets it (a time already past deletes the key after the read).
    /// </summary>
    public bool TryGetAndExpire(ReadOnlySpan<byte> key, long expiresAt, bool persist, out StoreValue value)
        => throw new NotImplementedException();

    /// <summary>INCRBY/DECRBY/INCR/DECR. A missing key counts as 0; the expiry is kept.</summary>
    public IncrementResult IncrementBy(ReadOnlySpan<byte> key, long delta, out long result)
        => throw new NotImplementedException();

    /// <summary>INCRBYFLOAT. <paramref name="result"/> is the stored text, formatted as Redis formats it.</summary>
    public IncrementResult IncrementByFloat(ReadOnlySpan<byte> key, double delta, out StoreValue result)
        => throw new NotImplementedException();

    /// <summary>APPEND: returns the new length. Creates the key when missing; keeps the expiry.</summary>
    public long Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => throw new NotImplementedException();

    /// <summary>
    /// SETRANGE: overwrites from <paramref name="offset"/>, zero-padding as needed; returns the new length.
    /// An empty <paramref name="value"/> changes nothing (and creates nothing). The caller checks the size limit.
    /// </summary>
    public long SetRange(ReadOnlySpan<byte> key, long offset, ReadOnlySpan<byte> value) => throw new NotImplementedException();

    /// <summary>STRLEN: 0 for a missing key.</summary>
    public long StringLength(ReadOnlySpan<byte> key) => throw new NotImplementedException();

    /// <summary>
    /// MSET (all-or-nothing to readers) and MSETNX: key/value pairs are arguments
    /// <paramref name="first"/>, <paramref name="first"/>+1, ... of <paramref name="request"/>. With
    /// <paramref name="onlyIfNoneExist"/>, nothing is written if any key exists, and false is returned.
    /// Written keys lose any expiry.
    /// </summary>
    public bool SetMany(RespRequest request, int first, bool onlyIfNoneExist) => throw new NotImplementedException();
}
