using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Pops that pick their list: LMOVE and RPOPLPUSH (one list to another), LMPOP (the first of several lists that has
// elements). The blocking commands share these and block when they find nothing.
internal static partial class ListCommands
{
    public static void LMove(CommandContext context)
    {
        if (!TryGetEnd(context, 3, out var fromHead) || !TryGetEnd(context, 4, out var toHead))
        {
            return;
        }

        if (!TryMove(context, fromHead, toHead))
        {
            context.Output.WriteNullBulkString();
        }
    }

    public static void RPopLPush(CommandContext context)
    {
        if (!TryMove(context, fromHead: false, toHead: true))
        {
            context.Output.WriteNullBulkString();
        }
    }

    /// <summary>LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count].</summary>
    public static void LMPop(CommandContext context)
    {
        if (TryParseMPop(context, 1, out var keyCount, out var head, out var count) && !TryPopFirst(context, 2, 1 + keyCount, head, count))
        {
            context.Output.WriteNullArray();
        }
    }

    /// <summary>LEFT or RIGHT (Redis's getListPositionFromObjectOrReply): true for LEFT, the head.</summary>
    private static bool TryGetEnd(CommandContext context, int index, out bool head)
    {
        head = context.ArgumentIs(index, "LEFT"u8);
        if (head || context.ArgumentIs(index, "RIGHT"u8))
        {
            return true;
        }

        context.WriteSyntaxError();
        return false;
    }

    /// <summary>
    /// Redis's lmpopGenericCommand parsing: numkeys (at least 1, "numkeys should be greater than 0" for anything
    /// else), the keys, LEFT|RIGHT, then at most one COUNT (at least 1). <paramref name="count"/> is 1 without COUNT.
    /// </summary>
    private static bool TryParseMPop(CommandContext context, int numKeysIndex, out int keyCount, out bool head, out long count)
    {
        keyCount = 0;
        head = false;
        count = -1;
        if (!context.TryGetInt64(numKeysIndex, out var keys) || keys < 1)
        {
            context.WriteError("ERR numkeys should be greater than 0");
            return false;
        }

        var whereIndex = numKeysIndex + 1 + keys;
        if (whereIndex >= context.ArgumentCount)
        {
            context.WriteSyntaxError();
            return false;
        }

        keyCount = (int)keys;
        if (!TryGetEnd(context, (int)whereIndex, out head))
        {
            return false;
        }

        for (var i = (int)whereIndex + 1; i < context.ArgumentCount; i++)
        {
            if (count == -1 && i < context.ArgumentCount - 1 && context.ArgumentIs(i, "COUNT"u8))
            {
                i++;
                if (!context.TryGetInt64(i, out count) || count < 1)
                {
                    context.WriteError("ERR count should be greater than 0");
                    return false;
                }
            }
            else
            {
                context.WriteSyntaxError();
                return false;
            }
        }

        if (count == -1)
        {
            count = 1;
        }

        return true;
    }

    /// <summary>
    /// Moves one element from argument 1's list to argument 2's, writing it as the reply and logging the move; false
    /// (nothing written) when the source is missing. WRONGTYPE for either, before anything changes.
    /// </summary>
    private static bool TryMove(CommandContext context, bool fromHead, bool toHead)
    {
        var operation = new MoveElement(context, fromHead, toHead);
        context.Store.ExecutePair(context.Argument(1), context.Argument(2), DataType.List, ref operation);
        if (!operation.Moved)
        {
            return false;
        }

        if (operation.Created)
        {
            context.Aof.Created(context.Argument(2));
        }

        LogMove(context.Aof, context.Argument(1), context.Argument(2), fromHead, toHead);
        return true;
    }

    /// <summary>
    /// Pops from the first of keys <paramref name="first"/>..<paramref name="last"/> that holds a list, writing
    /// <c>[key, element]</c> (<paramref name="count"/> -1, BLPOP) or <c>[key, [elements]]</c>; false, with nothing
    /// written, when none does. A key of another type met on the way is WRONGTYPE.
    /// </summary>
    private static bool TryPopFirst(CommandContext context, int first, int last, bool head, long count)
    {
        for (var i = first; i <= last; i++)
        {
            var operation = new PopFromKey(context, i, head, count);
            context.Store.Execute(context.Argument(i), DataType.List, ref operation);
            if (operation.Popped > 0)
            {
                LogPop(context.Aof, head, context.Argument(i), count < 0 ? -1 : operation.Popped);
                return true;
            }
        }

        return false;
    }

    private struct MoveElement(CommandContext context, bool fromHead, bool toHead) : IPairOperation
    {
        public bool Moved;
        public bool Created;

        public StoreObject CreateDestination()
        {
            Created = true;
            return new ListObject();
        }

        public void Apply(StoreObject? source, StoreObject? destination)
        {
            if (source is not ListObject from)
            {
                return;
            }

            var element = from.Pop(fromHead);
            ((ListObject)destination!).Push(element, toHead);
            context.Output.WriteBulkString(element);
            Moved = true;
        }
    }

    private struct PopFromKey(CommandContext context, int keyIndex, bool head, long count) : IObjectOperation
    {
        public long Popped;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not ListObject list)
            {
                return;
            }

            var output = context.Output;
            output.WriteArrayHeader(2);
            output.WriteBulkString(context.Argument(keyIndex));
            if (count < 0)
            {
                output.WriteBulkString(list.Pop(head));
                Popped = 1;
                return;
            }

            var n = (int)Math.Min(count, list.Count);
            output.WriteArrayHeader(n);
            for (var i = 0; i < n; i++)
            {
                output.WriteBulkString(list.Pop(head));
            }

            Popped = n;
        }
    }
}
