using PepperCache.Core.Types;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>A score range as Redis's zslParseRange reads it: <c>(</c> before a bound makes it exclusive.</summary>
internal readonly record struct ScoreRange(double Min, bool MinExclusive, double Max, bool MaxExclusive)
{
    public static bool TryParse(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, out ScoreRange range)
    {
        range = default;
        if (!TryParseBound(min, out var low, out var lowExclusive) || !TryParseBound(max, out var high, out var highExclusive))
        {
            return false;
        }

        range = new ScoreRange(low, lowExclusive, high, highExclusive);
        return true;
    }

    /// <summary>The ascending ranks in range, first and last (last below first when none).</summary>
    public (long First, long Last) Ranks(SortedSetObject set) =>
        (set.CountBelow(Min, orEqual: MinExclusive), set.CountBelow(Max, orEqual: !MaxExclusive) - 1);

    private static bool TryParseBound(ReadOnlySpan<byte> text, out double value, out bool exclusive)
    {
        exclusive = !text.IsEmpty && text[0] == (byte)'(';
        return SortedSetScore.TryParseBound(exclusive ? text[1..] : text, out value);
    }
}

/// <summary>
/// A lex range as Redis's zslParseLexRange reads it: <c>-</c> and <c>+</c> alone for the ends, else <c>[</c>
/// (inclusive) or <c>(</c> (exclusive) before the member. Bounds stay in the request (argument indexes).
/// </summary>
internal readonly record struct LexRange(LexBound Min, LexBound Max)
{
    public static bool TryParse(CommandContext context, int minIndex, int maxIndex, out LexRange range)
    {
        range = default;
        if (!LexBound.TryParse(context.Argument(minIndex), minIndex, out var min) || !LexBound.TryParse(context.Argument(maxIndex), maxIndex, out var max))
        {
            return false;
        }

        range = new LexRange(min, max);
        return true;
    }

    /// <summary>The ascending ranks in range, first and last (last below first when none).</summary>
    public (long First, long Last) Ranks(SortedSetObject set, CommandContext context)
    {
        var first = Min.End switch
        {
            LexEnd.Lowest => 0,
            LexEnd.Highest => set.Count,
            _ => set.CountBelowLex(context.Argument(Min.Index)[1..], orEqual: Min.Exclusive),
        };
        var last = Max.End switch
        {
            LexEnd.Lowest => -1,
            LexEnd.Highest => set.Count - 1,
            _ => set.CountBelowLex(context.Argument(Max.Index)[1..], orEqual: !Max.Exclusive) - 1,
        };
        return (first, last);
    }
}

internal enum LexEnd
{
    None,
    Lowest,
    Highest,
}

/// <summary>One lex bound: an end (<c>-</c>, <c>+</c>) or the member after the first byte of argument <see cref="Index"/>.</summary>
internal readonly record struct LexBound(LexEnd End, bool Exclusive, int Index)
{
    public static bool TryParse(ReadOnlySpan<byte> text, int index, out LexBound bound)
    {
        bound = default;
        if (text.IsEmpty)
        {
            return false;
        }

        switch (text[0])
        {
            case (byte)'+' when text.Length == 1:
                bound = new LexBound(LexEnd.Highest, true, index);
                return true;
            case (byte)'-' when text.Length == 1:
                bound = new LexBound(LexEnd.Lowest, true, index);
                return true;
            case (byte)'(':
                bound = new LexBound(LexEnd.None, true, index);
                return true;
            case (byte)'[':
                bound = new LexBound(LexEnd.None, false, index);
                return true;
            default:
                return false;
        }
    }
}
