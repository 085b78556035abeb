using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Core.Types;

// A list leaving the node's memory: a point-in-time copy, the commands that rebuild it, its migration payload.
public sealed partial class ListObject
{
    private ListObject(ListObject source)
    {
        _items = (byte[][])source._items.Clone();
        _head = source._head;
        _count = source._count;
        _elementBytes = source._elementBytes;
    }

    /// <summary>A copy of the ring; the elements, immutable, are shared.</summary>
    public override StoreObject Clone() => new ListObject(this);

    /// <summary><c>RPUSH key element ...</c>, at most <see cref="StoreObject.RestoreItemsPerCommand"/> elements a command, head first.</summary>
    public override void WriteRestoreCommands(ReadOnlySpan<byte> key, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (var start = 0; start < _count; start += RestoreItemsPerCommand)
        {
            var chunk = Math.Min(_count - start, RestoreItemsPerCommand);
            output.WriteArrayHeader(2 + chunk);
            output.WriteBulkString("RPUSH"u8);
            output.WriteBulkString(key);
            for (var i = start; i < start + chunk; i++)
            {
                output.WriteBulkString(_items[Slot(i)]);
            }
        }
    }

    /// <summary>
    /// The payload, format 1 (frozen, pinned by a golden test): the format byte, the element count, then per element
    /// its length and its bytes, head first; counts and lengths as unsigned LEB128 varints.
    /// </summary>
    public override void Serialize(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        StoreObjectFormat.WriteByte(output, StoreObjectFormat.FormatVersion);
        StoreObjectFormat.WriteVarint(output, (ulong)_count);
        for (var i = 0; i < _count; i++)
        {
            StoreObjectFormat.WriteBytes(output, _items[Slot(i)]);
        }
    }

    /// <summary>Reads a <see cref="Serialize"/> payload; false when it is not a whole, valid one.</summary>
    internal static bool TryDeserialize(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out ListObject? list)
    {
        list = null;
        if (!StoreObjectFormat.TryReadByte(ref payload, out var format) || format != StoreObjectFormat.FormatVersion
            || !StoreObjectFormat.TryReadVarint(ref payload, out var count)
            || count > (ulong)payload.Length)
        {
            return false;
        }

        var result = new ListObject((int)Math.Max(InitialCapacity, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count)));
        for (var i = 0UL; i < count; i++)
        {
            if (!StoreObjectFormat.TryReadBytes(ref payload, out var element))
            {
                return false;
            }

            result.Push(element, head: false);
        }

        if (!payload.IsEmpty)
        {
            return false;
        }

        list = result;
        return true;
    }
}
