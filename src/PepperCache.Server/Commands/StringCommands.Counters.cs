using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Counters: INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. The read-modify-write is one atomic store step.
internal static partial class StringCommands
{
    // Redis's MAX_LONG_DOUBLE_CHARS: longer float text is refused before parsing.
    private const int MaxFloatTextLength = 5 * 1024;

    public static void Incr(CommandContext context) => IncrementBy(context, 1);

    public static void Decr(CommandContext context) => IncrementBy(context, -1);

    public static void IncrBy(CommandContext context)
    {
        if (context.TryGetInt64OrReply(2, out var delta))
        {
            IncrementBy(context, delta);
        }
    }

    public static void DecrBy(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var delta))
        {
            return;
        }

        // long.MinValue cannot be negated; Redis has its own wording for this one case.
        if (delta == long.MinValue)
        {
            context.WriteError(ErrorMessages.DecrementOverflow);
            return;
        }

        IncrementBy(context, -delta);
    }

    public static void IncrByFloat(CommandContext context)
    {
        if (!TryParseFloat(context.Argument(2), out var delta))
        {
            context.WriteError(ErrorMessages.NotFloat);
            return;
        }

        switch (context.Store.IncrementByFloat(context.Argument(1), delta, out var result))
        {
            case IncrementResult.Ok:
                context.Output.WriteBulkString(result.Span);
                break;
            case IncrementResult.NotANumber:
                context.WriteError(ErrorMessages.NotFloat);
                break;
            default:
                context.WriteError(ErrorMessages.NanOrInfinity);
                break;
        }
    }

    private static void IncrementBy(CommandContext context, long delta)
    {
        switch (context.Store.IncrementBy(context.Argument(1), delta, out var result))
        {
            case IncrementResult.Ok:
                context.Output.WriteInteger(result);
                break;
            case IncrementResult.NotANumber:
                context.WriteError(ErrorMessages.NotInteger);
                break;
            default:
                context.WriteError(ErrorMessages.Overflow);
                break;
        }
    }

    /// <summary>
    /// Redis's string2ld (strtold): no leading space, nothing after the number, "inf"/"infinity" allowed (the sum
    /// then fails as NaN or Infinity), NaN refused. A number beyond double's range parses as infinity and fails the
    /// same way; Redis, computing in long double, would accept some of those.
    /// </summary>
    internal static bool TryParseFloat(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty || text.Length >= MaxFloatTextLength || IsCSpace(text[0]))
        {
            return false;
        }

        var unsigned = text[0] is (byte)'+' or (byte)'-' ? text[1..] : text;
        if (Ascii.EqualsIgnoreCase(unsigned, "inf"u8) || Ascii.EqualsIgnoreCase(unsigned, "infinity"u8))
        {
            value = text[0] == (byte)'-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        // .NET would also read its own symbols ("Infinity", "NaN", "∞"); only digits, sign, point and exponent pass.
        foreach (var b in unsigned)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-'))
            {
                return false;
            }
        }

        const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        return double.TryParse(text, Style, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
    }

    private static bool IsCSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
}
