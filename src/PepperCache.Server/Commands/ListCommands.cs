using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// List commands. Each is a struct <see cref="IObjectOperation"/> run by <see cref="KeyValueStore.Execute{TOperation}"/>
/// (LMOVE's two keys by <see cref="KeyValueStore.ExecuteOnKeys{TOperation}"/>) and a handler that checks the arguments
/// first, in Redis's order. Split by concern: this file (pushes and pops), <c>ListCommands.Reads.cs</c> (LLEN, LRANGE,
/// LINDEX, LPOS), <c>ListCommands.Edits.cs</c> (LSET, LINSERT, LREM, LTRIM), <c>ListCommands.Move.cs</c> (LMOVE,
/// RPOPLPUSH, LMPOP), <c>ListCommands.Blocking.cs</c> (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) and
/// <c>ListCommands.Aof.cs</c> (the records pops are logged as).
/// </summary>
/// <remarks>
/// Replies are written inside the operation, under the shard lock. Reads (LLEN, LRANGE, LINDEX, LPOS) count keyspace
/// hits and misses as Redis's lookupKeyRead; writes look keys up for writing and count nothing. AOF: pushes, LSET,
/// LINSERT, LREM and LTRIM are logged as sent (a list replays to the same list); pops by their effect (LPOP/RPOP of
/// the key that gave elements, LMOVE for the moves), never as a blocking command. A command that created the list
/// logs DEL first (see <see cref="Persistence.AofFeed.Created"/>).
/// </remarks>
internal static partial class ListCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("lpush", -3, Write | DenyOom | Fast, 1, 1, 1, LPush, "list", "Prepends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "insert") },
        new("rpush", -3, Write | DenyOom | Fast, 1, 1, 1, RPush, "list", "Appends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "insert") },
        new("lpushx", -3, Write | DenyOom | Fast, 1, 1, 1, LPushX, "list", "Prepends one or more elements to a list only when the list exists.", "2.2.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "insert") },
        new("rpushx", -3, Write | DenyOom | Fast, 1, 1, 1, RPushX, "list", "Appends an element to a list only when the list exists.", "2.2.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "insert") },
        new("lpop", -2, Write | Fast, 1, 1, 1, LPop, "list", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", "1.0.0")
            { KeySpecs = Key(KeyAccess.ReadWrite, "RW", "access", "delete") },
        new("rpop", -2, Write | Fast, 1, 1, 1, RPop, "list", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", "1.0.0")
            { KeySpecs = Key(KeyAccess.ReadWrite, "RW", "access", "delete") },
        new("llen", 2, ReadOnly | Fast, 1, 1, 1, LLen, "list", "Returns the length of a list.", "1.0.0")
            { KeySpecs = Key(KeyAccess.None, "RO") },
        new("lrange", 4, ReadOnly, 1, 1, 1, LRange, "list", "Returns a range of elements from a list.", "1.0.0")
            { KeySpecs = Key(KeyAccess.Read, "RO", "access") },
        new("lindex", 3, ReadOnly, 1, 1, 1, LIndex, "list", "Returns an element from a list by its index.", "1.0.0")
            { KeySpecs = Key(KeyAccess.Read, "RO", "access") },
        new("lpos", -3, ReadOnly, 1, 1, 1, LPos, "list", "Returns the index of matching elements in a list.", "6.0.6")
            { KeySpecs = Key(KeyAccess.Read, "RO", "access") },
        new("lset", 4, Write | DenyOom, 1, 1, 1, LSet, "list", "Sets the value of an element in a list by its index.", "1.0.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "update") },
        new("linsert", 5, Write | DenyOom, 1, 1, 1, LInsert, "list", "Inserts an element before or after another element in a list.", "2.2.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "insert") },
        new("lrem", 4, Write, 1, 1, 1, LRem, "list", "Removes elements from a list. Deletes the list if the last element was removed.", "1.0.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "delete") },
        new("ltrim", 4, Write, 1, 1, 1, LTrim, "list", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", "1.0.0")
            { KeySpecs = Key(KeyAccess.Write, "RW", "delete") },
        new("lmove", 5, Write | DenyOom, 1, 2, 1, LMove, "list", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", "6.2.0")
            { KeySpecs = SourceAndDestination },
        new("rpoplpush", 3, Write | DenyOom, 1, 2, 1, RPopLPush, "list", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", "1.2.0")
            { KeySpecs = SourceAndDestination },
        new("lmpop", -4, Write, 0, 0, 0, LMPop, "list", "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", "7.0.0")
            { KeySpecs = [KeySpec.KeyNum(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
        new("blpop", -3, Write | NoScript | Blocking, 1, -2, 1, BLPop, "list",
            "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0")
            { KeySpecs = [KeySpec.Range(1, -2, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
        new("brpop", -3, Write | NoScript | Blocking, 1, -2, 1, BRPop, "list",
            "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0")
            { KeySpecs = [KeySpec.Range(1, -2, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
        new("blmove", 6, Write | DenyOom | NoScript | Blocking, 1, 2, 1, BLMove, "list",
            "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", "6.2.0")
            { KeySpecs = SourceAndDestination },
        new("brpoplpush", 4, Write | DenyOom | NoScript | Blocking, 1, 2, 1, BRPopLPush, "list",
            "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", "2.2.0")
            { KeySpecs = SourceAndDestination },
        new("blmpop", -5, Write | Blocking, 0, 0, 0, BLMPop, "list",
            "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "7.0.0")
            { KeySpecs = [KeySpec.KeyNum(2, 0, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
    ];

    private static KeySpec[] SourceAndDestination =>
    [
        KeySpec.Range(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "delete"),
        KeySpec.Range(2, 0, 1, KeyAccess.Write, "RW", "insert"),
    ];

    private const string MustBePositive = "ERR value is out of range, must be positive";

    private static KeySpec[] Key(KeyAccess access, params string[] flags) => [KeySpec.Range(1, 0, 1, access, flags)];

    public static void LPush(CommandContext context) => Push(context, head: true, onlyIfExists: false);

    public static void RPush(CommandContext context) => Push(context, head: false, onlyIfExists: false);

    public static void LPushX(CommandContext context) => Push(context, head: true, onlyIfExists: true);

    public static void RPushX(CommandContext context) => Push(context, head: false, onlyIfExists: true);

    public static void LPop(CommandContext context) => Pop(context, head: true);

    public static void RPop(CommandContext context) => Pop(context, head: false);

    private static void Push(CommandContext context, bool head, bool onlyIfExists)
    {
        var operation = new PushElements(context, head, onlyIfExists);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
        if (operation.Length > 0)
        {
            if (operation.Created)
            {
                context.Aof.Created(context.Argument(1));
            }

            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Length);
    }

    /// <summary>LPOP/RPOP key [count]: the count is checked first; a missing key answers nil (a nil array with a count).</summary>
    private static void Pop(CommandContext context, bool head)
    {
        if (context.ArgumentCount > 3)
        {
            context.WriteWrongArgumentCount();
            return;
        }

        var count = -1L;
        if (context.ArgumentCount == 3 && !TryGetPositive(context, 2, out count))
        {
            return;
        }

        var operation = new PopElements(context, head, count);
        context.Store.Execute(context.Argument(1), DataType.List, ref operation);
        if (operation.Popped > 0)
        {
            context.Aof.Request(context.Request);
        }
    }

    /// <summary>
    /// Redis's getPositiveLongFromObjectOrReply: a non-negative integer, else <paramref name="error"/> (by default
    /// "value is out of range, must be positive", for text that is no number too).
    /// </summary>
    private static bool TryGetPositive(CommandContext context, int index, out long value, string? error = null)
    {
        if (context.TryGetInt64(index, out value) && value >= 0)
        {
            return true;
        }

        context.WriteError(error ?? MustBePositive);
        return false;
    }

    private struct PushElements(CommandContext context, bool head, bool onlyIfExists) : IObjectOperation
    {
        public bool Created;
        public long Length;

        public StoreObject? CreateIfMissing()
        {
            if (onlyIfExists)
            {
                return null;
            }

            Created = true;
            return new ListObject();
        }

        public void Apply(StoreObject? value)
        {
            if (value is not ListObject list)
            {
                return;
            }

            for (var i = 2; i < context.ArgumentCount; i++)
            {
                list.Push(context.Argument(i), head);
            }

            Length = list.Count;
        }
    }

    /// <summary>LPOP/RPOP; <c>count</c> -1 when none was given (a single element, or nil).</summary>
    private struct PopElements(CommandContext context, bool head, long count) : IObjectOperation
    {
        public long Popped;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not ListObject list)
            {
                if (count < 0)
                {
                    output.WriteNull(context.Resp3);
                }
                else
                {
                    output.WriteNullArray(context.Resp3);
                }

                return;
            }

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
