using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD: Redis's zunionInterDiffGenericCommand. The sources are
// looked up (WRONGTYPE first) before the options are read, as Redis does; all keys are locked for the whole command.
// A source may be a sorted set or a plain set (each member scoring 1, weighted and aggregated like any score).
internal static partial class SortedSetCommands
{
    public static void ZUnion(CommandContext context) => SetOperation(context, SetOp.Union, store: false, cardinality: false);

    public static void ZInter(CommandContext context) => SetOperation(context, SetOp.Inter, store: false, cardinality: false);

    public static void ZDiff(CommandContext context) => SetOperation(context, SetOp.Diff, store: false, cardinality: false);

    public static void ZUnionStore(CommandContext context) => SetOperation(context, SetOp.Union, store: true, cardinality: false);

    public static void ZInterStore(CommandContext context) => SetOperation(context, SetOp.Inter, store: true, cardinality: false);

    public static void ZDiffStore(CommandContext context) => SetOperation(context, SetOp.Diff, store: true, cardinality: false);

    public static void ZInterCard(CommandContext context) => SetOperation(context, SetOp.Inter, store: false, cardinality: true);

    private enum SetOp
    {
        Union,
        Inter,
        Diff,
    }

    private enum Aggregate
    {
        Sum,
        Min,
        Max,
    }

    private static void SetOperation(CommandContext context, SetOp op, bool store, bool cardinality)
    {
        var numKeysIndex = store ? 2 : 1;
        if (!context.TryGetInt64OrReply(numKeysIndex, out var keys))
        {
            return;
        }

        if (keys < 1)
        {
            context.WriteError(SortedSetErrors.NeedsOneKey(context.Command.Name));
            return;
        }

        if (keys > context.ArgumentCount - (numKeysIndex + 1))
        {
            context.WriteSyntaxError();
            return;
        }

        var first = numKeysIndex + 1;
        var operation = new Combine(context, op, store, cardinality, first, (int)keys);
        context.Store.ExecuteOnKeys(context.Request, first, first + (int)keys, store ? 1 : -1, ref operation);
        if (operation.Stored)
        {
            SortedSetAof.Replace(context.Aof, context.Argument(1), operation.Result);
        }
    }

    /// <summary>The whole command under the keys' locks: lookups, options, the result, and the reply.</summary>
    private struct Combine(CommandContext context, SetOp op, bool store, bool cardinality, int first, int keys) : IKeysOperation
    {
        public bool Stored;
        public SortedSetObject? Result;

        public void Apply(LockedKeys locked)
        {
            var sources = new ScoredSource[keys];
            for (var i = 0; i < keys; i++)
            {
                if (locked.TryRead(context.Argument(first + i), out _, out var value))
                {
                    sources[i] = value switch
                    {
                        SortedSetObject sorted => new ScoredSource(sorted),
                        SetObject set => new ScoredSource(set),
                        _ => throw new WrongTypeException(),
                    };
                }
            }

            var weights = new double[keys];
            Array.Fill(weights, 1.0);
            var aggregate = Aggregate.Sum;
            var withScores = false;
            var limit = 0L;
            var j = first + keys;
            while (j < context.ArgumentCount)
            {
                var remaining = context.ArgumentCount - j;
                if (op != SetOp.Diff && !cardinality && remaining >= keys + 1 && context.ArgumentIs(j, "WEIGHTS"u8))
                {
                    j++;
                    for (var i = 0; i < keys; i++, j++)
                    {
                        if (!SortedSetScore.TryParse(context.Argument(j), out weights[i]))
                        {
                            context.WriteError(SortedSetErrors.WeightNotFloat);
                            return;
                        }
                    }
                }
                else if (op != SetOp.Diff && !cardinality && remaining >= 2 && context.ArgumentIs(j, "AGGREGATE"u8))
                {
                    if (context.ArgumentIs(j + 1, "SUM"u8))
                    {
                        aggregate = Aggregate.Sum;
                    }
                    else if (context.ArgumentIs(j + 1, "MIN"u8))
                    {
                        aggregate = Aggregate.Min;
                    }
                    else if (context.ArgumentIs(j + 1, "MAX"u8))
                    {
                        aggregate = Aggregate.Max;
                    }
                    else
                    {
                        context.WriteSyntaxError();
                        return;
                    }

                    j += 2;
                }
                else if (!store && !cardinality && context.ArgumentIs(j, "WITHSCORES"u8))
                {
                    withScores = true;
                    j++;
                }
                else if (cardinality && remaining >= 2 && context.ArgumentIs(j, "LIMIT"u8))
                {
                    if (!context.TryGetInt64(j + 1, out limit) || limit < 0)
                    {
                        context.WriteError(SortedSetErrors.LimitNegative);
                        return;
                    }

                    j += 2;
                }
                else
                {
                    context.WriteSyntaxError();
                    return;
                }
            }

            if (cardinality)
            {
                context.Output.WriteInteger(InterCard(sources, limit));
                return;
            }

            var result = Compute(sources, weights, aggregate, context.Store.Encodings);
            if (store)
            {
                locked.Store(context.Argument(1), result);
                Stored = true;
                Result = result.Count > 0 ? result : null;
                context.Output.WriteInteger(result.Count);
                return;
            }

            var output = context.Output;
            var resp3 = context.Resp3;
            if (withScores)
            {
                output.WritePairsHeader((int)result.Count, resp3);
            }
            else
            {
                output.WriteArrayHeader((int)result.Count);
            }

            var walker = result.WalkFrom(0, reverse: false);
            while (walker.MoveNext())
            {
                if (withScores)
                {
                    WriteScoredMember(output, walker.Member, walker.Score, resp3);
                }
                else
                {
                    output.WriteBulkString(walker.Member);
                }
            }
        }

        private readonly SortedSetObject Compute(ScoredSource[] sources, double[] weights, Aggregate aggregate, EncodingSettings settings)
        {
            var result = new SortedSetObject();
            if (op == SetOp.Diff)
            {
                foreach (var (member, score) in sources[0].Members())
                {
                    if (!InAnyOther(sources, member))
                    {
                        result.Set(member, score, settings);
                    }
                }

                return result;
            }

            // Smallest first, as Redis sorts them (a stable sort, as glibc's qsort is for these sizes); the
            // weights go with their sets, and the sum is taken in this order.
            var order = Enumerable.Range(0, sources.Length).OrderBy(i => sources[i].Count).ToArray();
            if (op == SetOp.Inter)
            {
                foreach (var (member, memberScore) in sources[order[0]].Members())
                {
                    var score = Weighted(weights[order[0]], memberScore);
                    var inAll = true;
                    for (var k = 1; k < order.Length && inAll; k++)
                    {
                        if (sources[order[k]].TryGetScore(member, out var otherScore))
                        {
                            score = Aggregated(aggregate, score, Weighted(weights[order[k]], otherScore));
                        }
                        else
                        {
                            inAll = false;
                        }
                    }

                    if (inAll)
                    {
                        result.Set(member, score, settings);
                    }
                }

                return result;
            }

            var union = new Dictionary<byte[], double>(ByteKeyComparer.Instance);
            var members = new List<byte[]>();
            foreach (var index in order)
            {
                foreach (var (member, memberScore) in sources[index].Members())
                {
                    var score = Weighted(weights[index], memberScore);
                    if (union.TryGetValue(member, out var existing))
                    {
                        union[member] = Aggregated(aggregate, existing, score);
                    }
                    else
                    {
                        union.Add(member, score);
                        members.Add(member);
                    }
                }
            }

            foreach (var member in members)
            {
                result.Set(member, union[member], settings);
            }

            return result;
        }

        private static bool InAnyOther(ScoredSource[] sources, ReadOnlySpan<byte> member)
        {
            for (var k = 1; k < sources.Length; k++)
            {
                if (sources[k].TryGetScore(member, out _))
                {
                    return true;
                }
            }

            return false;
        }

        private static long InterCard(ScoredSource[] sources, long limit)
        {
            var order = Enumerable.Range(0, sources.Length).OrderBy(i => sources[i].Count).ToArray();
            var found = 0L;
            foreach (var (member, _) in sources[order[0]].Members())
            {
                var inAll = true;
                for (var k = 1; k < order.Length && inAll; k++)
                {
                    inAll = sources[order[k]].TryGetScore(member, out _);
                }

                if (inAll && ++found == limit)
                {
                    break;
                }
            }

            return found;
        }

        /// <summary>weight × score, with inf × 0 (NaN) taken as 0, as Redis does.</summary>
        private static double Weighted(double weight, double score)
        {
            var value = weight * score;
            return double.IsNaN(value) ? 0 : value;
        }

        /// <summary>Redis's zunionInterAggregate: a NaN sum (inf + -inf) is 0.</summary>
        private static double Aggregated(Aggregate aggregate, double target, double value) => aggregate switch
        {
            Aggregate.Sum => double.IsNaN(target + value) ? 0 : target + value,
            Aggregate.Min => value < target ? value : target,
            _ => value > target ? value : target,
        };
    }
}
