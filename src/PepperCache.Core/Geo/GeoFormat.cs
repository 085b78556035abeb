using System.Globalization;
using System.Numerics;
using System.Text;

namespace PepperCache.Core.Geo;

/// <summary>
/// Numbers as Redis's geo replies print them with glibc's printf: <c>%.4f</c> for distances, <c>%.17Lf</c> less its
/// trailing zeros for coordinates (addReplyHumanLongDouble), <c>%f</c> in the invalid-pair error. The digits are the
/// exact decimal value of the double rounded half to even, as glibc rounds it.
/// </summary>
public static class GeoFormat
{
    /// <summary>Enough for any value of magnitude below 2^64 with up to 17 decimals.</summary>
    public const int MaxLength = 48;

    /// <summary>
    /// <c>%.{decimals}f</c> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); false for a
    /// value too large for it (use <see cref="Fixed"/>).
    /// </summary>
    public static bool TryFixed(double value, int decimals, Span<byte> destination, out int written)
    {
        if (!double.IsFinite(value))
        {
            var text = double.IsNaN(value) ? (double.IsNegative(value) ? "-nan"u8 : "nan"u8) : value > 0 ? "inf"u8 : "-inf"u8;
            text.CopyTo(destination);
            written = text.Length;
            return true;
        }

        var bits = BitConverter.DoubleToUInt64Bits(value);
        var biased = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & ((1UL << 52) - 1);
        if (biased == 0)
        {
            biased = 1;
        }
        else
        {
            mantissa |= 1UL << 52;
        }

        // value = mantissa * 2^exponent
        var exponent = biased - 1075;
        if (exponent > 10 || decimals > 17)
        {
            written = 0;
            return false;
        }

        var scaled = (UInt128)mantissa * Pow10(decimals);
        UInt128 quotient;
        if (exponent >= 0)
        {
            quotient = scaled << exponent;
        }
        else if (-exponent >= 120)
        {
            // scaled < 2^110: less than half of one unit of the last decimal.
            quotient = 0;
        }
        else
        {
            var shift = -exponent;
            quotient = scaled >> shift;
            var remainder = scaled - (quotient << shift);
            var half = (UInt128)1 << (shift - 1);
            if (remainder > half || (remainder == half && (quotient & 1) == 1))
            {
                quotient++;
            }
        }

        var at = 0;
        if (double.IsNegative(value))
        {
            destination[at++] = (byte)'-';
        }

        Span<byte> digits = stackalloc byte[40];
        quotient.TryFormat(digits, out var count, default, CultureInfo.InvariantCulture);
        if (count <= decimals)
        {
            // Below 1: "0." and the zeros the digits do not reach.
            destination[at++] = (byte)'0';
            destination[at++] = (byte)'.';
            destination.Slice(at, decimals - count).Fill((byte)'0');
            at += decimals - count;
            digits[..count].CopyTo(destination[at..]);
            at += count;
        }
        else
        {
            var whole = count - decimals;
            digits[..whole].CopyTo(destination[at..]);
            at += whole;
            if (decimals > 0)
            {
                destination[at++] = (byte)'.';
                digits[whole..count].CopyTo(destination[at..]);
                at += decimals;
            }
        }

        written = at;
        return true;
    }

    /// <summary><c>%.{decimals}f</c> of any double, as text.</summary>
    public static string Fixed(double value, int decimals)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        if (TryFixed(value, decimals, buffer, out var written))
        {
            return Encoding.ASCII.GetString(buffer[..written]);
        }

        // Large values: integers (exponent > 0), so the decimals are all zeros.
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var mantissa = (bits & ((1UL << 52) - 1)) | (1UL << 52);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1075;
        var integer = new BigInteger(mantissa) << exponent;
        var text = (double.IsNegative(value) ? "-" : "") + integer.ToString(CultureInfo.InvariantCulture);
        return decimals > 0 ? text + "." + new string('0', decimals) : text;
    }

    /// <summary>
    /// addReplyHumanLongDouble's text: <c>%.17Lf</c> (the double's exact value, so the same digits as <c>%.17f</c>)
    /// without trailing zeros, without a bare point, and "-0" as "0". For |value| within Redis's coordinate limits.
    /// </summary>
    public static int Human(double value, Span<byte> destination)
    {
        if (!TryFixed(value, 17, destination, out var length))
        {
            var text = Encoding.ASCII.GetBytes(Fixed(value, 17));
            text.CopyTo(destination);
            length = text.Length;
        }

        if (destination[..length].Contains((byte)'.'))
        {
            while (destination[length - 1] == (byte)'0')
            {
                length--;
            }

            if (destination[length - 1] == (byte)'.')
            {
                length--;
            }
        }

        if (length == 2 && destination[0] == (byte)'-' && destination[1] == (byte)'0')
        {
            destination[0] = (byte)'0';
            length = 1;
        }

        return length;
    }

    private static ulong Pow10(int exponent)
    {
        var result = 1UL;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
