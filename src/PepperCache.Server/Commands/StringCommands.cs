using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// String commands. Split by concern: this file (reads, deletes and multi-key commands),
/// <c>StringCommands.Set.cs</c> (SET and its expiry-taking relatives), <c>StringCommands.Counters.cs</c> (INCR family)
/// <c>StringCommands.Ranges.cs</c> (APPEND, STRLEN, GETRANGE, SETRANGE) and <c>StringCommands.Lcs.cs</c> (LCS).
/// </summary>
/// <remarks>
/// Keyspace hits and misses are counted where Redis's lookupKeyRead counts them (GET, GETEX, GETDEL, GETSET, MGET,
/// STRLEN, GETRANGE, SET ... GET); commands that look keys up for writing (INCR, APPEND, SETRANGE...) count nothing.
/// </remarks>
internal static partial class StringCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("get", 2, ReadOnly | Fast, 1, 1, 1, Get, "string", "Returns the string value of a key."),
        new("set", -3, Write | DenyOom, 1, 1, 1, Set, "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.") 
        {
            VariableKeyAccess = SetKeyAccess,
            KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "update", "variable_flags") with { Notes = "RW and ACCESS due to the optional `GET` argument" }],
        },
        new("setnx", 3, Write | DenyOom | Fast, 1, 1, 1, SetNx, "string", "Set the string value of a key only when the key doesn't exist.") { KeyFlags = ["OW", "insert"] },
        new("setex", 4, Write | DenyOom, 1, 1, 1, SetEx, "string", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "2.0.0") { KeyFlags = ["OW", "update"] },
        new("psetex", 4, Write | DenyOom, 1, 1, 1, PSetEx, "string", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "2.6.0") { KeyFlags = ["OW", "update"] },
        new("getset", 3, Write | DenyOom | Fast, 1, 1, 1, GetSet, "string", "Returns the previous string value of a key after setting it to a new value.") { KeyAccess = KeyAccess.ReadWrite },
        new("getdel", 2, Write | Fast, 1, 1, 1, GetDel, "string", "Returns the string value of a key after deleting the key.", "6.2.0") { KeyFlags = ["RW", "access", "delete"] },
        new("getex", -2, Write | Fast, 1, 1, 1, GetEx, "string", "Returns the string value of a key after setting its expiration time.", "6.2.0") { KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "update") with { Notes = "RW and UPDATE because it changes the TTL" }] },
        new("mget", -2, ReadOnly | Fast, 1, -1, 1, MGet, "string", "Atomically returns the string values of one or more keys.") { Tips = ["request_policy:multi_shard"] },
        new("mset", -3, Write | DenyOom, 1, -1, 2, MSet, "string", "Atomically creates or modifies the string values of one or more keys.", "1.0.1") { KeyFlags = ["OW", "update"], Tips = ["request_policy:multi_shard", "response_policy:all_succeeded"] },
        new("msetnx", -3, Write | DenyOom, 1, -1, 2, MSetNx, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1") { KeyFlags = ["OW", "insert"], Tips = ["request_policy:multi_shard", "response_policy:agg_min"] },
        new("append", 3, Write | DenyOom | Fast, 1, 1, 1, Append, "string", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "2.0.0") { KeyFlags = ["RW", "insert"] },
        new("strlen", 2, ReadOnly | Fast, 1, 1, 1, StrLen, "string", "Returns the length of a string value.", "2.2.0") { KeyAccess = KeyAccess.None },
        new("incr", 2, Write | DenyOom | Fast, 1, 1, 1, Incr, "string", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.") { KeyAccess = KeyAccess.ReadWrite },
        new("decr", 2, Write | DenyOom | Fast, 1, 1, 1, Decr, "string", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.") { KeyAccess = KeyAccess.ReadWrite },
        new("incrby", 3, Write | DenyOom | Fast, 1, 1, 1, IncrBy, "string", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.") { KeyAccess = KeyAccess.ReadWrite },
        new("decrby", 3, Write | DenyOom | Fast, 1, 1, 1, DecrBy, "string", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.") { KeyAccess = KeyAccess.ReadWrite },
        new("incrbyfloat", 3, Write | DenyOom | Fast, 1, 1, 1, IncrByFloat, "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "2.6.0") { KeyAccess = KeyAccess.ReadWrite },
        new("getrange", 4, ReadOnly, 1, 1, 1, GetRange, "string", "Returns a substring of the string stored at a key.", "2.4.0"),
        // Redis keeps SUBSTR, GETRANGE's old name, as a command of its own.
        new("substr", 4, ReadOnly, 1, 1, 1, GetRange, "string", "Get a substring of the string stored at a key"),
        new("setrange", 4, Write | DenyOom, 1, 1, 1, SetRange, "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "2.2.0"),
        new("lcs", -3, ReadOnly, 1, 2, 1, Lcs, "string", "Finds the longest common substring.", "7.0.0"),
    ];

    public static void Get(CommandContext context)
    {
        if (context.Store.TryGet(context.Argument(1), out var value))
        {
            context.Client.KeyspaceHits++;
            context.Output.WriteBulkString(value.Span);
        }
        else
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteNull(context.Resp3);
        }
    }

    /// <summary>GETSET key value: SET that answers with the old value and, like SET, drops any expiry.</summary>
    public static void GetSet(CommandContext context)
    {
        context.Store.Set(context.Argument(1), context.Argument(2), 0, SetCondition.Always, keepTtl: false, out var previous, previousMustBeString: true);
        context.Aof.Request(context.Request);
        WriteValueOrNull(context, previous);
    }

    public static void GetDel(CommandContext context)
    {
        if (context.Store.TryGetDelete(context.Argument(1), out var value))
        {
            context.Aof.Delete(context.Argument(1));
        }

        WriteValueOrNull(context, value);
    }

    /// <summary>
    /// MGET: reads every key at one instant, under the locks of all their shards (a reader never sees half of an
    /// MSET), then writes the replies.
    /// </summary>
    public static void MGet(CommandContext context)
    {
        var count = context.ArgumentCount - 1;
        var values = ArrayPool<StoreValue>.Shared.Rent(count);
        try
        {
            var found = context.Store.GetMany(context.Request, 1, values.AsSpan(0, count));
            context.Client.KeyspaceHits += found;
            context.Client.KeyspaceMisses += count - found;
            var output = context.Output;
            output.WriteArrayHeader(count);
            for (var i = 0; i < count; i++)
            {
                if (values[i].HasValue)
                {
                    output.WriteBulkString(values[i].Span);
                }
                else
                {
                    output.WriteNull(context.Resp3);
                }
            }
        }
        finally
        {
            ArrayPool<StoreValue>.Shared.Return(values, clearArray: true);
        }
    }

    public static void MSet(CommandContext context)
    {
        // Arity -3 lets "MSET k v k" through; Redis rejects an odd pair count with the arity error.
        if ((context.ArgumentCount & 1) == 0)
        {
            context.WriteWrongArgumentCount();
            return;
        }

        context.Store.SetMany(context.Request, 1, onlyIfNoneExist: false);
        context.Aof.Request(context.Request);
        context.Output.WriteOk();
    }

    public static void MSetNx(CommandContext context)
    {
        if ((context.ArgumentCount & 1) == 0)
        {
            context.WriteWrongArgumentCount();
            return;
        }

        var written = context.Store.SetMany(context.Request, 1, onlyIfNoneExist: true);
        if (written)
        {
            // As MSET: on replay a key that had expired at run time may still be there, and NX would then fail.
            context.Aof.RequestAs("MSET"u8, context.Request);
        }

        context.Output.WriteRaw(written ? RespConstants.One : RespConstants.Zero);
    }

    /// <summary>The value as a bulk string, or a null bulk string, counting the read as a keyspace hit or miss.</summary>
    private static void WriteValueOrNull(CommandContext context, in StoreValue value)
    {
        if (value.HasValue)
        {
            context.Client.KeyspaceHits++;
            context.Output.WriteBulkString(value.Span);
        }
        else
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteNull(context.Resp3);
        }
    }
}
