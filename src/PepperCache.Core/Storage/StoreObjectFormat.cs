using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using PepperCache.Core.Types;

namespace PepperCache.Core.Storage;

/// <summary>
/// The binary form collections travel in between nodes (slot migration) and in the AOF (PEPPER.IMPORT records): one
/// <see cref="StoreObject.Serialize"/> per type, read back here by its <see cref="DataType"/> number. Every payload
/// starts with a format byte; the formats are frozen (a golden test pins their bytes), so a new layout takes a new
/// format number and keeps reading the old.
/// </summary>
public static class StoreObjectFormat
{
    /// <summary>The one format every type writes today.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Rebuilds a collection of <paramref name="type"/>; false for a type without a collection or a bad payload.</summary>
    public static bool TryDeserialize(
        DataType type, ReadOnlySpan<byte> payload, EncodingSettings settings, [NotNullWhen(true)] out StoreObject? value)
    {
        ArgumentNullException.ThrowIfNull(settings);
        value = null;
        switch (type)
        {
            case DataType.Hash when HashObject.TryDeserialize(payload, settings, out var hash):
                value = hash;
                return true;
            case DataType.Set when SetObject.TryDeserialize(payload, settings, out var set):
                value = set;
                return true;
            case DataType.SortedSet when SortedSetObject.TryDeserialize(payload, settings, out var sortedSet):
                value = sortedSet;
                return true;
            case DataType.List when ListObject.TryDeserialize(payload, out var list):
                value = list;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The payload of <paramref name="value"/> as one array.</summary>
    public static byte[] ToArray(StoreObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var buffer = new ArrayBufferWriter<byte>();
        value.Serialize(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// An empty collection of <paramref name="type"/> to rebuild one of <paramref name="total"/> elements from
    /// pieces (<see cref="StoreObject.TryAppendPayload"/>); null for a type without a collection. A sorted set too
    /// large for a listpack starts as a skip list, as <see cref="TryDeserialize"/> loads one, so its scores (-0)
    /// arrive exactly.
    /// </summary>
    public static StoreObject? CreateEmpty(DataType type, long total, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return type switch
        {
            DataType.Hash => new HashObject(),
            DataType.Set => new SetObject(),
            DataType.SortedSet => SortedSetObject.CreateForLoad(total, settings),
            DataType.List => new ListObject(),
            _ => null,
        };
    }

    /// <summary>Bytes of a payload's header (the format byte and the element count).</summary>
    public static int HeaderSize(long count) => 1 + VarintSize((ulong)count);

    /// <summary>A payload's header: the format byte and the element count; the elements follow (<see cref="PayloadCursor"/>).</summary>
    public static void WriteHeader(IBufferWriter<byte> output, long count)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteByte(output, FormatVersion);
        WriteVarint(output, (ulong)count);
    }

    /// <summary>Reads a payload's header; false when it is not format 1 or its count cannot be one of <paramref name="minimumSize"/>-byte elements.</summary>
    internal static bool TryReadHeader(ref ReadOnlySpan<byte> payload, int minimumSize, out ulong count)
    {
        count = 0;
        return TryReadByte(ref payload, out var format) && format == FormatVersion
            && TryReadVarint(ref payload, out count) && count <= (ulong)payload.Length / (ulong)minimumSize;
    }

    /// <summary>Bytes <see cref="WriteVarint"/> writes for <paramref name="value"/>.</summary>
    internal static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Bytes <see cref="WriteBytes"/> writes for <paramref name="length"/> bytes.</summary>
    internal static int BytesSize(int length) => VarintSize((ulong)length) + length;

    internal static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    /// <summary>Unsigned LEB128: seven bits a byte, low first, the top bit set on every byte but the last.</summary>
    internal static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }

    internal static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(output, (ulong)bytes.Length);
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    internal static bool TryReadByte(ref ReadOnlySpan<byte> input, out byte value)
    {
        if (input.IsEmpty)
        {
            value = 0;
            return false;
        }

        value = input[0];
        input = input[1..];
        return true;
    }

    internal static bool TryReadVarint(ref ReadOnlySpan<byte> input, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 10 && i < input.Length; i++)
        {
            var b = input[i];
            if (i == 9 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                input = input[(i + 1)..];
                return true;
            }
        }

        return false;
    }

    internal static bool TryReadBytes(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (!TryReadVarint(ref input, out var length) || length > (ulong)input.Length)
        {
            return false;
        }

        bytes = input[..(int)length];
        input = input[(int)length..];
        return true;
    }
}
