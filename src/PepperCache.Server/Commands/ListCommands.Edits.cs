using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Changes inside a list: LSET, LINSERT, LREM, LTRIM. Each is logged as sent when it changed something.
internal static partial class ListCommands
{
    private const string IndexOutOfRange = "ERR index out of range";

    /// <summary>LSET key index element: the key first ("no such key"), then the index.</summary>
    public static void LSet(CommandContext context)
    {
        var operation = new SetElement(context);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
        if (operation.Done)
        {
            context.Aof.Request(context.Request);
        }
    }

    /// <summary>LINSERT key BEFORE|AFTER pivot element: the position word first, then the key.</summary>
    public static void LInsert(CommandContext context)
    {
        bool after;
        if (context.ArgumentIs(2, "AFTER"u8))
        {
            after = true;
        }
        else if (context.ArgumentIs(2, "BEFORE"u8))
        {
            after = false;
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        var operation = new InsertElement(context, after);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
        if (operation.Result > 0)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Result);
    }

    /// <summary>LREM key count element: the count first, then the key.</summary>
    public static void LRem(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var count))
        {
            return;
        }

        var operation = new RemoveElements(context, count);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
        if (operation.Removed > 0)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Removed);
    }

    /// <summary>LTRIM key start stop: both indexes first, then the key; a missing key is OK.</summary>
    public static void LTrim(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var start) || !context.TryGetInt64OrReply(3, out var stop))
        {
            return;
        }

        var operation = new TrimList(start, stop);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
        if (operation.Changed)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteOk();
    }

    private struct SetElement(CommandContext context) : IObjectOperation
    {
        public bool Done;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not ListObject list)
            {
                context.WriteError(ErrorMessages.NoSuchKey);
                return;
            }

            if (!context.TryGetInt64OrReply(2, out var index))
            {
                return;
            }

            if (!list.TryNormalize(index, out var position))
            {
                context.WriteError(IndexOutOfRange);
                return;
            }

            list.Set(position, context.Argument(3));
            Done = true;
            context.Output.WriteOk();
        }
    }

    /// <summary>Result: the new length, -1 when the pivot is not there, 0 when the key is missing.</summary>
    private struct InsertElement(CommandContext context, bool after) : IObjectOperation
    {
        public long Result;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not ListObject list)
            {
                return;
            }

            var pivot = list.IndexOf(context.Argument(3));
            if (pivot < 0)
            {
                Result = -1;
                return;
            }

            list.Insert(after ? pivot + 1 : pivot, context.Argument(4));
            Result = list.Count;
        }
    }

    private struct RemoveElements(CommandContext context, long count) : IObjectOperation
    {
        public long Removed;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is ListObject list)
            {
                // LONG_MIN has no positive twin: it removes as "all from the tail", which is what any larger count would.
                var limit = count == long.MinValue ? 0 : Math.Abs(count);
                Removed = list.Remove(context.Argument(3), limit, fromTail: count < 0);
            }
        }
    }

    /// <summary>Redis's ltrimCommand: negative indexes from the tail; a start past the stop or the end empties the list.</summary>
    private struct TrimList(long start, long stop) : IObjectOperation
    {
        public bool Changed;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not ListObject list)
            {
                return;
            }

            var length = list.Count;
            var from = start < 0 ? length + start : start;
            var to = stop < 0 ? length + stop : stop;
            from = Math.Max(0, from);
            var before = list.Version;
            if (from > to || from >= length)
            {
                list.Trim(1, 0);
            }
            else
            {
                list.Trim(from, Math.Min(to, length - 1));
            }

            Changed = list.Version != before;
        }
    }
}
