using System.Buffers.Binary;
using PepperCache.Protocol;

namespace PepperCache.Core.Rdb;

/// <summary>
/// Builds a listpack as Redis 7.0's <c>lpAppend</c> lays it out: a 6-byte header (total bytes, element count), each
/// element as the smallest integer encoding when its text is a canonical 64-bit integer (lpStringToInt64), else as a
/// 6-, 12- or 32-bit length string, each followed by its back-length, and the 0xFF terminator.
/// </summary>
internal sealed class ListpackWriter
{
    private const int HeaderSize = 6;
    private byte[] _bytes;
    private int _length = HeaderSize;

    public ListpackWriter(int capacity = 64) => _bytes = new byte[Math.Max(capacity, HeaderSize + 1)];

    public int Count { get; private set; }

    /// <summary>lpBytes: what the listpack measures with its terminator.</summary>
    public int TotalBytes => _length + 1;

    public void Append(ReadOnlySpan<byte> element)
    {
        Span<byte> encoded = stackalloc byte[9];
        int header;
        ReadOnlySpan<byte> payload = default;
        if (RespParser.TryParseInt64(element, out var value))
        {
            header = EncodeInteger(value, encoded);
        }
        else
        {
            header = EncodeStringHeader(element.Length, encoded);
            payload = element;
        }

        var entryLength = header + payload.Length;
        Span<byte> backlen = stackalloc byte[5];
        var backlenSize = EncodeBacklen((ulong)entryLength, backlen);
        Grow(entryLength + backlenSize + 1);
        encoded[..header].CopyTo(_bytes.AsSpan(_length));
        payload.CopyTo(_bytes.AsSpan(_length + header));
        backlen[..backlenSize].CopyTo(_bytes.AsSpan(_length + entryLength));
        _length += entryLength + backlenSize;
        Count++;
    }

    /// <summary>The finished listpack (the writer may go on appending after, and give a longer one).</summary>
    public ReadOnlySpan<byte> Finish()
    {
        Grow(1);
        _bytes[_length] = 0xFF;
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes, (uint)TotalBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(4), (ushort)Math.Min(Count, ushort.MaxValue));
        return _bytes.AsSpan(0, TotalBytes);
    }

    /// <summary>Empty again, keeping its buffer: the next listpack of a list being dumped.</summary>
    public void Reset()
    {
        _length = HeaderSize;
        Count = 0;
    }

    private void Grow(int needed)
    {
        if (_length + needed > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + needed));
        }
    }

    private static int EncodeInteger(long value, Span<byte> output)
    {
        if (value is >= 0 and <= 127)
        {
            output[0] = (byte)value;
            return 1;
        }

        if (value is >= -4096 and <= 4095)
        {
            var bits = (ulong)(value < 0 ? (1L << 13) + value : value);
            output[0] = (byte)((bits >> 8) | 0xC0);
            output[1] = (byte)bits;
            return 2;
        }

        if (value is >= short.MinValue and <= short.MaxValue)
        {
            output[0] = 0xF1;
            BinaryPrimitives.WriteInt16LittleEndian(output[1..], (short)value);
            return 3;
        }

        if (value is >= -(1 << 23) and < 1 << 23)
        {
            output[0] = 0xF2;
            output[1] = (byte)value;
            output[2] = (byte)(value >> 8);
            output[3] = (byte)(value >> 16);
            return 4;
        }

        if (value is >= int.MinValue and <= int.MaxValue)
        {
            output[0] = 0xF3;
            BinaryPrimitives.WriteInt32LittleEndian(output[1..], (int)value);
            return 5;
        }

        output[0] = 0xF4;
        BinaryPrimitives.WriteInt64LittleEndian(output[1..], value);
        return 9;
    }

    private static int EncodeStringHeader(int length, Span<byte> output)
    {
        if (length < 64)
        {
            output[0] = (byte)(0x80 | length);
            return 1;
        }

        if (length < 4096)
        {
            output[0] = (byte)((length >> 8) | 0xE0);
            output[1] = (byte)length;
            return 2;
        }

        output[0] = 0xF0;
        BinaryPrimitives.WriteInt32LittleEndian(output[1..], length);
        return 5;
    }

    // lpEncodeBacklen: the entry's length, 7 bits a byte, read from the end backwards.
    internal static int EncodeBacklen(ulong length, Span<byte> output)
    {
        var size = length <= 127 ? 1 : length < 16383 ? 2 : length < 2097151 ? 3 : length < 268435455 ? 4 : 5;
        for (var i = 0; i < size; i++)
        {
            var shift = 7 * (size - 1 - i);
            output[i] = (byte)(((length >> shift) & 127) | (i == 0 ? 0UL : 128UL));
        }

        return size;
    }
}
