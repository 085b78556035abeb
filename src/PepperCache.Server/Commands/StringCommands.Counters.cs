using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Counters: INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. The read-modify-write is one atomic store step.
internal static partial class StringCommands
{
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

    /// <summary>
    /// INCRBYFLOAT: the store parses the increment text itself (strtold rules) and adds in long double, as Redis does,
    /// so "0.1" plus "0.2" is stored as "0.3". An invalid increment and an invalid stored value share one error.
    /// </summary>
    public static void IncrByFloat(CommandContext context)
    {
        switch (context.Store.IncrementByFloat(context.Argument(1), context.Argument(2), out var result))
        {
            case IncrementResult.Ok:
                // As Redis: logged as the resulting SET, so replay gives the same bytes whatever float rounding does.
                context.Aof.Set(context.Argument(1), result.Span, result.ExpiresAt);
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

    /// <summary>
    /// A counter is logged as its value (SET key n [PXAT t]): replaying INCR would count from a key that had expired at
    /// run time but may still be there during the load.
    /// </summary>
    private static void LogCounter(CommandContext context, long result)
    {
        var key = context.Argument(1);
        Span<byte> digits = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(result, digits, out var length);
        var expiresAt = context.Store.GetExpiresAt(key);
        context.Aof.Set(key, digits[..length], expiresAt > 0 ? expiresAt : 0);
    }

    private static void IncrementBy(CommandContext context, long delta)
    {
        switch (context.Store.IncrementBy(context.Argument(1), delta, out var result))
        {
            case IncrementResult.Ok:
                if (context.Aof.IsRecording)
                {
                    LogCounter(context, result);
                }

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
}
