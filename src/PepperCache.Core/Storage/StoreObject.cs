using System.Buffers;
using PepperCache.Core.Types;

namespace PepperCache.Core.Storage;

/// <summary>
/// The value of a key that is not a string: a collection that knows its type, its encoding and the managed heap
/// bytes it holds. It sits beside its key's entry in the shard and is read and changed only under the shard lock,
/// so replies from it are written under the lock too (copying out is only cheap for strings).
/// </summary>
/// <remarks>
/// What every type implements so that persistence and slot migration need nothing per type: a point-in-time
/// <see cref="Clone"/> (taken under the shard lock, read after it), the commands that rebuild it
/// (<see cref="WriteRestoreCommands"/>, for the AOF rewrite) and a frozen binary form (<see cref="Serialize"/>, read
/// back by <see cref="StoreObjectFormat"/>, for slot migration). <see cref="Version"/> tells a changed collection
/// from an unchanged one without comparing contents.
/// </remarks>
public abstract class StoreObject
{
    public abstract DataType Type { get; }

    /// <summary>OBJECT ENCODING's answer (<c>listpack</c>, <c>hashtable</c>, <c>quicklist</c>...).</summary>
    public abstract ReadOnlySpan<byte> EncodingName { get; }

    /// <summary>Managed heap bytes this object holds, itself included: what memory accounting and eviction count.</summary>
    public abstract long HeapSize { get; }

    /// <summary>Elements held; a collection left empty by a command is deleted with its key, as Redis does.</summary>
    public abstract long Count { get; }

    /// <summary>Raised by every change of content, so an object whose version is unchanged holds what it held.</summary>
    public long Version { get; private set; }

    /// <summary>An independent copy of the content now; cheap where elements are immutable arrays (only tables are copied).</summary>
    public abstract StoreObject Clone();

    /// <summary>
    /// RESP commands that rebuild this value at <paramref name="key"/> on an empty key (the AOF rewrite): at most
    /// <see cref="RestoreItemsPerCommand"/> elements a command, as Redis's AOF_REWRITE_ITEMS_PER_CMD. No expiry.
    /// </summary>
    public abstract void WriteRestoreCommands(ReadOnlySpan<byte> key, IBufferWriter<byte> output);

    /// <summary>The frozen binary form slot migration carries (see <see cref="StoreObjectFormat"/>).</summary>
    public abstract void Serialize(IBufferWriter<byte> output);

    /// <summary>
    /// The elements in <see cref="Serialize"/>'s order and form, one at a time: what a payload of some of them (a
    /// piece, <see cref="StoreObjectFormat.WriteHeader"/> first) is made of.
    /// </summary>
    public abstract PayloadCursor OpenPayloadCursor();

    /// <summary>
    /// Adds the elements of a payload (format 1, as <see cref="Serialize"/> writes it for some of them) with this
    /// node's <paramref name="settings"/>: how a collection sent in pieces is rebuilt. False when the payload is not a
    /// whole, valid one or holds an element already here (a piece never repeats one); this object may then hold some
    /// of the payload's elements, so a caller drops it.
    /// </summary>
    public abstract bool TryAppendPayload(ReadOnlySpan<byte> payload, EncodingSettings settings);

    /// <summary>Redis's AOF_REWRITE_ITEMS_PER_CMD.</summary>
    public const int RestoreItemsPerCommand = 64;

    protected void MarkChanged() => Version++;
}
