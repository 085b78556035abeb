using System.Globalization;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Core.Types;

/// <summary>
/// Scores as Redis reads and prints them: parsing as glibc <c>strtod</c> under Redis's two rules (ZADD's
/// <c>getDoubleFromObject</c>, strict; range bounds' <c>zslParseRange</c>, lenient), and printing as Redis 7.0's
/// <c>addReplyDouble</c> does (<c>%.17g</c>, with <c>inf</c> and <c>-inf</c>).
/// </summary>
public static class SortedSetScore
{
    /// <summary>Longest text <see cref="Format"/> writes ("-2.2250738585072014e-308" is 24).</summary>
    public const int MaxLength = 32;

    /// <summary>
    /// A score argument (ZADD, ZINCRBY, WEIGHTS): the whole text one strtod number, not empty, no leading space, not
    /// NaN, neither overflowing to infinity nor underflowing to zero.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty || IsSpace(text[0]) || !TryStrtod(text, out value, out var consumed, out var outOfRange))
        {
            return false;
        }

        return consumed == text.Length && !outOfRange && !double.IsNaN(value);
    }

    /// <summary>
    /// A score range bound without its <c>(</c>: strtod with only the end checked, so leading space and the empty
    /// text (0) pass and overflow gives infinity, as Redis's zslParseRange; NaN is refused.
    /// </summary>
    public static bool TryParseBound(ReadOnlySpan<byte> text, out double value) =>
        TryStrtodWhole(text, out value, out _) && !double.IsNaN(value);

    /// <summary>
    /// A SORT weight (an element, or the value a BY pattern names), as Redis's sort.c checks strtod: the C string read
    /// to its end, no ERANGE, not NaN. Leading space passes, and the empty text is 0.
    /// </summary>
    public static bool TryParseSortWeight(ReadOnlySpan<byte> text, out double value) =>
        TryStrtodWhole(text, out value, out var outOfRange) && !outOfRange && !double.IsNaN(value);

    /// <summary>Writes <paramref name="value"/> as <c>%.17g</c> (inf and -inf spelled so); returns the length.</summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value))
        {
            "inf"u8.CopyTo(destination);
            return 3;
        }

        if (double.IsNegativeInfinity(value))
        {
            "-inf"u8.CopyTo(destination);
            return 4;
        }

        if (value == 0)
        {
            if (double.IsNegative(value))
            {
                "-0"u8.CopyTo(destination);
                return 2;
            }

            destination[0] = (byte)'0';
            return 1;
        }

        // 17 significant digits, correctly rounded: d.dddddddddddddddde±xxx.
        Span<char> e = stackalloc char[40];
        value.TryFormat(e, out var written, "E16", CultureInfo.InvariantCulture);
        e = e[..written];
        var position = 0;
        if (e[0] == '-')
        {
            destination[position++] = (byte)'-';
            e = e[1..];
        }

        var mark = e.IndexOf('E');
        Span<char> digits = stackalloc char[17];
        digits[0] = e[0];
        e.Slice(2, 16).CopyTo(digits[1..]);
        var exponent = int.Parse(e[(mark + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var significant = 17;
        while (significant > 1 && digits[significant - 1] == '0')
        {
            significant--;
        }

        if (exponent < -4 || exponent >= 17)
        {
            destination[position++] = (byte)digits[0];
            if (significant > 1)
            {
                destination[position++] = (byte)'.';
                for (var i = 1; i < significant; i++)
                {
                    destination[position++] = (byte)digits[i];
                }
            }

            destination[position++] = (byte)'e';
            destination[position++] = exponent < 0 ? (byte)'-' : (byte)'+';
            var magnitude = Math.Abs(exponent);
            if (magnitude < 10)
            {
                destination[position++] = (byte)'0';
            }

            magnitude.TryFormat(destination[position..], out var exponentLength, default, CultureInfo.InvariantCulture);
            return position + exponentLength;
        }

        if (exponent < 0)
        {
            destination[position++] = (byte)'0';
            destination[position++] = (byte)'.';
            for (var i = -1; i > exponent; i--)
            {
                destination[position++] = (byte)'0';
            }

            for (var i = 0; i < significant; i++)
            {
                destination[position++] = (byte)digits[i];
            }

            return position;
        }

        for (var i = 0; i <= exponent; i++)
        {
            destination[position++] = (byte)digits[i];
        }

        if (significant > exponent + 1)
        {
            destination[position++] = (byte)'.';
            for (var i = exponent + 1; i < significant; i++)
            {
                destination[position++] = (byte)digits[i];
            }
        }

        return position;
    }

    /// <summary>
    /// A score as a listpack stores it (Redis's d2string), which ZSCAN of a listpack answers: an integral value within
    /// half the long range as an integer (1e17 is "100000000000000000"), anything else as <see cref="Format"/>.
    /// </summary>
    public static int FormatStored(double value, Span<byte> destination)
    {
        if (value != 0 && Math.Floor(value) == value && value >= -(long.MaxValue / 2) && value <= long.MaxValue / 2)
        {
            ((long)value).TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }

        return Format(value, destination);
    }

    /// <summary>The <see cref="Format"/> text as a new array (AOF records, stored results).</summary>
    public static byte[] ToBytes(double value)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return text[..Format(value, text)].ToArray();
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    /// <summary>
    /// strtod over the C string <paramref name="text"/> starts with, true when it read all of it (Redis's
    /// <c>eptr[0] == '\0'</c>). Nothing parsed leaves strtod's 0 and its pointer at the start, so only the empty text
    /// passes then.
    /// </summary>
    private static bool TryStrtodWhole(ReadOnlySpan<byte> text, out double value, out bool outOfRange)
    {
        if (!TryStrtod(text, out value, out var consumed, out outOfRange))
        {
            value = 0;
            consumed = 0;
            outOfRange = false;
        }

        return consumed >= CString.Of(text).Length;
    }

    /// <summary>
    /// glibc strtod: leading space, a sign, then inf/infinity/nan, a hex float (0x...) or a decimal; the longest
    /// prefix that is a number. False when no number starts the text. <paramref name="outOfRange"/> is ERANGE for an
    /// overflow to infinity or an underflow to zero.
    /// </summary>
    private static bool TryStrtod(ReadOnlySpan<byte> text, out double value, out int consumed, out bool outOfRange)
    {
        value = 0;
        consumed = 0;
        outOfRange = false;
        var i = 0;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == (byte)'-';
            i++;
        }

        var rest = text[i..];
        if (StartsWithIgnoreCase(rest, "inf"u8))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            consumed = i + (StartsWithIgnoreCase(rest, "infinity"u8) ? 8 : 3);
            return true;
        }

        if (StartsWithIgnoreCase(rest, "nan"u8))
        {
            value = double.NaN;
            consumed = i + 3;
            if (consumed < text.Length && text[consumed] == (byte)'(')
            {
                var close = text[consumed..].IndexOf((byte)')');
                if (close > 0 && IsNanChars(text.Slice(consumed + 1, close - 1)))
                {
                    consumed += close + 1;
                }
            }

            return true;
        }

        if (rest.Length >= 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == (byte)'x' && TryHex(rest[2..], out var hex, out var hexLength))
        {
            value = negative ? -hex : hex;
            consumed = i + 2 + hexLength;
            outOfRange = double.IsInfinity(hex);
            return true;
        }

        var start = i;
        var mantissaDigits = 0;
        var nonZero = false;
        while (i < text.Length && char.IsAsciiDigit((char)text[i]))
        {
            nonZero |= text[i] != (byte)'0';
            i++;
            mantissaDigits++;
        }

        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit((char)text[i]))
            {
                nonZero |= text[i] != (byte)'0';
                i++;
                mantissaDigits++;
            }
        }

        if (mantissaDigits == 0)
        {
            return false;
        }

        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            var j = i + 1;
            if (j < text.Length && text[j] is (byte)'+' or (byte)'-')
            {
                j++;
            }

            if (j < text.Length && char.IsAsciiDigit((char)text[j]))
            {
                while (j < text.Length && char.IsAsciiDigit((char)text[j]))
                {
                    j++;
                }

                i = j;
            }
        }

        // .NET's parse is correctly rounded, as glibc's; overflow gives infinity, underflow zero.
        var parsed = double.Parse(text[start..i], NumberStyles.Float, CultureInfo.InvariantCulture);
        value = negative ? -parsed : parsed;
        consumed = i;
        outOfRange = double.IsInfinity(parsed) || (parsed == 0 && nonZero);
        return true;
    }

    private static bool IsNanChars(ReadOnlySpan<byte> chars)
    {
        foreach (var c in chars)
        {
            if (!char.IsAsciiLetterOrDigit((char)c) && c != (byte)'_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Hex digits with an optional point, then an optional binary exponent (p±n).</summary>
    private static bool TryHex(ReadOnlySpan<byte> text, out double value, out int consumed)
    {
        value = 0;
        consumed = 0;
        var mantissa = 0.0;
        var exponent = 0L;
        var digits = 0;
        var i = 0;
        var seenPoint = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == (byte)'.' && !seenPoint)
            {
                seenPoint = true;
                continue;
            }

            var digit = HexValue(c);
            if (digit < 0)
            {
                break;
            }

            digits++;
            // Beyond 15 digits the extra precision is below double's: count their weight only.
            if (mantissa < 1e18)
            {
                mantissa = (mantissa * 16) + digit;
                if (seenPoint)
                {
                    exponent -= 4;
                }
            }
            else if (!seenPoint)
            {
                exponent += 4;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < text.Length && (text[i] | 0x20) == (byte)'p')
        {
            var j = i + 1;
            var negative = false;
            if (j < text.Length && text[j] is (byte)'+' or (byte)'-')
            {
                negative = text[j] == (byte)'-';
                j++;
            }

            if (j < text.Length && char.IsAsciiDigit((char)text[j]))
            {
                var power = 0L;
                while (j < text.Length && char.IsAsciiDigit((char)text[j]))
                {
                    power = Math.Min((power * 10) + (text[j] - '0'), 100_000);
                    j++;
                }

                exponent += negative ? -power : power;
                i = j;
            }
        }

        value = Math.ScaleB(mantissa, (int)Math.Clamp(exponent, -100_000, 100_000));
        consumed = i;
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);
}
