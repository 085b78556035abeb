using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Keyspace commands. Split by concern: this file (existence, deletion, renaming), <c>KeyCommands.Expiry.cs</c>
/// (EXPIRE and TTL families, PERSIST), <c>KeyCommands.Iteration.cs</c> (KEYS, SCAN), <c>KeyCommands.Copy.cs</c> (COPY) and
/// <c>KeyCommands.Dump.cs</c> (DUMP, RESTORE).
/// </summary>
/// <remarks>
/// Flags are those Redis 7 reports in COMMAND INFO (which no longer lists "random" for KEYS, SCAN or RANDOMKEY).
/// Keyspace hits and misses are counted where Redis's read lookups count them: EXISTS, TYPE, TOUCH, the TTL and
/// EXPIRETIME families, and SCAN with TYPE.
/// </remarks>
internal static partial class KeyCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("del", -2, Write, 1, -1, 1, Del, "generic", "Deletes one or more keys.") { KeyFlags = ["RM", "delete"], Tips = ["request_policy:multi_shard", "response_policy:agg_sum"] },
        new("unlink", -2, Write | Fast, 1, -1, 1, Del, "generic", "Asynchronously deletes one or more keys.", "4.0.0") { KeyFlags = ["RM", "delete"], Tips = ["request_policy:multi_shard", "response_policy:agg_sum"] },
        new("copy", -3, Write | DenyOom, 1, 2, 1, Copy, "generic", "Copies the value of a key to a new key.", "6.2.0")
        {
            KeyFlags = ["RO", "access"],
            LaterKeyFlags = ["OW", "update"],
        },
        new("exists", -2, ReadOnly | Fast, 1, -1, 1, Exists, "generic", "Determines whether one or more keys exist.", "1.0.0") { KeyAccess = KeyAccess.None, Tips = ["request_policy:multi_shard", "response_policy:agg_sum"] },
        new("type", 2, ReadOnly | Fast, 1, 1, 1, Type, "generic", "Determines the type of value stored at a key.") { KeyAccess = KeyAccess.None },
        new("touch", -2, ReadOnly | Fast, 1, -1, 1, Touch, "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "3.2.1")
        {
            KeyAccess = KeyAccess.None,
            Tips = ["request_policy:multi_shard", "response_policy:agg_sum"],
        },
        new("expire", -3, Write | Fast, 1, 1, 1, Expire, "generic", "Sets the expiration time of a key in seconds."),
        new("pexpire", -3, Write | Fast, 1, 1, 1, PExpire, "generic", "Sets the expiration time of a key in milliseconds.", "2.6.0"),
        new("expireat", -3, Write | Fast, 1, 1, 1, ExpireAt, "generic", "Sets the expiration time of a key to a Unix timestamp.", "1.2.0"),
        new("pexpireat", -3, Write | Fast, 1, 1, 1, PExpireAt, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0"),
        new("ttl", 2, ReadOnly | Fast, 1, 1, 1, Ttl, "generic", "Returns the expiration time in seconds of a key.") { Tips = ["nondeterministic_output"] },
        new("pttl", 2, ReadOnly | Fast, 1, 1, 1, PTtl, "generic", "Returns the expiration time in milliseconds of a key.", "2.6.0") { Tips = ["nondeterministic_output"] },
        new("expiretime", 2, ReadOnly | Fast, 1, 1, 1, ExpireTime, "generic", "Returns the expiration time of a key as a Unix timestamp.", "7.0.0"),
        new("pexpiretime", 2, ReadOnly | Fast, 1, 1, 1, PExpireTime, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0"),
        new("persist", 2, Write | Fast, 1, 1, 1, Persist, "generic", "Removes the expiration time of a key.", "2.2.0"),
        new("keys", 2, ReadOnly, 0, 0, 0, Keys, "generic", "Returns all key names that match a pattern.")
        {
            // As Redis: it walks the whole keyspace, so -@dangerous forbids it.
            AclCategories = ["dangerous"],
            Tips = ["request_policy:all_shards", "nondeterministic_output_order"],
        },
        new("scan", -2, ReadOnly, 0, 0, 0, Scan, "generic", "Iterates over the key names in the database.", "2.8.0") { Tips = ["nondeterministic_output", "request_policy:special"] },
        new("rename", 3, Write, 1, 2, 1, Rename, "generic", "Renames a key and overwrites the destination.")
        {
            KeyFlags = ["RW", "access", "delete"], LaterKeyFlags = ["OW", "update"],
        },
        new("renamenx", 3, Write | Fast, 1, 2, 1, RenameNx, "generic", "Renames a key only when the target key name doesn't exist.")
        {
            KeyFlags = ["RW", "access", "delete"], LaterKeyFlags = ["OW", "insert"],
        },
        new("dump", 2, ReadOnly, 1, 1, 1, Dump, "generic", "Returns a serialized representation of the value stored at a key.", "2.6.0") { Tips = ["nondeterministic_output"] },
        new("restore", -4, Write | DenyOom, 1, 1, 1, Restore, "generic", "Creates a key from the serialized representation of a value.", "2.6.0")
        {
            // As Redis: a payload can hold anything, so -@dangerous forbids it.
            AclCategories = ["dangerous"],
            KeyFlags = ["OW", "update"],
        },
        new("randomkey", 1, ReadOnly, 0, 0, 0, RandomKey, "generic", "Returns a random key name from the database.") { Tips = ["request_policy:all_shards", "nondeterministic_output"] },
    ];

    /// <summary>DEL and UNLINK (there is no lazy freeing to defer: dropping the entry is all the work).</summary>
    public static void Del(CommandContext context)
    {
        long removed = 0;
        for (var i = 1; i < context.ArgumentCount; i++)
        {
            if (context.Store.Delete(context.Argument(i)))
            {
                removed++;
            }
        }

        if (removed > 0)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(removed);
    }

    /// <summary>EXISTS: counts every argument naming a live key, so a repeated key counts each time.</summary>
    public static void Exists(CommandContext context)
    {
        long found = 0;
        for (var i = 1; i < context.ArgumentCount; i++)
        {
            if (context.Store.Exists(context.Argument(i)))
            {
                found++;
            }
        }

        context.Client.KeyspaceHits += found;
        context.Client.KeyspaceMisses += context.ArgumentCount - 1 - found;
        context.Output.WriteInteger(found);
    }

    /// <summary>TOUCH: as EXISTS, and each existing key counts as used now (for eviction).</summary>
    public static void Touch(CommandContext context)
    {
        long found = 0;
        for (var i = 1; i < context.ArgumentCount; i++)
        {
            if (context.Store.Touch(context.Argument(i)))
            {
                found++;
            }
        }

        context.Client.KeyspaceHits += found;
        context.Client.KeyspaceMisses += context.ArgumentCount - 1 - found;
        context.Output.WriteInteger(found);
    }

    /// <summary>TYPE: "string", "hash", "list"... or "none"; not a use of the key.</summary>
    public static void Type(CommandContext context)
    {
        if (context.Store.TypeOf(context.Argument(1)) is { } type)
        {
            context.Client.KeyspaceHits++;
            context.Output.WriteSimpleString(DataTypeNames.Of(type));
        }
        else
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteSimpleString("none"u8);
        }
    }

    public static void Rename(CommandContext context) => Rename(context, onlyIfTargetMissing: false);

    public static void RenameNx(CommandContext context) => Rename(context, onlyIfTargetMissing: true);

    public static void RandomKey(CommandContext context)
    {
        var key = context.Store.RandomKey();
        if (key is null)
        {
            context.Output.WriteNull(context.Resp3);
        }
        else
        {
            context.Output.WriteBulkString(key);
        }
    }

    private static void Rename(CommandContext context, bool onlyIfTargetMissing)
    {
        var source = context.Argument(1);
        var target = context.Argument(2);
        if (source.SequenceEqual(target))
        {
            // Renaming a key onto itself changes nothing, but a missing key is still an error (as in Redis).
            if (!context.Store.Exists(source))
            {
                context.WriteError(ErrorMessages.NoSuchKey);
            }
            else if (onlyIfTargetMissing)
            {
                context.Output.WriteRaw(RespConstants.Zero);
            }
            else
            {
                context.Output.WriteOk();
            }

            return;
        }

        var result = context.Store.Rename(source, target, onlyIfTargetMissing);
        if (result == RenameResult.Renamed)
        {
            // RENAMENX too is logged as RENAME: the target may be an expired key still present during replay.
            context.Aof.Rename(source, target);
        }

        switch (result)
        {
            case RenameResult.Renamed when onlyIfTargetMissing:
                context.Output.WriteRaw(RespConstants.One);
                break;
            case RenameResult.Renamed:
                context.Output.WriteOk();
                break;
            case RenameResult.TargetExists:
                context.Output.WriteRaw(RespConstants.Zero);
                break;
            default:
                context.WriteError(ErrorMessages.NoSuchKey);
                break;
        }
    }
}
