using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// ZPOPMIN, ZPOPMAX, ZMPOP (Redis's genericZpopCommand), ZRANDMEMBER and ZSCAN.
internal static partial class SortedSetCommands
{
    private const long DefaultScanCount = 10;

    public static void ZPopMin(CommandContext context) => PopMinMax(context, max: false);

    public static void ZPopMax(CommandContext context) => PopMinMax(context, max: true);

    private static void PopMinMax(CommandContext context, bool max)
    {
        if (context.ArgumentCount > 3)
        {
            context.WriteSyntaxError();
            return;
        }

        var count = -1L;
        if (context.ArgumentCount == 3 && (!context.TryGetInt64(2, out count) || count < 0))
        {
            context.WriteError(SortedSetErrors.MustBePositive);
            return;
        }

        // Count 0 answers an empty array, but only after the type check (Redis looks the key up first).
        var operation = new Pop(context, max, count == -1 ? 1 : count, nested: false);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
        if (!operation.Found)
        {
            context.Output.WriteRaw(RespConstants.EmptyArray);
        }
        else if (operation.Popped > 0)
        {
            SortedSetAof.Pop(context.Aof, context.Argument(1), max, operation.Popped);
        }
    }

    /// <summary>ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: pops from the first key that holds a sorted set.</summary>
    public static void ZMPop(CommandContext context)
    {
        if (!context.TryGetInt64(1, out var keys) || keys < 1)
        {
            context.WriteError(SortedSetErrors.NumKeysNotPositive);
            return;
        }

        if (keys >= context.ArgumentCount - 2)
        {
            context.WriteSyntaxError();
            return;
        }

        var whereIndex = (int)(2 + keys);
        bool max;
        if (context.ArgumentIs((int)whereIndex, "MIN"u8))
        {
            max = false;
        }
        else if (context.ArgumentIs((int)whereIndex, "MAX"u8))
        {
            max = true;
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        var count = -1L;
        for (var j = (int)whereIndex + 1; j < context.ArgumentCount; j++)
        {
            if (count == -1 && context.ArgumentIs(j, "COUNT"u8) && j + 1 < context.ArgumentCount)
            {
                j++;
                if (!context.TryGetInt64(j, out count) || count < 1)
                {
                    context.WriteError(SortedSetErrors.CountNotPositive);
                    return;
                }
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        count = Math.Max(count, 1);
        for (var i = 2; i < whereIndex; i++)
        {
            var operation = new Pop(context, max, count, nested: true, keyIndex: i);
            context.Store.Execute(context.Argument(i), DataType.SortedSet, ref operation);
            if (operation.Found)
            {
                SortedSetAof.Pop(context.Aof, context.Argument(i), max, operation.Popped);
                return;
            }
        }

        context.Output.WriteNullArray();
    }

    /// <summary>Pops up to <paramref name="count"/> members from one end and writes them: flat pairs, or ZMPOP's key and nested pairs.</summary>
    private struct Pop(CommandContext context, bool max, long count, bool nested, int keyIndex = 1) : IObjectOperation
    {
        public bool Found;
        public long Popped;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not SortedSetObject set)
            {
                return;
            }

            Found = true;
            var output = context.Output;
            var popped = Math.Min(count, set.Count);
            if (popped == 0)
            {
                output.WriteRaw(RespConstants.EmptyArray);
                return;
            }

            if (nested)
            {
                output.WriteArrayHeader(2);
                output.WriteBulkString(context.Argument(keyIndex));
                output.WriteArrayHeader((int)popped);
            }
            else
            {
                output.WriteArrayHeader((int)(popped * 2));
            }

            var walker = set.WalkFrom(0, reverse: max);
            for (var i = 0L; i < popped && walker.MoveNext(); i++)
            {
                if (nested)
                {
                    output.WriteArrayHeader(2);
                }

                output.WriteBulkString(walker.Member);
                WriteScore(output, walker.Score);
            }

            if (max)
            {
                set.RemoveRange(set.Count - popped, set.Count - 1);
            }
            else
            {
                set.RemoveRange(0, popped - 1);
            }

            Popped = popped;
        }
    }

    /// <summary>ZRANDMEMBER key [count [WITHSCORES]]: the count is checked before the key is looked up, as Redis does.</summary>
    public static void ZRandMember(CommandContext context)
    {
        long count = 0;
        var withScores = false;
        var hasCount = context.ArgumentCount >= 3;
        if (hasCount)
        {
            if (!context.TryGetInt64OrReply(2, out count))
            {
                return;
            }

            if (count == long.MinValue)
            {
                context.WriteError(ErrorMessages.RandomCountOutOfRange);
                return;
            }

            if (context.ArgumentCount > 4 || (context.ArgumentCount == 4 && !context.ArgumentIs(3, "WITHSCORES"u8)))
            {
                context.WriteSyntaxError();
                return;
            }

            withScores = context.ArgumentCount == 4;
            if ((withScores && (count < -long.MaxValue / 2 || count > long.MaxValue / 2)) || -count > HashCommands.MaxRandomReply)
            {
                context.WriteError(ErrorMessages.ValueOutOfRange);
                return;
            }
        }

        var operation = new RandomMembers(context, hasCount, count, withScores);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
    }

    /// <summary>Redis's zrandmemberWithCountCommand cases, in its order.</summary>
    private readonly struct RandomMembers(CommandContext context, bool hasCount, long count, bool withScores) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not SortedSetObject set)
            {
                context.Client.KeyspaceMisses++;
                if (hasCount)
                {
                    output.WriteRaw(RespConstants.EmptyArray);
                }
                else
                {
                    output.WriteNullBulkString();
                }

                return;
            }

            context.Client.KeyspaceHits++;
            var random = System.Random.Shared;
            if (!hasCount)
            {
                output.WriteBulkString(set.At(set.RandomRank(random)).Member);
                return;
            }

            if (count == 0)
            {
                output.WriteRaw(RespConstants.EmptyArray);
                return;
            }

            // A negative count (repeats allowed) or one member: independent draws.
            if (count < 0 || count == 1)
            {
                var draws = (int)Math.Abs(count);
                output.WriteArrayHeader(withScores ? draws * 2 : draws);
                for (var i = 0; i < draws; i++)
                {
                    Write(set.At(set.RandomRank(random)));
                }

                return;
            }

            // Asking for at least the whole set: the whole set, from the highest down (Redis's zui iterator order).
            if (count >= set.Count)
            {
                output.WriteArrayHeader((int)(withScores ? set.Count * 2 : set.Count));
                var walker = set.WalkFrom(0, reverse: true);
                while (walker.MoveNext())
                {
                    Write((walker.Member, walker.Score));
                }

                return;
            }

            var ranks = new List<long>((int)count);
            set.RandomDistinctRanks((int)count, random, ranks);
            output.WriteArrayHeader(withScores ? ranks.Count * 2 : ranks.Count);
            foreach (var rank in ranks)
            {
                Write(set.At(rank));
            }
        }

        private void Write((byte[] Member, double Score) item)
        {
            context.Output.WriteBulkString(item.Member);
            if (withScores)
            {
                WriteScore(context.Output, item.Score);
            }
        }
    }

    /// <summary>
    /// ZSCAN key cursor [MATCH pattern] [COUNT count]: a bad cursor is refused before the key is looked up, the options
    /// only once the key is found to hold a sorted set, as Redis does.
    /// </summary>
    public static void ZScan(CommandContext context)
    {
        if (!KeyCommands.TryParseCursor(context.Argument(2), out var cursor))
        {
            context.WriteError(ErrorMessages.InvalidCursor);
            return;
        }

        var operation = new ScanSet(context, (long)Math.Min(cursor, long.MaxValue));
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
    }

    private readonly struct ScanSet(CommandContext context, long cursor) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not SortedSetObject set)
            {
                context.Client.KeyspaceMisses++;
                WriteScanReply(output, 0, []);
                return;
            }

            context.Client.KeyspaceHits++;
            var count = DefaultScanCount;
            var patternIndex = 0;
            for (var i = 3; i < context.ArgumentCount; i += 2)
            {
                var hasValue = i + 1 < context.ArgumentCount;
                if (hasValue && context.ArgumentIs(i, "COUNT"u8))
                {
                    if (!context.TryGetInt64OrReply(i + 1, out count))
                    {
                        return;
                    }

                    if (count < 1)
                    {
                        context.WriteSyntaxError();
                        return;
                    }
                }
                else if (hasValue && context.ArgumentIs(i, "MATCH"u8))
                {
                    patternIndex = i + 1;
                }
                else
                {
                    context.WriteSyntaxError();
                    return;
                }
            }

            var pattern = patternIndex == 0 || context.Argument(patternIndex).SequenceEqual("*"u8)
                ? ReadOnlySpan<byte>.Empty
                : context.Argument(patternIndex);
            var items = new List<(byte[] Member, double Score)>();
            // A listpack answers its stored text (Redis's d2string), a skip list the double.
            var stored = set.IsListpack;
            var next = set.Scan(cursor, (int)Math.Min(count, int.MaxValue / 10), pattern, items);
            WriteScanReply(output, next, items, stored);
        }

        private static void WriteScanReply(System.Buffers.IBufferWriter<byte> output, long next, List<(byte[] Member, double Score)> items, bool stored = false)
        {
            output.WriteArrayHeader(2);
            output.WriteBulkString(next);
            output.WriteArrayHeader(items.Count * 2);
            Span<byte> text = stackalloc byte[SortedSetScore.MaxLength];
            foreach (var (member, score) in items)
            {
                output.WriteBulkString(member);
                output.WriteBulkString(text[..(stored ? SortedSetScore.FormatStored(score, text) : SortedSetScore.Format(score, text))]);
            }
        }
    }
}
