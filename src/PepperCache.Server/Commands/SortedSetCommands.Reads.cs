using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Reads that answer from the set as it is: ZSCORE, ZMSCORE, ZCARD, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK.
internal static partial class SortedSetCommands
{
    public static void ZScore(CommandContext context) => Read(context, ReadKind.Score, default);

    public static void ZMScore(CommandContext context) => Read(context, ReadKind.Scores, default);

    public static void ZCard(CommandContext context) => Read(context, ReadKind.Card, default);

    public static void ZRank(CommandContext context) => Read(context, ReadKind.Rank, default);

    public static void ZRevRank(CommandContext context) => Read(context, ReadKind.RevRank, default);

    /// <summary>ZCOUNT key min max: the range is checked before the lookup.</summary>
    public static void ZCount(CommandContext context)
    {
        var spec = new RangeSpec { Kind = RangeKind.Score, Limit = -1 };
        if (TryParseBounds(context, RangeKind.Score, 2, 3, ref spec))
        {
            Read(context, ReadKind.Count, spec);
        }
    }

    /// <summary>ZLEXCOUNT key min max: the range is checked before the lookup.</summary>
    public static void ZLexCount(CommandContext context)
    {
        var spec = new RangeSpec { Kind = RangeKind.Lex, Limit = -1 };
        if (TryParseBounds(context, RangeKind.Lex, 2, 3, ref spec))
        {
            Read(context, ReadKind.Count, spec);
        }
    }

    private static void Read(CommandContext context, ReadKind kind, RangeSpec spec)
    {
        var operation = new ReadSet(context, kind, spec);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
    }

    private enum ReadKind
    {
        Score,
        Scores,
        Card,
        Rank,
        RevRank,
        Count,
    }

    private readonly struct ReadSet(CommandContext context, ReadKind kind, RangeSpec spec) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var set = value as SortedSetObject;
            if (set is null)
            {
                context.Client.KeyspaceMisses++;
            }
            else
            {
                context.Client.KeyspaceHits++;
            }

            var output = context.Output;
            switch (kind)
            {
                case ReadKind.Score:
                    WriteScoreOrNull(set, context.Argument(2));
                    break;
                case ReadKind.Scores:
                    output.WriteArrayHeader(context.ArgumentCount - 2);
                    for (var i = 2; i < context.ArgumentCount; i++)
                    {
                        WriteScoreOrNull(set, context.Argument(i));
                    }

                    break;
                case ReadKind.Card:
                    output.WriteInteger(set?.Count ?? 0);
                    break;
                case ReadKind.Rank:
                case ReadKind.RevRank:
                    var rank = set?.RankOf(context.Argument(2)) ?? -1;
                    if (rank < 0)
                    {
                        output.WriteNull(context.Resp3);
                    }
                    else
                    {
                        output.WriteInteger(kind == ReadKind.Rank ? rank : set!.Count - 1 - rank);
                    }

                    break;
                default:
                    if (set is null)
                    {
                        output.WriteRaw(RespConstants.Zero);
                        break;
                    }

                    var (first, last) = spec.Kind == RangeKind.Score ? spec.Scores.Ranks(set) : spec.Lex.Ranks(set, context);
                    output.WriteInteger(Math.Max(0, last - first + 1));
                    break;
            }
        }

        private void WriteScoreOrNull(SortedSetObject? set, ReadOnlySpan<byte> member)
        {
            if (set is not null && set.TryGetScore(member, out var score))
            {
                WriteScore(context.Output, score, context.Resp3);
            }
            else
            {
                context.Output.WriteNull(context.Resp3);
            }
        }
    }
}
