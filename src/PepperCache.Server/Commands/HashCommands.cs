using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Hash commands. Each is a struct <see cref="IObjectOperation"/> run by <see cref="KeyValueStore.Execute{TOperation}"/>
/// (lookup, lazy expiry, WRONGTYPE, create-if-missing, delete-when-empty, memory, all under the shard lock) and a
/// handler that checks the arguments first, in Redis's order. Split by concern: this file (writes),
/// <c>HashCommands.Reads.cs</c> (field reads and whole-hash replies) and <c>HashCommands.Iteration.cs</c> (HSCAN, HRANDFIELD).
/// </summary>
/// <remarks>
/// Replies from a hash are written inside the operation, under the lock. Keyspace hits and misses are counted where
/// Redis's lookupKeyRead counts them (every read command here); writes look keys up for writing and count nothing.
/// AOF: HSET, HMSET and HDEL are logged as sent; HSETNX, HINCRBY and HINCRBYFLOAT as the HSET of the value they stored.
/// A command that created the hash logs DEL first (see <see cref="Persistence.AofFeed.Created"/>).
/// </remarks>
internal static partial class HashCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("hset", -4, Write | DenyOom | Fast, 1, 1, 1, HSet, "hash", "Creates or modifies the value of a field in a hash.", "2.0.0"),
        new("hsetnx", 4, Write | DenyOom | Fast, 1, 1, 1, HSetNx, "hash", "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0") { KeyFlags = ["RW", "insert"] },
        new("hmset", -4, Write | DenyOom | Fast, 1, 1, 1, HMSet, "hash", "Sets the values of multiple fields.", "2.0.0"),
        new("hdel", -3, Write | Fast, 1, 1, 1, HDel, "hash", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", "2.0.0") { KeyFlags = ["RW", "delete"] },
        new("hincrby", 4, Write | DenyOom | Fast, 1, 1, 1, HIncrBy, "hash",
            "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "2.0.0") { KeyAccess = KeyAccess.ReadWrite },
        new("hincrbyfloat", 4, Write | DenyOom | Fast, 1, 1, 1, HIncrByFloat, "hash",
            "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "2.6.0") { KeyAccess = KeyAccess.ReadWrite },
        new("hget", 3, ReadOnly | Fast, 1, 1, 1, HGet, "hash", "Returns the value of a field in a hash.", "2.0.0"),
        new("hmget", -3, ReadOnly | Fast, 1, 1, 1, HMGet, "hash", "Returns the values of all fields in a hash.", "2.0.0"),
        new("hexists", 3, ReadOnly | Fast, 1, 1, 1, HExists, "hash", "Determines whether a field exists in a hash.", "2.0.0") { KeyAccess = KeyAccess.None },
        new("hlen", 2, ReadOnly | Fast, 1, 1, 1, HLen, "hash", "Returns the number of fields in a hash.", "2.0.0") { KeyAccess = KeyAccess.None },
        new("hstrlen", 3, ReadOnly | Fast, 1, 1, 1, HStrLen, "hash", "Returns the length of the value of a field.", "3.2.0") { KeyAccess = KeyAccess.None },
        new("hgetall", 2, ReadOnly, 1, 1, 1, HGetAll, "hash", "Returns all fields and values in a hash.", "2.0.0") { Tips = ["nondeterministic_output_order"] },
        new("hkeys", 2, ReadOnly, 1, 1, 1, HKeys, "hash", "Returns all fields in a hash.", "2.0.0") { Tips = ["nondeterministic_output_order"] },
        new("hvals", 2, ReadOnly, 1, 1, 1, HVals, "hash", "Returns all values in a hash.", "2.0.0") { Tips = ["nondeterministic_output_order"] },
        new("hrandfield", -2, ReadOnly | CommandFlags.Random, 1, 1, 1, HRandField, "hash", "Returns one or more random fields from a hash.", "6.2.0"),
        new("hscan", -3, ReadOnly | CommandFlags.Random, 1, 1, 1, HScan, "hash", "Iterates over fields and values of a hash.", "2.8.0"),
    ];

    public static void HSet(CommandContext context) => SetFields(context, replyOk: false);

    public static void HMSet(CommandContext context) => SetFields(context, replyOk: true);

    public static void HSetNx(CommandContext context)
    {
        var operation = new SetIfMissing(context);
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
        if (operation.Written)
        {
            LogCreated(context, operation.Created);
            context.Aof.HashSet(context.Argument(1), context.Argument(2), context.Argument(3));
        }

        context.Output.WriteRaw(operation.Written ? RespConstants.One : RespConstants.Zero);
    }

    public static void HDel(CommandContext context)
    {
        var operation = new RemoveFields(context);
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
        if (operation.Removed > 0)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Removed);
    }

    public static void HIncrBy(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(3, out var delta))
        {
            return;
        }

        var operation = new IncrementField(context, delta);
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
        switch (operation.Result)
        {
            case HashIncrementResult.Ok:
                if (context.Aof.IsRecording)
                {
                    Span<byte> digits = stackalloc byte[20];
                    operation.Value.TryFormat(digits, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
                    LogCreated(context, operation.Created);
                    context.Aof.HashSet(context.Argument(1), context.Argument(2), digits[..length]);
                }

                context.Output.WriteInteger(operation.Value);
                break;
            case HashIncrementResult.NotANumber:
                context.WriteError(ErrorMessages.HashValueNotInteger);
                break;
            default:
                context.WriteError(ErrorMessages.Overflow);
                break;
        }
    }

    /// <summary>HINCRBYFLOAT: the increment is checked before the key is looked up, as Redis does; the sum is long double.</summary>
    public static void HIncrByFloat(CommandContext context)
    {
        switch (HashObject.CheckFloatIncrement(context.Argument(3)))
        {
            case HashIncrementResult.NotANumber:
                context.WriteError(ErrorMessages.NotFloat);
                return;
            case HashIncrementResult.Overflow:
                context.WriteError(ErrorMessages.NanOrInfinityValue);
                return;
        }

        var operation = new IncrementFieldByFloat(context);
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
        switch (operation.Result)
        {
            case HashIncrementResult.Ok:
                // As Redis: logged as the HSET of the stored text, so replay gives the same bytes.
                LogCreated(context, operation.Created);
                context.Aof.HashSet(context.Argument(1), context.Argument(2), operation.Value);
                context.Output.WriteBulkString(operation.Value);
                break;
            case HashIncrementResult.NotANumber:
                context.WriteError(ErrorMessages.HashValueNotFloat);
                break;
            default:
                context.WriteError(ErrorMessages.NanOrInfinity);
                break;
        }
    }

    private static void SetFields(CommandContext context, bool replyOk)
    {
        // Arity -4 lets "HSET k f v f" through; Redis answers an odd pair count with the arity error.
        if ((context.ArgumentCount & 1) != 0)
        {
            context.WriteWrongArgumentCount();
            return;
        }

        var operation = new SetFieldValues(context);
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
        LogCreated(context, operation.Created);
        context.Aof.Request(context.Request);
        if (replyOk)
        {
            context.Output.WriteOk();
        }
        else
        {
            context.Output.WriteInteger(operation.Added);
        }
    }

    private static void LogCreated(CommandContext context, bool created)
    {
        if (created)
        {
            context.Aof.Created(context.Argument(1));
        }
    }

    private struct SetFieldValues(CommandContext context) : IObjectOperation
    {
        public bool Created;
        public long Added;

        public StoreObject? CreateIfMissing()
        {
            Created = true;
            return new HashObject();
        }

        public void Apply(StoreObject? value)
        {
            var hash = (HashObject)value!;
            var settings = context.Store.Encodings;
            for (var i = 2; i < context.ArgumentCount; i += 2)
            {
                if (hash.Set(context.Argument(i), context.Argument(i + 1), settings))
                {
                    Added++;
                }
            }
        }
    }

    private struct SetIfMissing(CommandContext context) : IObjectOperation
    {
        public bool Created;
        public bool Written;

        public StoreObject? CreateIfMissing()
        {
            Created = true;
            return new HashObject();
        }

        public void Apply(StoreObject? value)
        {
            var hash = (HashObject)value!;
            if (!hash.ContainsField(context.Argument(2)))
            {
                hash.Set(context.Argument(2), context.Argument(3), context.Store.Encodings);
                Written = true;
            }
        }
    }

    private struct RemoveFields(CommandContext context) : IObjectOperation
    {
        public long Removed;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not HashObject hash)
            {
                return;
            }

            for (var i = 2; i < context.ArgumentCount && hash.Count > 0; i++)
            {
                if (hash.Remove(context.Argument(i)))
                {
                    Removed++;
                }
            }
        }
    }

    private struct IncrementField(CommandContext context, long delta) : IObjectOperation
    {
        public bool Created;
        public HashIncrementResult Result;
        public long Value;

        public StoreObject? CreateIfMissing()
        {
            Created = true;
            return new HashObject();
        }

        public void Apply(StoreObject? value) =>
            Result = ((HashObject)value!).IncrementBy(context.Argument(2), delta, context.Store.Encodings, out Value);
    }

    private struct IncrementFieldByFloat(CommandContext context) : IObjectOperation
    {
        public bool Created;
        public HashIncrementResult Result;
        public byte[] Value = [];

        public StoreObject? CreateIfMissing()
        {
            Created = true;
            return new HashObject();
        }

        public void Apply(StoreObject? value) =>
            Result = ((HashObject)value!).IncrementByFloat(context.Argument(2), context.Argument(3), context.Store.Encodings, out Value);
    }
}
