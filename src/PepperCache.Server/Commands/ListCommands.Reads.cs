using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Reads: the length (LLEN), a range (LRANGE), one element (LINDEX), positions of an element (LPOS).
internal static partial class ListCommands
{
    public static void LLen(CommandContext context)
    {
        var operation = new ReadList(context, ReadKind.Length, 0, 0);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
    }

    /// <summary>LRANGE key start stop: both indexes are checked before the key is looked up, as Redis does.</summary>
    public static void LRange(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var start) || !context.TryGetInt64OrReply(3, out var stop))
        {
            return;
        }

        var operation = new ReadList(context, ReadKind.Range, start, stop);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
    }

    /// <summary>LINDEX key index: the key first (a missing key answers nil whatever the index), then the index.</summary>
    public static void LIndex(CommandContext context)
    {
        var operation = new ReadList(context, ReadKind.Index, 0, 0);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
    }

    /// <summary>LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: options first, in Redis's order and texts.</summary>
    public static void LPos(CommandContext context)
    {
        long rank = 1, count = -1, maxLength = 0;
        for (var i = 3; i < context.ArgumentCount; i++)
        {
            var more = i < context.ArgumentCount - 1;
            if (more && context.ArgumentIs(i, "RANK"u8))
            {
                i++;
                if (!context.TryGetInt64OrReply(i, out rank))
                {
                    return;
                }

                if (rank == 0)
                {
                    context.WriteError(RankZero);
                    return;
                }
            }
            else if (more && context.ArgumentIs(i, "COUNT"u8))
            {
                if (!TryGetPositive(context, ++i, out count, "ERR COUNT can't be negative"))
                {
                    return;
                }
            }
            else if (more && context.ArgumentIs(i, "MAXLEN"u8))
            {
                if (!TryGetPositive(context, ++i, out maxLength, "ERR MAXLEN can't be negative"))
                {
                    return;
                }
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        var operation = new FindPositions(context, rank, count, maxLength);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
    }

    private const string RankZero =
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

    private static void CountLookup(CommandContext context, bool found)
    {
        if (found)
        {
            context.Client.KeyspaceHits++;
        }
        else
        {
            context.Client.KeyspaceMisses++;
        }
    }

    private enum ReadKind
    {
        Length,
        Range,
        Index,
    }

    private readonly struct ReadList(CommandContext context, ReadKind kind, long start, long stop) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var list = value as ListObject;
            CountLookup(context, list is not null);
            var output = context.Output;
            switch (kind)
            {
                case ReadKind.Length:
                    output.WriteInteger(list?.Count ?? 0);
                    break;
                case ReadKind.Index:
                    if (list is null)
                    {
                        output.WriteNull(context.Resp3);
                    }
                    else if (!context.TryGetInt64OrReply(2, out var index))
                    {
                        return;
                    }
                    else if (list.TryNormalize(index, out var position))
                    {
                        output.WriteBulkString(list[position]);
                    }
                    else
                    {
                        output.WriteNull(context.Resp3);
                    }

                    break;
                default:
                    WriteRange(list);
                    break;
            }
        }

        /// <summary>Redis's addListRangeReply: negative indexes from the tail, start clamped to 0, stop to the last.</summary>
        private void WriteRange(ListObject? list)
        {
            var output = context.Output;
            var length = list?.Count ?? 0;
            var from = start < 0 ? length + start : start;
            var to = stop < 0 ? length + stop : stop;
            from = Math.Max(0, from);
            if (list is null || from > to || from >= length)
            {
                output.WriteRaw(RespConstants.EmptyArray);
                return;
            }

            to = Math.Min(to, length - 1);
            output.WriteArrayHeader((int)(to - from + 1));
            for (var i = from; i <= to; i++)
            {
                output.WriteBulkString(list[i]);
            }
        }
    }

    /// <summary>LPOS's walk, as Redis's lposCommand: from the head, or from the tail for a negative rank.</summary>
    private readonly struct FindPositions(CommandContext context, long rank, long count, long maxLength) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var list = value as ListObject;
            CountLookup(context, list is not null);
            var output = context.Output;
            if (list is null)
            {
                if (count != -1)
                {
                    output.WriteRaw(RespConstants.EmptyArray);
                }
                else
                {
                    output.WriteNull(context.Resp3);
                }

                return;
            }

            // As Redis: a negative rank walks from the tail; LONG_MIN stays negative when negated, so any match counts.
            var fromTail = rank < 0;
            var wanted = fromTail ? unchecked(-rank) : rank;
            var element = context.Argument(2);
            var length = list.Count;
            long matches = 0;
            List<long>? found = count != -1 ? [] : null;
            for (long i = 0; i < length && (maxLength == 0 || i < maxLength); i++)
            {
                var position = fromTail ? length - i - 1 : i;
                if (!list[position].SequenceEqual(element))
                {
                    continue;
                }

                matches++;
                if (matches < wanted)
                {
                    continue;
                }

                if (found is null)
                {
                    output.WriteInteger(position);
                    return;
                }

                found.Add(position);
                if (count != 0 && matches - wanted + 1 >= count)
                {
                    break;
                }
            }

            if (found is null)
            {
                output.WriteNull(context.Resp3);
                return;
            }

            output.WriteArrayHeader(found.Count);
            foreach (var position in found)
            {
                output.WriteInteger(position);
            }
        }
    }
}
