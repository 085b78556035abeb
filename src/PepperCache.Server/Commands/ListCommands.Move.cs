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
            context.Output.WriteNull(context.Resp3);
        }
    }

    public static void RPopLPush(CommandContext context)
    {
        if (!TryMove(context, fromHead: false, toHead: true))
        {
            context.Output.WriteNull(context.Resp3);
        }
    }

    /// <summary>LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count].</summary>
    public static void LMPop(CommandContext context)
    {
        if (TryParseMPop(context, 1, out var keyCount, out var head, out var count) && !TryPopFirst(context, 2, 1 + keyCount, head, count))
        {
            context.Output.WriteNullArray(context.Resp3);
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
        context.Store.ExecuteOnKeys(context.Request, 1, 3, -1, ref operation);
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

    /// <summary>
    /// Redis's order of checks: a missing source answers nothing and the destination is not looked at; a source of
    /// another type is WRONGTYPE; then a destination of another type is WRONGTYPE, before anything changes. The same
    /// key twice is one list (a rotation). A source left empty is deleted; a missing destination is created.
    /// </summary>
    private struct MoveElement(CommandContext context, bool fromHead, bool toHead) : IKeysOperation
    {
        public bool Moved;
        public bool Created;

        public void Apply(LockedKeys keys)
        {
            var sourceKey = context.Argument(1);
            var destinationKey = context.Argument(2);
            if (keys.Find(sourceKey, DataType.List) is not ListObject from)
            {
                return;
            }

            var to = (ListObject?)keys.Find(destinationKey, DataType.List);
            var sourceBefore = from.HeapSize;
            var element = from.Pop(fromHead);
            // The popped bytes are a span into the source's node: written and pushed before anything else changes it.
            context.Output.WriteBulkString(element);
            if (ReferenceEquals(from, to))
            {
                // The push may slide over the popped bytes in the same node: copy them first.
                Span<byte> copy = element.Length <= 256 ? stackalloc byte[element.Length] : new byte[element.Length];
                element.CopyTo(copy);
                from.Push(copy, toHead);
                keys.Changed(sourceKey, sourceBefore);
            }
            else if (to is null)
            {
                to = new ListObject();
                to.Push(element, toHead);
                keys.Changed(sourceKey, sourceBefore);
                keys.Store(destinationKey, to);
                Created = true;
            }
            else
            {
                var destinationBefore = to.HeapSize;
                to.Push(element, toHead);
                keys.Changed(sourceKey, sourceBefore);
                keys.Changed(destinationKey, destinationBefore);
            }

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
