using System.Globalization;
using System.Numerics;
using System.Text;

namespace PepperCache.Core.Storage;

/// <summary>
/// The x87 80-bit <c>long double</c> that Redis uses for INCRBYFLOAT on x86-64 Linux, emulated exactly:
/// parsing as glibc <c>strtold</c> under Redis's <c>string2ld</c> rules, addition, and Redis's <c>%.17Lf</c> output.
/// </summary>
/// <remarks>
/// A value is <c>(-1)^sign × mantissa × 2^exponent</c> with a 64-bit mantissa, rounded to nearest-even at every step
/// as the FPU does. Computing in <c>double</c> instead would show its noise in the 17 printed decimals
/// (0.1 + 0.2 would print 0.30000000000000004 where Redis prints 0.3), and replies would differ from Redis's.
/// Arithmetic is exact on <see cref="BigInteger"/>; INCRBYFLOAT is rare enough that this costs nothing that matters.
/// </remarks>
internal readonly struct LongDouble
{
    // Exponent of the lowest mantissa bit: denormals and the smallest normals use -16445; the largest finite
    // value is (2^64 - 1) × 2^16320, about 1.19e4932.
    private const int MinExponent = -16445;
    private const int MaxExponent = 16320;

    // string2ld copies into a char[5 * 1024] buffer and rejects anything that does not fit with its terminator.
    private const int MaxTextLength = (5 * 1024) - 1;

    // Caps a parsed exponent far beyond any finite value, so "1e99999999999" cannot overflow our arithmetic.
    private const long ExponentCap = 1_000_000;

    private static readonly BigInteger TwoTo63 = BigInteger.One << 63;
    private static readonly BigInteger TwoTo64 = BigInteger.One << 64;
    private static readonly BigInteger TenTo17 = BigInteger.Pow(10, 17);

    private LongDouble(bool negative, ulong mantissa, int exponent, bool infinity)
    {
        IsNegative = negative;
        Mantissa = mantissa;
        Exponent = exponent;
        IsInfinity = infinity;
    }

    public bool IsNegative { get; }

    /// <summary>0 for zero; at least 2^63 except for denormals.</summary>
    public ulong Mantissa { get; }

    public int Exponent { get; }

    public bool IsInfinity { get; }

    public static LongDouble Zero => default;

    /// <summary>
    /// Parses as Redis's <c>string2ld</c>: the whole text must be one <c>strtold</c> number (decimal, hex float,
    /// <c>inf</c>/<c>infinity</c>), with no leading space, not NaN, and neither overflowing nor underflowing to zero.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out LongDouble value)
    {
        value = default;
        if (text.IsEmpty || text.Length > MaxTextLength)
        {
            return false;
        }

        var negative = text[0] == (byte)'-';
        var body = text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
        if (Ascii.EqualsIgnoreCase(body, "inf"u8) || Ascii.EqualsIgnoreCase(body, "infinity"u8))
        {
            value = new LongDouble(negative, 0, 0, infinity: true);
            return true;
        }

        return body.Length >= 2 && body[0] == (byte)'0' && (body[1] | 0x20) == (byte)'x'
            ? TryParseHex(body[2..], negative, out value)
            : TryParseDecimal(body, negative, out value);
    }

    /// <summary>The double's shortest round-trip text read as a long double: what the user most likely typed.</summary>
    public static LongDouble FromDouble(double value)
    {
        if (double.IsInfinity(value))
        {
            return new LongDouble(value < 0, 0, 0, infinity: true);
        }

        Span<byte> text = stackalloc byte[32];
        value.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
        // Every finite double's "R" text is a valid strtold number within long double range.
        return TryParse(text[..written], out var result) ? result : Zero;
    }

    /// <summary>The rounded sum; false when it is infinite or NaN (either operand infinite, or overflow).</summary>
    public static bool TryAdd(LongDouble a, LongDouble b, out LongDouble sum)
    {
        sum = default;
        if (a.IsInfinity || b.IsInfinity)
        {
            return false;
        }

        if (a.Mantissa == 0 || b.Mantissa == 0)
        {
            // x + 0 is x, and -0 + -0 is the only sum of zeros that is negative.
            sum = a.Mantissa != 0 ? a : b.Mantissa != 0 ? b : new LongDouble(a.IsNegative && b.IsNegative, 0, 0, false);
            return true;
        }

        var (big, small) = a.Exponent >= b.Exponent ? (a, b) : (b, a);
        if (big.Exponent - small.Exponent > 2 * 64 + 2)
        {
            // The smaller operand is far below half an ulp of the larger: round-to-nearest returns the larger.
            sum = big;
            return true;
        }

        var exact = ((BigInteger)big.Mantissa << (big.Exponent - small.Exponent)) * (big.IsNegative ? -1 : 1)
                    + (BigInteger)small.Mantissa * (small.IsNegative ? -1 : 1);
        if (exact.IsZero)
        {
            return true;
        }

        return TryRound(BigInteger.Abs(exact), BigInteger.One, small.Exponent, exact.Sign < 0, out sum);
    }

    /// <summary>Redis's human-friendly text: <c>%.17Lf</c>, trailing zeros and point trimmed, "-0" as "0".</summary>
    public string ToRedisString()
    {
        BigInteger scaled;
        if (Mantissa == 0)
        {
            scaled = BigInteger.Zero;
        }
        else if (Exponent >= 0)
        {
            scaled = ((BigInteger)Mantissa << Exponent) * TenTo17;
        }
        else
        {
            var n = (BigInteger)Mantissa * TenTo17;
            var shift = -Exponent;
            if (shift > n.GetBitLength())
            {
                scaled = BigInteger.Zero;
            }
            else
            {
                // glibc printf rounds the exact binary value to nearest, ties to even.
                scaled = n >> shift;
                var remainder = n - (scaled << shift);
                var comparison = remainder.CompareTo(BigInteger.One << (shift - 1));
                if (comparison > 0 || (comparison == 0 && !scaled.IsEven))
                {
                    scaled += BigInteger.One;
                }
            }
        }

        if (scaled.IsZero)
        {
            return "0";
        }

        var digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0');
        var integerPart = digits.AsSpan(0, digits.Length - 17);
        var fraction = digits.AsSpan(digits.Length - 17).TrimEnd('0');
        var sign = IsNegative ? "-" : "";
        return fraction.IsEmpty ? string.Concat(sign, integerPart) : string.Concat(sign, integerPart, ".", fraction);
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> body, bool negative, out LongDouble value)
    {
        value = default;
        var p = SkipDigits(body, 0, 10);
        var integerDigits = body[..p];
        var fractionDigits = ReadOnlySpan<byte>.Empty;
        if (p < body.Length && body[p] == (byte)'.')
        {
            var end = SkipDigits(body, p + 1, 10);
            fractionDigits = body[(p + 1)..end];
            p = end;
        }

        if (integerDigits.IsEmpty && fractionDigits.IsEmpty)
        {
            return false;
        }

        long exponent = 0;
        if (p < body.Length && (body[p] | 0x20) == (byte)'e' && !TryReadExponent(body, ref p, out exponent))
        {
            return false;
        }

        if (p != body.Length)
        {
            return false;
        }

        var significand = ParseDigits(integerDigits, fractionDigits, 10, out var significantDigits);
        if (significand.IsZero)
        {
            value = new LongDouble(negative, 0, 0, false);
            return true;
        }

        exponent -= fractionDigits.Length;
        var magnitude = significantDigits + exponent;
        // 10^4933 is beyond the largest finite value and 10^-4952 below half the smallest denormal.
        if (magnitude > 4933 || magnitude < -4952)
        {
            return false;
        }

        return exponent >= 0
            ? TryRound(significand * BigInteger.Pow(10, (int)exponent), BigInteger.One, 0, negative, out value)
            : TryRound(significand, BigInteger.Pow(10, (int)-exponent), 0, negative, out value);
    }

    private static bool TryParseHex(ReadOnlySpan<byte> digits, bool negative, out LongDouble value)
    {
        value = default;
        var p = SkipDigits(digits, 0, 16);
        var integerDigits = digits[..p];
        var fractionDigits = ReadOnlySpan<byte>.Empty;
        if (p < digits.Length && digits[p] == (byte)'.')
        {
            var end = SkipDigits(digits, p + 1, 16);
            fractionDigits = digits[(p + 1)..end];
            p = end;
        }

        if (integerDigits.IsEmpty && fractionDigits.IsEmpty)
        {
            return false;
        }

        long exponent = 0;
        if (p < digits.Length && (digits[p] | 0x20) == (byte)'p' && !TryReadExponent(digits, ref p, out exponent))
        {
            return false;
        }

        if (p != digits.Length)
        {
            return false;
        }

        var significand = ParseDigits(integerDigits, fractionDigits, 16, out _);
        if (significand.IsZero)
        {
            value = new LongDouble(negative, 0, 0, false);
            return true;
        }

        exponent -= 4L * fractionDigits.Length;
        var magnitude = significand.GetBitLength() + exponent;
        if (magnitude > 16385 || magnitude < -16447)
        {
            return false;
        }

        return TryRound(significand, BigInteger.One, exponent, negative, out value);
    }

    /// <summary>Reads <c>e</c>/<c>p</c>, an optional sign and at least one decimal digit; the value is capped.</summary>
    private static bool TryReadExponent(ReadOnlySpan<byte> text, ref int p, out long exponent)
    {
        exponent = 0;
        var i = p + 1;
        var negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == (byte)'-';
            i++;
        }

        var start = i;
        for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++)
        {
            exponent = Math.Min(exponent * 10 + (text[i] - '0'), ExponentCap);
        }

        if (i == start)
        {
            return false;
        }

        exponent = negative ? -exponent : exponent;
        p = i;
        return true;
    }

    private static int SkipDigits(ReadOnlySpan<byte> text, int p, int radix)
    {
        while (p < text.Length && DigitValue(text[p], radix) >= 0)
        {
            p++;
        }

        return p;
    }

    private static int DigitValue(byte b, int radix)
    {
        var value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return value < radix ? value : -1;
    }

    /// <summary>The integer spelled by both digit runs, and how many digits it has without leading zeros.</summary>
    private static BigInteger ParseDigits(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, int radix, out int significantDigits)
    {
        // Digits are gathered in chunks that fit a ulong, so short numbers never multiply BigIntegers.
        var chunkSize = radix == 10 ? 19 : 15;
        var result = BigInteger.Zero;
        ulong chunk = 0;
        ulong chunkScale = 1;
        var inChunk = 0;
        significantDigits = 0;
        for (var part = 0; part < 2; part++)
        {
            foreach (var b in part == 0 ? first : second)
            {
                var digit = DigitValue(b, radix);
                if (significantDigits == 0 && digit == 0)
                {
                    continue;
                }

                significantDigits++;
                chunk = chunk * (ulong)radix + (ulong)digit;
                chunkScale *= (ulong)radix;
                if (++inChunk == chunkSize)
                {
                    result = result.IsZero ? chunk : result * chunkScale + chunk;
                    chunk = 0;
                    chunkScale = 1;
                    inChunk = 0;
                }
            }
        }

        return inChunk == 0 ? result : result.IsZero ? chunk : result * chunkScale + chunk;
    }

    /// <summary>
    /// Rounds <c>numerator / denominator × 2^exponent</c> (positive) to the nearest long double, ties to even.
    /// False when it overflows or underflows to zero (strtold's ERANGE cases that Redis rejects).
    /// </summary>
    private static bool TryRound(BigInteger numerator, BigInteger denominator, long exponent, bool negative, out LongDouble value)
    {
        value = default;
        // numerator / denominator lies in [2^(bits - 1), 2^(bits + 1)), so this makes the quotient 64 or 65 bits.
        var bits = numerator.GetBitLength() - denominator.GetBitLength();
        var e = Math.Max(bits + exponent - 64, MinExponent);
        if (e > MaxExponent + 1)
        {
            return false;
        }

        while (true)
        {
            var shift = exponent - e;
            var n = shift >= 0 ? numerator << (int)shift : numerator;
            var d = shift >= 0 ? denominator : denominator << (int)-shift;
            var quotient = BigInteger.DivRem(n, d, out var remainder);
            if (quotient >= TwoTo64)
            {
                e++;
                continue;
            }

            var comparison = (remainder << 1).CompareTo(d);
            if (comparison > 0 || (comparison == 0 && !quotient.IsEven))
            {
                quotient += BigInteger.One;
            }

            if (quotient == TwoTo64)
            {
                quotient = TwoTo63;
                e++;
            }

            if (quotient.IsZero || e > MaxExponent)
            {
                return false;
            }

            value = new LongDouble(negative, (ulong)quotient, (int)e, false);
            return true;
        }
    }
}
