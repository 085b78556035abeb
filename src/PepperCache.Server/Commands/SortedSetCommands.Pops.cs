using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// ZPOPMIN, ZPOPMAX, ZMPOP (Redis's genericZpopCommand; their blocking forms are in .Blocking.cs) and ZRANDMEMBER.
internal static partial class SortedSetCommands
{
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
        // With a count, RESP3 nests each pair; a plain pop stays flat in both protocols (Redis's use_nested_array).
        var operation = new Pop(context, max, count == -1 ? 1 : count, count == -1 ? PopReply.Pairs : PopReply.CountedPairs);
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
        if (TryParseMPop(context, 1, out var keys, out var max, out var count) && !TryPopFirst(context, 2, 1 + keys, max, count, PopReply.Nested))
        {
            context.Output.WriteNullArray(context.Resp3);
        }
    }

    /// <summary>
    /// [B]ZMPOP's numkeys (at <paramref name="numKeysIndex"/>), MIN|MAX and COUNT, in Redis's zmpopGenericCommand order;
    /// <paramref name="count"/> is 1 when none was given.
    /// </summary>
    private static bool TryParseMPop(CommandContext context, int numKeysIndex, out int keys, out bool max, out long count)
    {
        keys = 0;
        max = false;
        count = -1;
        if (!context.TryGetInt64(numKeysIndex, out var numKeys) || numKeys < 1)
        {
            context.WriteError(SortedSetErrors.NumKeysNotPositive);
            return false;
        }

        if (numKeys >= context.ArgumentCount - numKeysIndex - 1)
        {
            context.WriteSyntaxError();
            return false;
        }

        keys = (int)numKeys;
        var whereIndex = numKeysIndex + 1 + keys;
        if (context.ArgumentIs(whereIndex, "MAX"u8))
        {
            max = true;
        }
        else if (!context.ArgumentIs(whereIndex, "MIN"u8))
        {
            context.WriteSyntaxError();
            return false;
        }

        for (var j = whereIndex + 1; j < context.ArgumentCount; j++)
        {
            if (count == -1 && context.ArgumentIs(j, "COUNT"u8) && j + 1 < context.ArgumentCount)
            {
                j++;
                if (!context.TryGetInt64(j, out count) || count < 1)
                {
                    context.WriteError(SortedSetErrors.CountNotPositive);
                    return false;
                }
            }
            else
            {
                context.WriteSyntaxError();
                return false;
            }
        }

        count = Math.Max(count, 1);
        return true;
    }

    /// <summary>
    /// Pops from the first of keys <paramref name="first"/>..<paramref name="last"/> that holds a sorted set (a key of
    /// another type met before it is WRONGTYPE) and logs the pop; false, with nothing written, when none does.
    /// </summary>
    private static bool TryPopFirst(CommandContext context, int first, int last, bool max, long count, PopReply reply)
    {
        for (var i = first; i <= last; i++)
        {
            var operation = new Pop(context, max, count, reply, keyIndex: i);
            context.Store.Execute(context.Argument(i), DataType.SortedSet, ref operation);
            if (operation.Found)
            {
                SortedSetAof.Pop(context.Aof, context.Argument(i), max, operation.Popped);
                return true;
            }
        }

        return false;
    }

    /// <summary>How a pop's reply is shaped.</summary>
    private enum PopReply
    {
        /// <summary>ZPOPMIN/ZPOPMAX without a count: member, score.</summary>
        Pairs,

        /// <summary>ZPOPMIN/ZPOPMAX with a count: member, score, member, score... (RESP3: [member, score] pairs).</summary>
        CountedPairs,

        /// <summary>BZPOPMIN/BZPOPMAX: the key, then one member and its score.</summary>
        Keyed,

        /// <summary>[B]ZMPOP: the key, then an array of [member, score] pairs.</summary>
        Nested,
    }

    /// <summary>Pops up to <paramref name="count"/> members from one end and writes them as <paramref name="reply"/> says.</summary>
    private struct Pop(CommandContext context, bool max, long count, PopReply reply, int keyIndex = 1) : IObjectOperation
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

            var resp3 = context.Resp3;
            var nested = reply == PopReply.Nested || (resp3 && reply == PopReply.CountedPairs);
            if (reply == PopReply.Nested)
            {
                output.WriteArrayHeader(2);
                output.WriteBulkString(context.Argument(keyIndex));
                output.WriteArrayHeader((int)popped);
            }
            else if (reply == PopReply.Keyed)
            {
                output.WriteArrayHeader((int)(1 + (popped * 2)));
                output.WriteBulkString(context.Argument(keyIndex));
            }
            else
            {
                output.WriteArrayHeader((int)(nested ? popped : popped * 2));
            }

            var walker = set.WalkFrom(0, reverse: max);
            for (var i = 0L; i < popped && walker.MoveNext(); i++)
            {
                if (nested)
                {
                    output.WriteArrayHeader(2);
                }

                output.WriteBulkString(walker.Member);
                WriteScore(output, walker.Score, resp3);
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
        if (!RandomCount.TryParse(context, "WITHSCORES"u8, out var parsed))
        {
            return;
        }

        var operation = new RandomMembers(context, parsed.HasCount, parsed.Count, parsed.WithPairs);
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
                    output.WriteNull(context.Resp3);
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
                WriteHeader(draws);
                for (var i = 0; i < draws; i++)
                {
                    Write(set.At(set.RandomRank(random)));
                }

                return;
            }

            // Asking for at least the whole set: the whole set, from the highest down (Redis's zui iterator order).
            if (count >= set.Count)
            {
                WriteHeader((int)set.Count);
                var walker = set.WalkFrom(0, reverse: true);
                while (walker.MoveNext())
                {
                    Write(walker);
                }

                return;
            }

            var ranks = new List<long>((int)count);
            set.RandomDistinctRanks((int)count, random, ranks);
            WriteHeader(ranks.Count);
            foreach (var rank in ranks)
            {
                Write(set.At(rank));
            }
        }

        private void WriteHeader(int members)
        {
            if (withScores)
            {
                context.Output.WritePairsHeader(members, context.Resp3);
            }
            else
            {
                context.Output.WriteArrayHeader(members);
            }
        }

        private void Write(in SortedSetObject.Walker item)
        {
            if (withScores)
            {
                WriteScoredMember(context.Output, item.Member, item.Score, context.Resp3);
            }
            else
            {
                context.Output.WriteBulkString(item.Member);
            }
        }
    }
}
