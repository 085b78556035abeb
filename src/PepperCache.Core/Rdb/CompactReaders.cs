using System.Buffers.Binary;
using System.Globalization;

namespace PepperCache.Core.Rdb;

/// <summary>
/// Reads the compact blobs a DUMP payload may hold (listpack, ziplist, intset, zipmap) into their elements, integers
/// as their decimal text. Every length is checked against the blob before it is used, so a hostile blob gets false,
/// never a read past its end; the checks are stricter than Redis's shallow ones (each entry is walked).
/// </summary>
internal static class CompactReaders
{
    /// <summary>
    /// Takes a blob's elements one by one, as spans that hold only during the call: a RESTORE of a million-element list
    /// spent most of its time making each element an array of its own.
    /// </summary>
    public interface IElementSink
    {
        void Add(ReadOnlySpan<byte> element);
    }

    /// <summary>Longest decimal text of an entry's integer (a long with its sign).</summary>
    private const int IntegerTextBytes = 20;

    public static bool TryReadListpack(ReadOnlySpan<byte> lp, List<byte[]> into) => TryReadListpack(lp, new ArraySink(into));

    public static bool TryReadListpack<TSink>(ReadOnlySpan<byte> lp, TSink into)
        where TSink : IElementSink
    {
        if (lp.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(lp) != (uint)lp.Length || lp[^1] != 0xFF)
        {
            return false;
        }

        int declared = BinaryPrimitives.ReadUInt16LittleEndian(lp[4..]);
        var p = 6;
        var end = lp.Length - 1;
        var count = 0;
        Span<byte> expected = stackalloc byte[5];
        Span<byte> scratch = stackalloc byte[IntegerTextBytes];
        while (p < end)
        {
            var start = p;
            if (!TryReadListpackEntry(lp, ref p, end, scratch, out var element))
            {
                return false;
            }

            var entryLength = p - start;
            var size = ListpackWriter.EncodeBacklen((ulong)entryLength, expected);
            if (p + size > end || !lp.Slice(p, size).SequenceEqual(expected[..size]))
            {
                return false;
            }

            p += size;
            into.Add(element);
            count++;
        }

        return declared == ushort.MaxValue ? count >= ushort.MaxValue : count == declared;
    }

    private static bool TryReadListpackEntry(ReadOnlySpan<byte> lp, ref int p, int end, Span<byte> scratch, out ReadOnlySpan<byte> element)
    {
        element = default;
        var b = lp[p];
        long integer;
        int length;
        int headerSize;
        if ((b & 0x80) == 0)
        {
            p++;
            element = Text(b, scratch);
            return true;
        }

        if ((b & 0xC0) == 0x80)
        {
            headerSize = 1;
            length = b & 0x3F;
        }
        else if ((b & 0xE0) == 0xC0)
        {
            if (p + 2 > end)
            {
                return false;
            }

            var bits = ((b & 0x1F) << 8) | lp[p + 1];
            integer = bits >= 1 << 12 ? bits - (1 << 13) : bits;
            p += 2;
            element = Text(integer, scratch);
            return true;
        }
        else if ((b & 0xF0) == 0xE0)
        {
            if (p + 2 > end)
            {
                return false;
            }

            headerSize = 2;
            length = ((b & 0x0F) << 8) | lp[p + 1];
        }
        else if (b == 0xF0)
        {
            if (p + 5 > end)
            {
                return false;
            }

            headerSize = 5;
            var wide = BinaryPrimitives.ReadUInt32LittleEndian(lp[(p + 1)..]);
            if (wide > int.MaxValue)
            {
                return false;
            }

            length = (int)wide;
        }
        else
        {
            var width = b switch { 0xF1 => 2, 0xF2 => 3, 0xF3 => 4, 0xF4 => 8, _ => 0 };
            if (width == 0 || p + 1 + width > end)
            {
                return false;
            }

            var raw = lp.Slice(p + 1, width);
            integer = width switch
            {
                2 => BinaryPrimitives.ReadInt16LittleEndian(raw),
                3 => ((raw[0] | (raw[1] << 8) | (raw[2] << 16)) << 8) >> 8,
                4 => BinaryPrimitives.ReadInt32LittleEndian(raw),
                _ => BinaryPrimitives.ReadInt64LittleEndian(raw),
            };
            p += 1 + width;
            element = Text(integer, scratch);
            return true;
        }

        if (length > end - p - headerSize)
        {
            return false;
        }

        element = lp.Slice(p + headerSize, length);
        p += headerSize + length;
        return true;
    }

    public static bool TryReadZiplist(ReadOnlySpan<byte> zl, List<byte[]> into) => TryReadZiplist(zl, new ArraySink(into));

    public static bool TryReadZiplist<TSink>(ReadOnlySpan<byte> zl, TSink into)
        where TSink : IElementSink
    {
        if (zl.Length < 11 || BinaryPrimitives.ReadUInt32LittleEndian(zl) != (uint)zl.Length || zl[^1] != 0xFF
            || BinaryPrimitives.ReadUInt32LittleEndian(zl[4..]) >= (uint)zl.Length)
        {
            return false;
        }

        int declared = BinaryPrimitives.ReadUInt16LittleEndian(zl[8..]);
        var p = 10;
        var end = zl.Length - 1;
        var count = 0;
        var previousLength = 0;
        Span<byte> scratch = stackalloc byte[IntegerTextBytes];
        while (p < end)
        {
            var start = p;
            int prevlen = zl[p];
            if (prevlen == 254)
            {
                if (p + 5 > end)
                {
                    return false;
                }

                prevlen = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(zl[(p + 1)..]), int.MaxValue);
                p += 5;
            }
            else if (prevlen == 255)
            {
                return false;
            }
            else
            {
                p++;
            }

            if (prevlen != previousLength || p >= end || !TryReadZiplistEntry(zl, ref p, end, scratch, out var element))
            {
                return false;
            }

            previousLength = p - start;
            into.Add(element);
            count++;
        }

        return declared == ushort.MaxValue ? count >= ushort.MaxValue : count == declared;
    }

    private static bool TryReadZiplistEntry(ReadOnlySpan<byte> zl, ref int p, int end, Span<byte> scratch, out ReadOnlySpan<byte> element)
    {
        element = default;
        var b = zl[p];
        int length;
        int headerSize;
        switch (b >> 6)
        {
            case 0:
                headerSize = 1;
                length = b & 0x3F;
                break;
            case 1:
                if (p + 2 > end)
                {
                    return false;
                }

                headerSize = 2;
                length = ((b & 0x3F) << 8) | zl[p + 1];
                break;
            case 2:
                if (b != 0x80 || p + 5 > end)
                {
                    return false;
                }

                headerSize = 5;
                var wide = BinaryPrimitives.ReadUInt32BigEndian(zl[(p + 1)..]);
                if (wide > int.MaxValue)
                {
                    return false;
                }

                length = (int)wide;
                break;
            default:
                return TryReadZiplistInteger(zl, ref p, end, scratch, out element);
        }

        if (length > end - p - headerSize)
        {
            return false;
        }

        element = zl.Slice(p + headerSize, length);
        p += headerSize + length;
        return true;
    }

    private static bool TryReadZiplistInteger(ReadOnlySpan<byte> zl, ref int p, int end, Span<byte> scratch, out ReadOnlySpan<byte> element)
    {
        element = default;
        var b = zl[p];
        if (b is >= 0xF1 and <= 0xFD)
        {
            p++;
            element = Text((b & 0x0F) - 1, scratch);
            return true;
        }

        var width = b switch { 0xC0 => 2, 0xD0 => 4, 0xE0 => 8, 0xF0 => 3, 0xFE => 1, _ => 0 };
        if (width == 0 || p + 1 + width > end)
        {
            return false;
        }

        var raw = zl.Slice(p + 1, width);
        long value = width switch
        {
            1 => (sbyte)raw[0],
            2 => BinaryPrimitives.ReadInt16LittleEndian(raw),
            3 => ((raw[0] | (raw[1] << 8) | (raw[2] << 16)) << 8) >> 8,
            4 => BinaryPrimitives.ReadInt32LittleEndian(raw),
            _ => BinaryPrimitives.ReadInt64LittleEndian(raw),
        };
        p += 1 + width;
        element = Text(value, scratch);
        return true;
    }

    /// <summary>An intset: its width (2, 4 or 8), its count, then the members ascending, all little-endian.</summary>
    public static bool TryReadIntset(ReadOnlySpan<byte> blob, List<byte[]> into)
    {
        if (blob.Length < 8)
        {
            return false;
        }

        var width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8) || (ulong)count * width != (ulong)(blob.Length - 8))
        {
            return false;
        }

        var previous = long.MinValue;
        for (var i = 0; i < count; i++)
        {
            var raw = blob.Slice(8 + (i * (int)width), (int)width);
            long value = width switch
            {
                2 => BinaryPrimitives.ReadInt16LittleEndian(raw),
                4 => BinaryPrimitives.ReadInt32LittleEndian(raw),
                _ => BinaryPrimitives.ReadInt64LittleEndian(raw),
            };
            if (i > 0 && value <= previous)
            {
                return false;
            }

            previous = value;
            into.Add(Text(value));
        }

        return true;
    }

    /// <summary>A zipmap (Redis before 2.6): a count byte, then per pair its field, its value and free bytes, then 0xFF.</summary>
    public static bool TryReadZipmap(ReadOnlySpan<byte> zm, List<byte[]> into)
    {
        if (zm.Length < 2 || zm[^1] != 0xFF)
        {
            return false;
        }

        var p = 1;
        var end = zm.Length - 1;
        var field = true;
        while (p < end)
        {
            if (!TryReadZipmapLength(zm, ref p, end, out var length))
            {
                return false;
            }

            var free = 0;
            if (!field)
            {
                if (p >= end)
                {
                    return false;
                }

                free = zm[p++];
            }

            if (length > end - p || free > end - p - length)
            {
                return false;
            }

            into.Add(zm.Slice(p, length).ToArray());
            p += length + free;
            field = !field;
        }

        return field && p == end;
    }

    private static bool TryReadZipmapLength(ReadOnlySpan<byte> zm, ref int p, int end, out int length)
    {
        length = zm[p];
        if (length < 254)
        {
            p++;
            return true;
        }

        if (length == 255 || p + 5 > end)
        {
            return false;
        }

        var wide = BinaryPrimitives.ReadUInt32LittleEndian(zm[(p + 1)..]);
        p += 5;
        length = (int)Math.Min(wide, int.MaxValue);
        return wide <= int.MaxValue;
    }

    private static byte[] Text(long value) => System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    private static ReadOnlySpan<byte> Text(long value, Span<byte> scratch)
    {
        value.TryFormat(scratch, out var written, default, CultureInfo.InvariantCulture);
        return scratch[..written];
    }

    /// <summary>Each element an array of its own, for the collections that keep their elements apart.</summary>
    internal readonly struct ArraySink(List<byte[]> into) : IElementSink
    {
        public void Add(ReadOnlySpan<byte> element) => into.Add(element.ToArray());
    }
}
