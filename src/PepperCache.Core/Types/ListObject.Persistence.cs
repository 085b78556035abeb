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
        _nodes = new Node[source._nodes.Length];
        for (var i = 0; i < source._nodeCount; i++)
        {
            _nodes[i] = new Node(source.NodeAt(i));
        }

        _nodeCount = source._nodeCount;
        _count = source._count;
        _nodeBytes = source._nodeBytes;
    }

    /// <summary>A copy of every node (its bytes are changed in place, so nothing can be shared).</summary>
    public override StoreObject Clone() => new ListObject(this);

    /// <summary><c>RPUSH key element ...</c>, at most <see cref="StoreObject.RestoreItemsPerCommand"/> elements a command, head first.</summary>
    public override void WriteRestoreCommands(ReadOnlySpan<byte> key, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (long start = 0; start < _count; start += RestoreItemsPerCommand)
        {
            var chunk = (int)Math.Min(_count - start, RestoreItemsPerCommand);
            output.WriteArrayHeader(2 + chunk);
            output.WriteBulkString("RPUSH"u8);
            output.WriteBulkString(key);
            for (var i = start; i < start + chunk; i++)
            {
                output.WriteBulkString(this[i]);
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
            StoreObjectFormat.WriteBytes(output, this[i]);
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

        var result = new ListObject();
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
