using System.Buffers;
using System.Buffers.Binary;
using PepperCache.Protocol;

namespace PepperCache.Core.Rdb;

/// <summary>
/// Writes RDB encodings as Redis 7.0's <c>rdb.c</c> does: lengths (<c>rdbSaveLen</c>), strings
/// (<c>rdbSaveRawString</c>: as an integer when the text is one that fits 32 bits, LZF-compressed when longer than 20
/// bytes and compression saves at least 4 bytes, else raw) and binary doubles.
/// </summary>
internal sealed class RdbOutput
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public RdbOutput(int capacity) => _buffer = new ArrayBufferWriter<byte>(Math.Max(capacity, 64));

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void WriteLength(ulong length)
    {
        var span = _buffer.GetSpan(9);
        if (length < 1 << 6)
        {
            span[0] = (byte)length;
            _buffer.Advance(1);
        }
        else if (length < 1 << 14)
        {
            span[0] = (byte)((length >> 8) | 0x40);
            span[1] = (byte)length;
            _buffer.Advance(2);
        }
        else if (length <= uint.MaxValue)
        {
            span[0] = RdbFormat.Length32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            _buffer.Advance(5);
        }
        else
        {
            span[0] = RdbFormat.Length64;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], length);
            _buffer.Advance(9);
        }
    }

    public void WriteString(ReadOnlySpan<byte> value)
    {
        // rdbTryIntegerEncoding: only the canonical text of a number (string2ll, then ll2string gives it back).
        if (value.Length <= 11 && RespParser.TryParseInt64(value, out var number) && TryWriteInteger(number))
        {
            return;
        }

        if (value.Length > 20 && TryWriteCompressed(value))
        {
            return;
        }

        WriteLength((ulong)value.Length);
        WriteRaw(value);
    }

    public void WriteBinaryDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    // rdbEncodeInteger: 8, 16 or 32 bits little-endian after an encoding byte; a wider number is not encoded.
    private bool TryWriteInteger(long value)
    {
        var span = _buffer.GetSpan(5);
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            span[0] = RdbFormat.EncodedInt8;
            span[1] = (byte)(sbyte)value;
            _buffer.Advance(2);
        }
        else if (value is >= short.MinValue and <= short.MaxValue)
        {
            span[0] = RdbFormat.EncodedInt16;
            BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)value);
            _buffer.Advance(3);
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            span[0] = RdbFormat.EncodedInt32;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], (int)value);
            _buffer.Advance(5);
        }
        else
        {
            return false;
        }

        return true;
    }

    // rdbSaveLzfStringObject: worth it only when the result is at least 4 bytes shorter (out_len = len - 4).
    private bool TryWriteCompressed(ReadOnlySpan<byte> value)
    {
        var outLength = value.Length - 4;
        var scratch = ArrayPool<byte>.Shared.Rent(outLength + 1);
        try
        {
            var compressed = Lzf.Compress(value, scratch, outLength);
            if (compressed == 0)
            {
                return false;
            }

            WriteByte(RdbFormat.EncodedLzf);
            WriteLength((ulong)compressed);
            WriteLength((ulong)value.Length);
            WriteRaw(scratch.AsSpan(0, compressed));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
