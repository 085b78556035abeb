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
}
