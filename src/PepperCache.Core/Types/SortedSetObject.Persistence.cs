using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Core.Types;

// A sorted set leaving the node's memory: a point-in-time copy, the commands that rebuild it, its migration payload.
public sealed partial class SortedSetObject
{
    /// <summary>
    /// A copy of the structure; member arrays, immutable, are shared (a short member is copied with its node). A skip
    /// list is rebuilt in order with the member table's slots at the same indexes, so a ZSCAN cursor means the same
    /// in the copy.
    /// </summary>
    public override StoreObject Clone()
    {
        var copy = new SortedSetObject();
        copy._memberBytes = _memberBytes;
        if (IsListpack)
        {
            copy._items = (Item[])_items!.Clone();
            copy._count = _count;
            return copy;
        }

        copy._items = null;
        copy.InitializeSkipList(16);
        var nodes = new Dictionary<Node, Node>((int)Math.Min(_length, int.MaxValue), ReferenceEqualityComparer.Instance);
        for (var x = _header.Next; x is not null; x = x.Next)
        {
            nodes.Add(x, copy.InsertNew(x.Score, x.Member, x is LongNode longNode ? longNode.Array : null));
        }

        copy._slots = new Slot[_slots.Length];
        copy._buckets = (int[])_buckets.Clone();
        copy._highWater = _highWater;
        copy._freeList = _freeList;
        copy._freeCount = _freeCount;
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i];
            copy._slots[i] = new Slot { Hash = slot.Hash, Next = slot.Next, Node = slot.Node is null ? null : nodes[slot.Node] };
        }

        return copy;
    }

    /// <summary>
    /// <c>ZADD key score member ...</c>, at most <see cref="StoreObject.RestoreItemsPerCommand"/> members a command, in
    /// order; scores as <see cref="SortedSetScore.Format"/> prints them (%.17g gives back the same double).
    /// </summary>
    public override void WriteRestoreCommands(ReadOnlySpan<byte> key, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> text = stackalloc byte[SortedSetScore.MaxLength];
        var remaining = Count;
        var left = 0L;
        var walker = WalkFrom(0, reverse: false);
        while (walker.MoveNext())
        {
            if (left == 0)
            {
                left = Math.Min(remaining, RestoreItemsPerCommand);
                output.WriteArrayHeader((int)(2 + (2 * left)));
                output.WriteBulkString("ZADD"u8);
                output.WriteBulkString(key);
            }

            output.WriteBulkString(text[..SortedSetScore.Format(walker.Score, text)]);
            output.WriteBulkString(walker.Member);
            left--;
            remaining--;
        }
    }

    /// <summary>
    /// The payload, format 1 (frozen, pinned by a golden test): the format byte, the member count, then per member
    /// its score (8 bytes, IEEE 754 little-endian, so -0 and every double travel exactly), its length and its bytes;
    /// count and lengths as unsigned LEB128 varints. Members come in order.
    /// </summary>
    public override void Serialize(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        StoreObjectFormat.WriteByte(output, StoreObjectFormat.FormatVersion);
        StoreObjectFormat.WriteVarint(output, (ulong)Count);
        var walker = WalkFrom(0, reverse: false);
        while (walker.MoveNext())
        {
            BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), walker.Score);
            output.Advance(8);
            StoreObjectFormat.WriteBytes(output, walker.Member);
        }
    }

    /// <summary>
    /// Reads a <see cref="Serialize"/> payload; false when it is not a whole, valid one (a NaN score, a member twice).
    /// The encoding is chosen again by this node's settings, as Redis's RESTORE does.
    /// </summary>
    internal static bool TryDeserialize(ReadOnlySpan<byte> payload, EncodingSettings settings, [NotNullWhen(true)] out SortedSetObject? set)
    {
        set = null;
        if (!StoreObjectFormat.TryReadByte(ref payload, out var format) || format != StoreObjectFormat.FormatVersion
            || !StoreObjectFormat.TryReadVarint(ref payload, out var count)
            || count > (ulong)payload.Length / 9)
        {
            return false;
        }

        var items = new List<(double Score, int Start, int Length)>((int)Math.Min(count, 1 << 16));
        var whole = payload;
        var longest = 0;
        for (var i = 0UL; i < count; i++)
        {
            if (payload.Length < 8)
            {
                return false;
            }

            var score = BinaryPrimitives.ReadDoubleLittleEndian(payload);
            payload = payload[8..];
            if (double.IsNaN(score) || !StoreObjectFormat.TryReadBytes(ref payload, out var member))
            {
                return false;
            }

            items.Add((score, whole.Length - payload.Length - member.Length, member.Length));
            longest = Math.Max(longest, member.Length);
        }

        // As Redis loads a dump: straight into a skip list when the set does not fit a listpack, so its scores (-0)
        // arrive exactly; a small set becomes a listpack.
        var result = new SortedSetObject();
        if ((long)count > settings.ZsetMaxListpackEntries || longest > settings.ZsetMaxListpackValue)
        {
            result._items = null;
            result._count = 0;
            result.InitializeSkipList(items.Count);
        }

        foreach (var (score, start, length) in items)
        {
            result.Set(whole.Slice(start, length), score, settings);
        }

        if (!payload.IsEmpty || result.Count != (long)count)
        {
            return false;
        }

        set = result;
        return true;
    }
}
