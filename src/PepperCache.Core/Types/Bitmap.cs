using System.Buffers.Binary;
using System.Numerics;

namespace PepperCache.Core.Types;

/// <summary>
/// Bit operations on string values, as Redis's bitops.c sees a string: bit 0 is the most significant bit of byte 0,
/// and every bit past the end reads as 0.
/// </summary>
public static class Bitmap
{
    /// <summary>BITFIELD's OVERFLOW modes.</summary>
    public enum Overflow : byte
    {
        Wrap,
        Saturate,
        Fail,
    }

    public static int GetBit(ReadOnlySpan<byte> value, long offset)
    {
        var at = offset >> 3;
        return at < value.Length ? (value[(int)at] >> (7 - (int)(offset & 7))) & 1 : 0;
    }

    public static void SetBit(Span<byte> value, long offset, int bit)
    {
        var at = (int)(offset >> 3);
        var mask = 1 << (7 - (int)(offset & 7));
        value[at] = (byte)(bit != 0 ? value[at] | mask : value[at] & ~mask);
    }

    public static long PopCount(ReadOnlySpan<byte> bytes)
    {
        long count = 0;
        var words = bytes.Length & ~7;
        for (var i = 0; i < words; i += 8)
        {
            count += BitOperations.PopCount(BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]));
        }

        for (var i = words; i < bytes.Length; i++)
        {
            count += BitOperations.PopCount(bytes[i]);
        }

        return count;
    }

    /// <summary>
    /// Redis's redisBitpos: the first bit equal to <paramref name="bit"/>; when there is none, -1 for a 1 and, for a
    /// 0, the first bit after the bytes (the string reads as zero-padded to the right).
    /// </summary>
    public static long Position(ReadOnlySpan<byte> bytes, int bit)
    {
        var skip = bit != 0 ? (byte)0 : (byte)0xff;
        var at = bytes.IndexOfAnyExcept(skip);
        if (at < 0)
        {
            return bit != 0 ? -1 : (long)bytes.Length * 8;
        }

        var value = bit != 0 ? bytes[at] : (byte)~bytes[at];
        return ((long)at * 8) + BitOperations.LeadingZeroCount((uint)value) - 24;
    }

    /// <summary>An unsigned field of <paramref name="bits"/> (at most 64) bits, most significant first.</summary>
    public static ulong GetUnsigned(ReadOnlySpan<byte> value, long offset, int bits)
    {
        ulong result = 0;
        for (var i = 0; i < bits; i++)
        {
            result = (result << 1) | (uint)GetBit(value, offset + i);
        }

        return result;
    }

    public static long GetSigned(ReadOnlySpan<byte> value, long offset, int bits)
    {
        var result = (long)GetUnsigned(value, offset, bits);
        if (bits < 64 && (result & (1L << (bits - 1))) != 0)
        {
            result |= -1L << bits;
        }

        return result;
    }

    /// <summary>Writes the low <paramref name="bits"/> bits of <paramref name="field"/>; the bytes must already be there.</summary>
    public static void SetField(Span<byte> value, long offset, int bits, ulong field)
    {
        for (var i = 0; i < bits; i++)
        {
            SetBit(value, offset + i, (int)((field >> (bits - 1 - i)) & 1));
        }
    }

    /// <summary>
    /// Redis's checkUnsignedBitfieldOverflow: whether <paramref name="value"/> + <paramref name="increment"/> leaves
    /// the field's range, and the value WRAP or SAT puts there instead (<paramref name="limit"/>).
    /// </summary>
    public static bool UnsignedOverflows(ulong value, long increment, int bits, Overflow mode, out ulong limit)
    {
        var max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        var maxIncrement = (long)(max - value);
        var minIncrement = -(long)value;
        limit = 0;
        if (value > max || (increment > 0 && increment > maxIncrement))
        {
            limit = mode == Overflow.Wrap ? Wrap(value, increment, bits) : max;
            return true;
        }

        if (increment < 0 && increment < minIncrement)
        {
            limit = mode == Overflow.Wrap ? Wrap(value, increment, bits) : 0;
            return true;
        }

        return false;

        static ulong Wrap(ulong value, long increment, int bits) => (value + (ulong)increment) & ~(ulong.MaxValue << bits);
    }

    /// <summary>Redis's checkSignedBitfieldOverflow (see <see cref="UnsignedOverflows"/>).</summary>
    public static bool SignedOverflows(long value, long increment, int bits, Overflow mode, out long limit)
    {
        var max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
        var min = -max - 1;
        var maxIncrement = unchecked((long)((ulong)max - (ulong)value));
        var minIncrement = unchecked(min - value);
        limit = 0;
        if (value > max || (bits != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement))
        {
            limit = mode == Overflow.Wrap ? Wrap(value, increment, bits) : max;
            return true;
        }

        if (value < min || (bits != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement))
        {
            limit = mode == Overflow.Wrap ? Wrap(value, increment, bits) : min;
            return true;
        }

        return false;

        static long Wrap(long value, long increment, int bits)
        {
            var sum = unchecked((ulong)value + (ulong)increment);
            if (bits < 64)
            {
                var mask = ulong.MaxValue << bits;
                sum = (sum & (1UL << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
            }

            return (long)sum;
        }
    }
}
