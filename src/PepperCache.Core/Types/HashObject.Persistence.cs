using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Core.Types;

// A hash leaving the node's memory: a point-in-time copy, the commands that rebuild it, its migration payload.
public sealed partial class HashObject
{
    private HashObject(HashObject source)
    {
        for (var i = 0; i < source._highWater; i++)
        {
            if (source._slots[i].Pair is { } pair)
            {
                MarkShared(pair);
            }
        }

        _slots = (Slot[])source._slots.Clone();
        _buckets = (int[]?)source._buckets?.Clone();
        _highWater = source._highWater;
        _freeList = source._freeList;
        _freeCount = source._freeCount;
        _pairBytes = source._pairBytes;
    }

    /// <summary>A copy of the table; the pairs are shared, and marked so that neither side writes into them again.</summary>
    public override StoreObject Clone() => new HashObject(this);

    /// <summary><c>HSET key field value ...</c>, at most <see cref="StoreObject.RestoreItemsPerCommand"/> fields a command, in slot order.</summary>
    public override void WriteRestoreCommands(ReadOnlySpan<byte> key, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var remaining = Count;
        var left = 0L;
        foreach (var pair in this)
        {
            if (left == 0)
            {
                left = Math.Min(remaining, RestoreItemsPerCommand);
                output.WriteArrayHeader((int)(2 + (2 * left)));
                output.WriteBulkString("HSET"u8);
                output.WriteBulkString(key);
            }

            output.WriteBulkString(FieldOf(pair));
            output.WriteBulkString(ValueOf(pair));
            left--;
            remaining--;
        }
    }

    /// <summary>
    /// The payload, format 1 (frozen, pinned by a golden test): the format byte, the field count, then per field its
    /// length, its bytes, the value's length and its bytes; counts and lengths as unsigned LEB128 varints. Fields come
    /// in slot order, so a listpack arrives in its order.
    /// </summary>
    public override void Serialize(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        StoreObjectFormat.WriteByte(output, StoreObjectFormat.FormatVersion);
        StoreObjectFormat.WriteVarint(output, (ulong)Count);
        foreach (var pair in this)
        {
            StoreObjectFormat.WriteBytes(output, FieldOf(pair));
            StoreObjectFormat.WriteBytes(output, ValueOf(pair));
        }
    }

    /// <summary>
    /// Reads a <see cref="Serialize"/> payload; false when it is not a whole, valid one. The encoding is chosen again by
    /// this node's settings, as Redis's RESTORE does: a listpack while the hash fits one.
    /// </summary>
    internal static bool TryDeserialize(ReadOnlySpan<byte> payload, EncodingSettings settings, [NotNullWhen(true)] out HashObject? hash)
    {
        hash = null;
        if (!StoreObjectFormat.TryReadByte(ref payload, out var format) || format != StoreObjectFormat.FormatVersion
            || !StoreObjectFormat.TryReadVarint(ref payload, out var count)
            || count > (ulong)payload.Length / 2)
        {
            return false;
        }

        var result = new HashObject();
        for (var i = 0UL; i < count; i++)
        {
            if (!StoreObjectFormat.TryReadBytes(ref payload, out var field) || !StoreObjectFormat.TryReadBytes(ref payload, out var value))
            {
                return false;
            }

            result.Set(field, value, settings);
        }

        if (!payload.IsEmpty || result.Count != (long)count)
        {
            return false;
        }

        hash = result;
        return true;
    }
}
