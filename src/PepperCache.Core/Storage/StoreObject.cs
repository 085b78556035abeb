namespace PepperCache.Core.Storage;

/// <summary>
/// The value of a key that is not a string: a collection that knows its type, its encoding and the managed heap
/// bytes it holds. It sits beside its key's entry in the shard and is read and changed only under the shard lock,
/// so replies from it are written under the lock too (copying out is only cheap for strings).
/// </summary>
public abstract class StoreObject
{
    public abstract DataType Type { get; }

    /// <summary>OBJECT ENCODING's answer (<c>listpack</c>, <c>hashtable</c>, <c>quicklist</c>...).</summary>
    public abstract ReadOnlySpan<byte> EncodingName { get; }

    /// <summary>Managed heap bytes this object holds, itself included: what memory accounting and eviction count.</summary>
    public abstract long HeapSize { get; }

    /// <summary>Elements held; a collection left empty by a command is deleted with its key, as Redis does.</summary>
    public abstract long Count { get; }
}
