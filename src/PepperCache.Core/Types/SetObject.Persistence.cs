using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Core.Types;

// A set leaving the node's memory: a point-in-time copy, the commands that rebuild it, its migration payload.
public sealed partial class SetObject
{
    private SetObject(SetObject source)
    {
        _integers = (long[]?)source._integers?.Clone();
        _intCount = source._intCount;
        _slots = (Slot[]?)source._slots?.Clone();
        _buckets = (int[]?)source._buckets?.Clone();
        _highWater = source._highWater;
        _freeList = source._freeList;
        _freeCount = source._freeCount;
        _memberBytes = source._memberBytes;
    }

    /// <summary>A copy of the arrays; the members, immutable, are shared.</summary>
    public override StoreObject Clone() => new SetObject(this);

    /// <summary><c>SADD key member ...</c>, at most <see cref="StoreObject.RestoreItemsPerCommand"/> members a command.</summary>
    public override void WriteRestoreCommands(ReadOnlySpan<byte> key, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var remaining = Count;
        var left = 0L;
        Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
        foreach (var member in this)
        {
            if (left == 0)
            {
                left = Math.Min(remaining, RestoreItemsPerCommand);
                output.WriteArrayHeader((int)(2 + left));
                output.WriteBulkString("SADD"u8);
                output.WriteBulkString(key);
            }

            output.WriteBulkString(member.Format(text));
            left--;
            remaining--;
        }
    }

    /// <summary>
    /// The payload, format 1 (frozen, pinned by a golden test): the format byte, the member count, then per member its
    /// length and its bytes (an integer as its decimal text); counts and lengths as unsigned LEB128 varints.
    /// </summary>
    public override void Serialize(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        StoreObjectFormat.WriteByte(output, StoreObjectFormat.FormatVersion);
        StoreObjectFormat.WriteVarint(output, (ulong)Count);
        Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
        foreach (var member in this)
        {
            StoreObjectFormat.WriteBytes(output, member.Format(text));
        }
    }

    /// <summary>
    /// Reads a <see cref="Serialize"/> payload; false when it is not a whole, valid one (a repeated member included).
    /// The encoding is chosen again by this node's settings, as Redis's RESTORE does.
    /// </summary>
    internal static bool TryDeserialize(ReadOnlySpan<byte> payload, EncodingSettings settings, [NotNullWhen(true)] out SetObject? set)
    {
        set = null;
        if (!StoreObjectFormat.TryReadByte(ref payload, out var format) || format != StoreObjectFormat.FormatVersion
            || !StoreObjectFormat.TryReadVarint(ref payload, out var count)
            || count > (ulong)payload.Length)
        {
            return false;
        }

        var result = new SetObject();
        for (var i = 0UL; i < count; i++)
        {
            if (!StoreObjectFormat.TryReadBytes(ref payload, out var member) || !result.Add(member, settings))
            {
                return false;
            }
        }

        if (!payload.IsEmpty)
        {
            return false;
        }

        set = result;
        return true;
    }
}
