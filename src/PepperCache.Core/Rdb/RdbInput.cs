using System.Buffers.Binary;

namespace PepperCache.Core.Rdb;

/// <summary>
/// Reads RDB lengths and strings from a payload, checking each against the bytes left: a declared length is never
/// allocated before the payload is known to hold it (an LZF string's output is bounded by what its input can expand to).
/// </summary>
internal ref struct RdbInput(ReadOnlySpan<byte> payload)
{
    // LZF's best case: a 3-byte back reference copies 264 bytes.
    private const int LzfMaxExpansion = 88;

    /// <summary>The longest decimal text of an integer-encoded string (a 32-bit one with its sign).</summary>
    public const int IntegerTextBytes = 11;

    private ReadOnlySpan<byte> _rest = payload;

    public readonly int Remaining => _rest.Length;

    public bool TryReadByte(out byte value)
    {
        if (_rest.IsEmpty)
        {
            value = 0;
            return false;
        }

        value = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    /// <summary>A plain length (an encoded-string marker where a length belongs is refused).</summary>
    public bool TryReadLength(out ulong length)
    {
        length = 0;
        return TryReadLengthOrEncoding(out length, out var encoded) && !encoded;
    }

    private bool TryReadLengthOrEncoding(out ulong length, out bool encoded)
    {
        length = 0;
        encoded = false;
        if (!TryReadByte(out var first))
        {
            return false;
        }

        switch (first >> 6)
        {
            case 0:
                length = (ulong)(first & 0x3F);
                return true;
            case 1:
                if (!TryReadByte(out var second))
                {
                    return false;
                }

                length = ((ulong)(first & 0x3F) << 8) | second;
                return true;
            case 3:
                encoded = true;
                length = (ulong)(first & 0x3F);
                return true;
        }

        if (first == RdbFormat.Length32 && _rest.Length >= 4)
        {
            length = BinaryPrimitives.ReadUInt32BigEndian(_rest);
            _rest = _rest[4..];
            return true;
        }

        if (first == RdbFormat.Length64 && _rest.Length >= 8)
        {
            length = BinaryPrimitives.ReadUInt64BigEndian(_rest);
            _rest = _rest[8..];
            return true;
        }

        return false;
    }

    /// <summary>A string in any of its encodings: raw, an 8/16/32-bit integer (as its decimal text) or LZF.</summary>
    public bool TryReadString(out byte[] value)
    {
        if (!TryReadString(default, out var span, out var owned))
        {
            value = [];
            return false;
        }

        value = owned ?? span.ToArray();
        return true;
    }

    /// <summary>
    /// A string without an array of its own where it has none in the payload: a raw string is a slice of the payload, an
    /// integer its decimal text in <paramref name="scratch"/> (at least <see cref="IntegerTextBytes"/> long), an LZF
    /// string the array it decompresses into. For a collection's elements, which the collection copies anyway.
    /// </summary>
    public bool TryReadString(Span<byte> scratch, out ReadOnlySpan<byte> value) => TryReadString(scratch, out value, out _);

    // owned: the string's array when it has one of its own: LZF's output, or an integer's text without a scratch.
    private bool TryReadString(Span<byte> scratch, out ReadOnlySpan<byte> value, out byte[]? owned)
    {
        value = default;
        owned = null;
        if (!TryReadLengthOrEncoding(out var length, out var encoded))
        {
            return false;
        }

        if (!encoded)
        {
            if (length > (ulong)_rest.Length)
            {
                return false;
            }

            value = _rest[..(int)length];
            _rest = _rest[(int)length..];
            return true;
        }

        if (!TryReadEncoded(length, out var integer, out owned))
        {
            return false;
        }

        if (owned is null && scratch.IsEmpty)
        {
            owned = System.Text.Encoding.ASCII.GetBytes(integer.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (owned is not null)
        {
            value = owned;
            return true;
        }

        integer.TryFormat(scratch, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        value = scratch[..written];
        return true;
    }

    // An encoded string after its marker: an integer, or the LZF string's decompressed bytes in compressed.
    private bool TryReadEncoded(ulong encoding, out long integer, out byte[]? compressed)
    {
        integer = 0;
        compressed = null;
        switch (encoding)
        {
            case 0 when _rest.Length >= 1:
                integer = (sbyte)_rest[0];
                _rest = _rest[1..];
                return true;
            case 1 when _rest.Length >= 2:
                integer = BinaryPrimitives.ReadInt16LittleEndian(_rest);
                _rest = _rest[2..];
                return true;
            case 2 when _rest.Length >= 4:
                integer = BinaryPrimitives.ReadInt32LittleEndian(_rest);
                _rest = _rest[4..];
                return true;
            case 3:
                return TryReadCompressed(out compressed);
            default:
                return false;
        }
    }

    private bool TryReadCompressed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? value)
    {
        value = null;
        if (!TryReadLength(out var compressedLength) || !TryReadLength(out var length)
            || compressedLength == 0 || compressedLength > (ulong)_rest.Length
            || length == 0 || length > compressedLength * LzfMaxExpansion || length > (ulong)Array.MaxLength)
        {
            return false;
        }

        var output = new byte[(int)length];
        if (!Lzf.TryDecompress(_rest[..(int)compressedLength], output))
        {
            return false;
        }

        _rest = _rest[(int)compressedLength..];
        value = output;
        return true;
    }

    /// <summary>RDB_TYPE_ZSET's score: a length byte (253 NaN, 254 +inf, 255 -inf), then that many characters.</summary>
    public bool TryReadTextDouble(out double value)
    {
        value = 0;
        if (!TryReadByte(out var length))
        {
            return false;
        }

        switch (length)
        {
            case 253:
                value = double.NaN;
                return true;
            case 254:
                value = double.PositiveInfinity;
                return true;
            case 255:
                value = double.NegativeInfinity;
                return true;
        }

        if (length > _rest.Length)
        {
            return false;
        }

        var text = _rest[..length];
        _rest = _rest[length..];
        return Types.SortedSetScore.TryParse(text, out value);
    }

    public bool TryReadBinaryDouble(out double value)
    {
        value = 0;
        if (_rest.Length < 8)
        {
            return false;
        }

        value = BinaryPrimitives.ReadDoubleLittleEndian(_rest);
        _rest = _rest[8..];
        return true;
    }
}
