using System.Buffers;

namespace PepperCache.Core.Storage;

/// <summary>
/// A walk over a collection's elements in the order <see cref="StoreObject.Serialize"/> writes them, each in its
/// payload form. Slot migration sends a large collection in pieces with two of these: one measures the pieces, the
/// other writes them straight into the connection's buffer, so no array of the whole payload is ever made.
/// </summary>
/// <remarks>Walks a collection that nothing changes meanwhile (the export's private clone).</remarks>
public abstract class PayloadCursor
{
    /// <summary>Moves to the next element; false after the last.</summary>
    public abstract bool MoveNext();

    /// <summary>Bytes the current element takes in a payload.</summary>
    public abstract int Size { get; }

    /// <summary>Writes the current element as a payload holds it.</summary>
    public abstract void Write(IBufferWriter<byte> output);
}
