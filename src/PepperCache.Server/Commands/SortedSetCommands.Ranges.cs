using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// ZRANGE and its older forms, ZRANGESTORE, ZREMRANGEBY*: Redis's zrangeGenericCommand and zremrangeGenericCommand.
// Every range becomes a run of ranks (see SortedSetObject.CountBelow), walked up or down from one end.
internal static partial class SortedSetCommands
{
    public static void ZRange(CommandContext context) => RangeGeneric(context, 1, store: false, RangeKind.Auto, Direction.Auto);

    public static void ZRangeStore(CommandContext context) => RangeGeneric(context, 2, store: true, RangeKind.Auto, Direction.Auto);

    public static void ZRevRange(CommandContext context) => RangeGeneric(context, 1, store: false, RangeKind.Rank, Direction.Reverse);

    public static void ZRangeByScore(CommandContext context) => RangeGeneric(context, 1, store: false, RangeKind.Score, Direction.Forward);

    public static void ZRevRangeByScore(CommandContext context) => RangeGeneric(context, 1, store: false, RangeKind.Score, Direction.Reverse);

    public static void ZRangeByLex(CommandContext context) => RangeGeneric(context, 1, store: false, RangeKind.Lex, Direction.Forward);

    public static void ZRevRangeByLex(CommandContext context) => RangeGeneric(context, 1, store: false, RangeKind.Lex, Direction.Reverse);

    public static void ZRemRangeByRank(CommandContext context) => RemoveRange(context, RangeKind.Rank);

    public static void ZRemRangeByScore(CommandContext context) => RemoveRange(context, RangeKind.Score);

    public static void ZRemRangeByLex(CommandContext context) => RemoveRange(context, RangeKind.Lex);

    private enum RangeKind
    {
        Auto,
        Rank,
        Score,
        Lex,
    }

    private enum Direction
    {
        Auto,
        Forward,
        Reverse,
    }

    /// <summary>Where a range command's arguments said to look: the kind, the bounds and the options.</summary>
    private struct RangeSpec
    {
        public RangeKind Kind;
        public bool Reverse;
        public bool WithScores;
        public long Offset;
        public long Limit;
        public long Start;
        public long End;
        public ScoreRange Scores;
        public LexRange Lex;
    }

    /// <summary>Redis's zrangeGenericCommand: options, conflicts, then the bounds, all before the key is looked up.</summary>
    private static void RangeGeneric(CommandContext context, int keyIndex, bool store, RangeKind kind, Direction direction)
    {
        var spec = new RangeSpec { Offset = 0, Limit = -1 };
        for (var j = keyIndex + 3; j < context.ArgumentCount; j++)
        {
            var left = context.ArgumentCount - j - 1;
            if (!store && context.ArgumentIs(j, "WITHSCORES"u8))
            {
                spec.WithScores = true;
            }
            else if (context.ArgumentIs(j, "LIMIT"u8) && left >= 2)
            {
                if (!context.TryGetInt64OrReply(j + 1, out spec.Offset) || !context.TryGetInt64OrReply(j + 2, out spec.Limit))
                {
                    return;
                }

                j += 2;
            }
            else if (direction == Direction.Auto && context.ArgumentIs(j, "REV"u8))
            {
                direction = Direction.Reverse;
            }
            else if (kind == RangeKind.Auto && context.ArgumentIs(j, "BYLEX"u8))
            {
                kind = RangeKind.Lex;
            }
            else if (kind == RangeKind.Auto && context.ArgumentIs(j, "BYSCORE"u8))
            {
                kind = RangeKind.Score;
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        spec.Kind = kind == RangeKind.Auto ? RangeKind.Rank : kind;
        spec.Reverse = direction == Direction.Reverse;
        if (spec.Limit != -1 && spec.Kind == RangeKind.Rank)
        {
            context.WriteError(SortedSetErrors.LimitNeedsByScoreOrLex);
            return;
        }

        if (spec.WithScores && spec.Kind == RangeKind.Lex)
        {
            context.WriteError(SortedSetErrors.WithScoresByLex);
            return;
        }

        // Score and lex ranges are given as max, min when reversed.
        var minIndex = keyIndex + 1;
        var maxIndex = keyIndex + 2;
        if (spec.Reverse && spec.Kind != RangeKind.Rank)
        {
            (minIndex, maxIndex) = (maxIndex, minIndex);
        }

        if (!TryParseBounds(context, spec.Kind, minIndex, maxIndex, ref spec))
        {
            return;
        }

        if (store)
        {
            var operation = new StoreRange(context, spec, keyIndex);
            context.Store.ExecuteOnKeys(context.Request, keyIndex, keyIndex + 1, 1, ref operation);
            SortedSetAof.Replace(context.Aof, context.Argument(1), operation.Result);
            context.Output.WriteInteger(operation.Result?.Count ?? 0);
            return;
        }

        var read = new ReadRange(context, spec);
        context.Store.Execute(context.Argument(keyIndex), DataType.SortedSet, ref read);
    }

    private static bool TryParseBounds(CommandContext context, RangeKind kind, int minIndex, int maxIndex, ref RangeSpec spec)
    {
        switch (kind)
        {
            case RangeKind.Score:
                if (!ScoreRange.TryParse(context.Argument(minIndex), context.Argument(maxIndex), out spec.Scores))
                {
                    context.WriteError(SortedSetErrors.MinMaxNotFloat);
                    return false;
                }

                return true;
            case RangeKind.Lex:
                if (!LexRange.TryParse(context, minIndex, maxIndex, out spec.Lex))
                {
                    context.WriteError(SortedSetErrors.MinMaxNotLex);
                    return false;
                }

                return true;
            default:
                return context.TryGetInt64OrReply(minIndex, out spec.Start) && context.TryGetInt64OrReply(maxIndex, out spec.End);
        }
    }

    /// <summary>
    /// The run a range selects: <paramref name="from"/> a rank counted in the walk's direction, <paramref name="count"/>
    /// members (0 for none).
    /// </summary>
    private static void Select(SortedSetObject set, in RangeSpec spec, CommandContext context, out long from, out long count)
    {
        var length = set.Count;
        from = 0;
        count = 0;
        if (spec.Kind == RangeKind.Rank)
        {
            var (start, end) = (spec.Start, spec.End);
            if (start < 0)
            {
                start += length;
            }

            if (end < 0)
            {
                end += length;
            }

            start = Math.Max(start, 0);
            if (start > end || start >= length)
            {
                return;
            }

            end = Math.Min(end, length - 1);
            from = start;
            count = end - start + 1;
            return;
        }

        var (low, high) = spec.Kind == RangeKind.Score ? spec.Scores.Ranks(set) : spec.Lex.Ranks(set, context);
        // A negative offset skips everything (Redis counts it down past zero); a negative limit takes all.
        if (high < low || spec.Offset < 0)
        {
            return;
        }

        var available = high - low + 1 - spec.Offset;
        if (available <= 0)
        {
            return;
        }

        from = (spec.Reverse ? length - 1 - high : low) + spec.Offset;
        count = spec.Limit < 0 ? available : Math.Min(spec.Limit, available);
    }

    private readonly struct ReadRange(CommandContext context, RangeSpec spec) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not SortedSetObject set)
            {
                context.Client.KeyspaceMisses++;
                output.WriteRaw(RespConstants.EmptyArray);
                return;
            }

            context.Client.KeyspaceHits++;
            Select(set, spec, context, out var from, out var count);
            var resp3 = context.Resp3;
            if (spec.WithScores)
            {
                output.WritePairsHeader((int)count, resp3);
            }
            else
            {
                output.WriteArrayHeader((int)count);
            }

            var walker = set.WalkFrom(from, spec.Reverse);
            for (var i = 0L; i < count && walker.MoveNext(); i++)
            {
                if (spec.WithScores)
                {
                    WriteScoredMember(output, walker.Member, walker.Score, resp3);
                }
                else
                {
                    output.WriteBulkString(walker.Member);
                }
            }
        }
    }

    /// <summary>ZRANGESTORE: the selection copied into a new set that replaces the destination (or deletes it when empty).</summary>
    private struct StoreRange(CommandContext context, RangeSpec spec, int sourceIndex) : IKeysOperation
    {
        public SortedSetObject? Result;

        public void Apply(LockedKeys keys)
        {
            SortedSetObject? result = null;
            if (keys.TryRead(context.Argument(sourceIndex), out var type, out var value))
            {
                if (type != DataType.SortedSet)
                {
                    WrongTypeException.Throw();
                }

                var set = (SortedSetObject)value!;
                Select(set, spec, context, out var from, out var count);
                var settings = context.Store.Encodings;
                result = new SortedSetObject();
                var walker = set.WalkFrom(from, spec.Reverse);
                for (var i = 0L; i < count && walker.MoveNext(); i++)
                {
                    result.Set(walker.Member, walker.Score, settings);
                }
            }

            keys.Store(context.Argument(1), result);
            Result = result is { Count: > 0 } ? result : null;
        }
    }

    /// <summary>ZREMRANGEBYRANK/SCORE/LEX key min max: the range parsed before the lookup, as Redis does.</summary>
    private static void RemoveRange(CommandContext context, RangeKind kind)
    {
        var spec = new RangeSpec { Kind = kind, Limit = -1 };
        if (!TryParseBounds(context, kind, 2, 3, ref spec))
        {
            return;
        }

        var operation = new RemoveRangeOperation(context, spec);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
        if (operation.Removed > 0)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Removed);
    }

    private struct RemoveRangeOperation(CommandContext context, RangeSpec spec) : IObjectOperation
    {
        public long Removed;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not SortedSetObject set)
            {
                return;
            }

            Select(set, spec, context, out var from, out var count);
            if (count > 0)
            {
                set.RemoveRange(from, from + count - 1);
                Removed = count;
            }
        }
    }
}
