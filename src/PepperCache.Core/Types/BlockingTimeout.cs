using System.Numerics;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

/// <summary>What a blocking command's timeout argument says (BLPOP ... timeout).</summary>
public enum BlockingTimeoutParse
{
    Ok,

    /// <summary>"timeout is not a float or out of range".</summary>
    NotAFloat,

    /// <summary>"timeout is negative".</summary>
    Negative,
}

/// <summary>Redis's getTimeoutFromObjectOrReply in seconds, to the bit.</summary>
public static class BlockingTimeout
{
    private static readonly BigInteger TwoTo63 = BigInteger.One << 63;

    /// <summary>
    /// The timeout in milliseconds (0: wait forever), as Redis computes it: the text read as a <c>long double</c>
    /// (string2ld), times 1000 in long double precision, truncated to a <c>long long</c>. A product beyond that range
    /// (inf, 1e30) converts to the x87's LLONG_MIN and is then "negative", as Redis answers; a tiny negative one
    /// (-0.0001) truncates to 0 and means forever, as it does in Redis.
    /// </summary>
    public static BlockingTimeoutParse TryParseSeconds(ReadOnlySpan<byte> text, out long milliseconds)
    {
        milliseconds = 0;
        if (!LongDouble.TryParse(text, out var value))
        {
            return BlockingTimeoutParse.NotAFloat;
        }

        if (value.IsInfinity)
        {
            return BlockingTimeoutParse.Negative;
        }

        // The product rounded to the x87's 64-bit mantissa (nearest even), then truncated toward zero.
        var product = (BigInteger)value.Mantissa * 1000;
        var exponent = value.Exponent;
        var bits = (int)product.GetBitLength();
        if (bits > 64)
        {
            var shift = bits - 64;
            var kept = product >> shift;
            var rest = product - (kept << shift);
            var half = BigInteger.One << (shift - 1);
            if (rest > half || (rest == half && !kept.IsEven))
            {
                kept += 1;
            }

            product = kept;
            exponent += shift;
        }

        BigInteger whole;
        if (exponent >= 0)
        {
            if (product.IsZero)
            {
                whole = 0;
            }
            else if (exponent > 64)
            {
                return BlockingTimeoutParse.Negative;
            }
            else
            {
                whole = product << exponent;
            }
        }
        else
        {
            whole = -exponent >= 128 ? BigInteger.Zero : product >> -exponent;
        }

        if (whole.IsZero)
        {
            return BlockingTimeoutParse.Ok;
        }

        if (value.IsNegative || whole >= TwoTo63)
        {
            return BlockingTimeoutParse.Negative;
        }

        milliseconds = (long)whole;
        return BlockingTimeoutParse.Ok;
    }
}
