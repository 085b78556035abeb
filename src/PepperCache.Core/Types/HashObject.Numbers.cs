using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Core.Types;

// HINCRBY and HINCRBYFLOAT: a field's value read as a number, changed, and stored back as text.
public sealed partial class HashObject
{
    /// <summary>
    /// Checks a HINCRBYFLOAT increment as Redis does before it looks the key up: NotANumber when it is not a valid
    /// float (<c>string2ld</c>), Overflow when it is infinite ("value is NaN or Infinity").
    /// </summary>
    public static HashIncrementResult CheckFloatIncrement(ReadOnlySpan<byte> increment)
    {
        if (!LongDouble.TryParse(increment, out var delta))
        {
            return HashIncrementResult.NotANumber;
        }

        return delta.IsInfinity ? HashIncrementResult.Overflow : HashIncrementResult.Ok;
    }

    /// <summary>HINCRBY: a missing field counts as 0. NotANumber when the value is not an integer, Overflow past 64 bits.</summary>
    public HashIncrementResult IncrementBy(ReadOnlySpan<byte> field, long delta, EncodingSettings settings, out long result)
    {
        result = 0;
        long current = 0;
        if (TryGetValue(field, out var text) && !RespParser.TryParseInt64(text, out current))
        {
            return HashIncrementResult.NotANumber;
        }

        if ((delta < 0 && current < 0 && delta < long.MinValue - current)
            || (delta > 0 && current > 0 && delta > long.MaxValue - current))
        {
            return HashIncrementResult.Overflow;
        }

        result = current + delta;
        Span<byte> digits = stackalloc byte[20];
        result.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        Set(field, digits[..written], settings);
        return HashIncrementResult.Ok;
    }

    /// <summary>
    /// HINCRBYFLOAT, in emulated x87 long double as Redis computes it (see <see cref="LongDouble"/>); the increment must
    /// have passed <see cref="CheckFloatIncrement"/>. NotANumber when the value is not a float, Overflow when the sum is
    /// infinite. <paramref name="result"/> is the stored text, formatted as Redis formats it.
    /// </summary>
    public HashIncrementResult IncrementByFloat(ReadOnlySpan<byte> field, ReadOnlySpan<byte> increment, EncodingSettings settings, out byte[] result)
    {
        result = [];
        if (!LongDouble.TryParse(increment, out var delta))
        {
            return HashIncrementResult.NotANumber;
        }

        var current = LongDouble.Zero;
        if (TryGetValue(field, out var text) && !LongDouble.TryParse(text, out current))
        {
            return HashIncrementResult.NotANumber;
        }

        if (!LongDouble.TryAdd(current, delta, out var sum))
        {
            return HashIncrementResult.Overflow;
        }

        result = Encoding.ASCII.GetBytes(sum.ToRedisString());
        Set(field, result, settings);
        return HashIncrementResult.Ok;
    }
}

/// <summary>How HINCRBY and HINCRBYFLOAT ended.</summary>
public enum HashIncrementResult
{
    Ok,
    /// <summary>The stored value (or the float increment) is not a number of the kind the command adds.</summary>
    NotANumber,
    /// <summary>The sum overflows 64 bits (HINCRBY) or is infinite (HINCRBYFLOAT).</summary>
    Overflow,
}
