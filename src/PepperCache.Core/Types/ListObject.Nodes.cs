using System.Buffers.Binary;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// The quicklist's nodes and the entries packed in them.
public sealed partial class ListObject
{
    /// <summary>Bytes of entries a node takes before the next push starts a new one (Redis's listpacks under <c>-2</c>).</summary>
    internal const int NodeBytes = 8192;

    /// <summary>Managed bytes of a <see cref="Node"/> object: header, method table, array reference and three ints.</summary>
    internal const int NodeObjectBytes = 40;

    // An entry is [length][bytes][length]: one byte for a length under 128, else a marker byte and four bytes
    // (before the element: marker then length; after it: length then marker), so a node reads from either end.
    private const byte LongLength = 0x80;

    private const int SmallestBuffer = 32;

    private static int EntrySize(int length) => length + (length < LongLength ? 2 : 10);

    private static void WriteEntry(byte[] buffer, int offset, ReadOnlySpan<byte> element)
    {
        var length = element.Length;
        if (length < LongLength)
        {
            buffer[offset] = (byte)length;
            element.CopyTo(buffer.AsSpan(offset + 1));
            buffer[offset + 1 + length] = (byte)length;
            return;
        }

        buffer[offset] = LongLength;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset + 1), length);
        element.CopyTo(buffer.AsSpan(offset + 5));
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset + 5 + length), length);
        buffer[offset + 9 + length] = LongLength;
    }

    private static ReadOnlySpan<byte> ElementAt(byte[] buffer, int offset)
    {
        var first = buffer[offset];
        return first < LongLength
            ? buffer.AsSpan(offset + 1, first)
            : buffer.AsSpan(offset + 5, BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset + 1)));
    }

    private static int NextEntry(byte[] buffer, int offset)
    {
        var first = buffer[offset];
        return first < LongLength
            ? offset + first + 2
            : offset + BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset + 1)) + 10;
    }

    private static int PreviousEntry(byte[] buffer, int end)
    {
        var last = buffer[end - 1];
        return last < LongLength
            ? end - last - 2
            : end - BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(end - 5)) - 10;
    }

    /// <summary>
    /// Replaces the <paramref name="removed"/> bytes at <paramref name="offset"/> with <paramref name="element"/>'s
    /// entry (none unless <paramref name="insert"/>), moving the shorter way or into a larger array.
    /// </summary>
    private void Replace(Node node, int offset, int removed, ReadOnlySpan<byte> element, bool insert)
    {
        var added = insert ? EntrySize(element.Length) : 0;
        var delta = added - removed;
        var buffer = node.Buffer;
        if (delta <= buffer.Length - node.End && (delta <= 0 || node.End - offset - removed <= offset - node.Start || delta > node.Start))
        {
            buffer.AsSpan(offset + removed, node.End - offset - removed).CopyTo(buffer.AsSpan(offset + added));
            node.End += delta;
        }
        else if (delta <= node.Start)
        {
            buffer.AsSpan(node.Start, offset - node.Start).CopyTo(buffer.AsSpan(node.Start - delta));
            node.Start -= delta;
            offset -= delta;
        }
        else
        {
            var used = node.Used + delta;
            var larger = new byte[Node.Capacity(used)];
            buffer.AsSpan(node.Start, offset - node.Start).CopyTo(larger);
            buffer.AsSpan(offset + removed, node.End - offset - removed).CopyTo(larger.AsSpan(offset - node.Start + added));
            _nodeBytes += Entry.ArraySize(larger.Length, 1) - Entry.ArraySize(buffer.Length, 1);
            offset -= node.Start;
            node.Buffer = larger;
            node.Start = 0;
            node.End = used;
        }

        if (insert)
        {
            WriteEntry(node.Buffer, offset, element);
        }
    }

    /// <summary>LREM from the head within one node: survivors slide towards the node's start.</summary>
    private static void CompactForward(Node node, ReadOnlySpan<byte> element, long limit, ref long removed)
    {
        var buffer = node.Buffer;
        var write = node.Start;
        var read = node.Start;
        var count = node.Count;
        for (var i = 0; i < count; i++)
        {
            var next = NextEntry(buffer, read);
            if ((limit == 0 || removed < limit) && ElementAt(buffer, read).SequenceEqual(element))
            {
                removed++;
                node.Count--;
            }
            else
            {
                if (write != read)
                {
                    buffer.AsSpan(read, next - read).CopyTo(buffer.AsSpan(write));
                }

                write += next - read;
            }

            read = next;
        }

        node.End = write;
    }

    /// <summary>LREM from the tail within one node: survivors slide towards the node's end.</summary>
    private static void CompactBackward(Node node, ReadOnlySpan<byte> element, long limit, ref long removed)
    {
        var buffer = node.Buffer;
        var write = node.End;
        var read = node.End;
        var count = node.Count;
        for (var i = 0; i < count; i++)
        {
            var start = PreviousEntry(buffer, read);
            if ((limit == 0 || removed < limit) && ElementAt(buffer, start).SequenceEqual(element))
            {
                removed++;
                node.Count--;
            }
            else
            {
                write -= read - start;
                if (write != start)
                {
                    buffer.AsSpan(start, read - start).CopyTo(buffer.AsSpan(write));
                }
            }

            read = start;
        }

        node.Start = write;
    }

    /// <summary>One listpack of the quicklist: entries in <c>Buffer[Start..End)</c>, free room on both sides.</summary>
    private sealed class Node
    {
        public Node(int entryBytes) => Buffer = new byte[Capacity(entryBytes)];

        public Node(Node source)
        {
            Buffer = (byte[])source.Buffer.Clone();
            Start = source.Start;
            End = source.End;
            Count = source.Count;
        }

        public byte[] Buffer;
        public int Start;
        public int End;
        public int Count;

        public int Used => End - Start;

        public long HeapSize => NodeObjectBytes + Entry.ArraySize(Buffer.Length, 1);

        /// <summary>An array for <paramref name="bytes"/> of entries: a power of two up to the node size, exact beyond.</summary>
        public static int Capacity(int bytes) =>
            bytes > NodeBytes ? bytes : Math.Max(SmallestBuffer, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)bytes));

        /// <summary>
        /// Room for <paramref name="size"/> more bytes at the head or the tail: the entries slide to the far side of
        /// the array, into a larger one when it is full, so pushes at the same end keep finding room there.
        /// </summary>
        public void MakeRoom(int size, bool head)
        {
            if ((head ? Start : Buffer.Length - End) >= size)
            {
                return;
            }

            var used = Used;
            var target = used + size > Buffer.Length ? new byte[Capacity(used + size)] : Buffer;
            var start = head ? target.Length - used : 0;
            Buffer.AsSpan(Start, used).CopyTo(target.AsSpan(start));
            Buffer = target;
            Start = start;
            End = start + used;
        }

        /// <summary>Moves the entries into an array of their size (after a split).</summary>
        public void Shrink()
        {
            var used = Used;
            var smaller = new byte[Capacity(used)];
            Buffer.AsSpan(Start, used).CopyTo(smaller);
            Buffer = smaller;
            Start = 0;
            End = used;
        }
    }
}
