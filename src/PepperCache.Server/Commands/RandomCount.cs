using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>
/// The arguments HRANDFIELD and ZRANDMEMBER share, <c>key [count [WITHVALUES|WITHSCORES]]</c>, checked before the key
/// is looked up as Redis checks them: a count of LONG_MIN, or one whose reply with pairs would overflow, is out of
/// range, and a negative count past <see cref="HashCommands.MaxRandomReply"/> is refused rather than built.
/// </summary>
internal readonly record struct RandomCount(bool HasCount, long Count, bool WithPairs)
{
    public static bool TryParse(CommandContext context, ReadOnlySpan<byte> pairsKeyword, out RandomCount parsed)
    {
        parsed = default;
        if (context.ArgumentCount < 3)
        {
            return true;
        }

        if (!context.TryGetInt64OrReply(2, out var count))
        {
            return false;
        }

        if (count == long.MinValue)
        {
            context.WriteError(ErrorMessages.RandomCountOutOfRange);
            return false;
        }

        if (context.ArgumentCount > 4 || (context.ArgumentCount == 4 && !context.ArgumentIs(3, pairsKeyword)))
        {
            context.WriteSyntaxError();
            return false;
        }

        var withPairs = context.ArgumentCount == 4;
        if ((withPairs && (count < -long.MaxValue / 2 || count > long.MaxValue / 2)) || -count > HashCommands.MaxRandomReply)
        {
            context.WriteError(ErrorMessages.ValueOutOfRange);
            return false;
        }

        parsed = new RandomCount(true, count, withPairs);
        return true;
    }
}
