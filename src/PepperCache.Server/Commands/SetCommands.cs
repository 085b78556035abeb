using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Set commands. Single-key ones are a struct <see cref="IObjectOperation"/> run by
/// <see cref="KeyValueStore.Execute{TOperation}"/>; those over several keys (SMOVE, SINTER, SUNIONSTORE...) a struct
/// <see cref="IMultiObjectOperation"/> run by <see cref="KeyValueStore.ExecuteMany{TOperation}"/> with every involved
/// shard locked. Arguments are checked first, in Redis's order. Split by concern: this file (definitions, SADD, SREM,
/// SMOVE), <c>SetCommands.Reads.cs</c> (membership, SMEMBERS, SCARD, SSCAN), <c>SetCommands.Random.cs</c> (SPOP,
/// SRANDMEMBER), <c>SetCommands.Algebra.cs</c> (intersection, union, difference) and <c>SetCommands.Aof.cs</c>
/// (records by effect).
/// </summary>
/// <remarks>
/// Keyspace hits and misses are counted where Redis's lookupKeyRead counts them. AOF: SADD and SREM are logged as
/// sent (SADD that created the set logs DEL first); SMOVE as the SREM and SADD it did; SPOP as the SREM of the members
/// it removed (or DEL when it took them all), as Redis; the *STORE commands as DEL and the SADDs of what they stored,
/// since a source that had expired at run time may still be present when the log replays (see
/// <see cref="Persistence.AofFeed"/>).
/// </remarks>
internal static partial class SetCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("sadd", -3, Write | DenyOom | Fast, 1, 1, 1, SAdd, "set", "Add one or more members to a set", "1.0.0")
        {
            KeyAccess = KeyAccess.Write, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "RW", "insert")],
        },
        new("srem", -3, Write | Fast, 1, 1, 1, SRem, "set", "Remove one or more members from a set", "1.0.0")
        {
            KeyAccess = KeyAccess.Write, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "RW", "delete")],
        },
        new("smove", 4, Write | Fast, 1, 2, 1, SMove, "set", "Move a member from one set to another", "1.0.0")
        {
            KeyAccess = KeyAccess.ReadWrite,
            KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "delete"), KeySpec.Range(2, 0, 1, KeyAccess.Write, "RW", "insert")],
        },
        new("spop", -2, Write | Fast | CommandFlags.Random, 1, 1, 1, SPop, "set", "Remove and return one or multiple random members from a set", "1.0.0")
        {
            KeyAccess = KeyAccess.ReadWrite, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "delete")],
        },
        new("smembers", 2, ReadOnly, 1, 1, 1, SMembers, "set", "Get all the members in a set", "1.0.0") { KeySpecs = [ReadAccess(1, 0)], Tips = ["nondeterministic_output_order"] },
        new("sismember", 3, ReadOnly | Fast, 1, 1, 1, SIsMember, "set", "Determine if a given value is a member of a set", "1.0.0")
        {
            KeyAccess = KeyAccess.None, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.None, "RO")],
        },
        new("smismember", -3, ReadOnly | Fast, 1, 1, 1, SMIsMember, "set", "Returns the membership associated with the given elements for a set", "6.2.0") { KeySpecs = [ReadAccess(1, 0)] },
        new("scard", 2, ReadOnly | Fast, 1, 1, 1, SCard, "set", "Get the number of members in a set", "1.0.0")
        {
            KeyAccess = KeyAccess.None, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.None, "RO")],
        },
        new("srandmember", -2, ReadOnly | CommandFlags.Random, 1, 1, 1, SRandMember, "set", "Get one or multiple random members from a set", "1.0.0") { KeySpecs = [ReadAccess(1, 0)] },
        new("sscan", -3, ReadOnly | CommandFlags.Random, 1, 1, 1, SScan, "set", "Incrementally iterate Set elements", "2.8.0") { KeySpecs = [ReadAccess(1, 0)] },
        new("sinter", -2, ReadOnly, 1, -1, 1, SInter, "set", "Intersect multiple sets", "1.0.0") { KeySpecs = [ReadAccess(1, -1)], Tips = ["nondeterministic_output_order"] },
        new("sintercard", -3, ReadOnly, 0, 0, 0, SInterCard, "set", "Intersect multiple sets and return the cardinality of the result", "7.0.0")
        {
            KeySpecs = [KeySpec.KeyNum(1, 0, 1, KeyAccess.Read, "RO", "access")],
        },
        new("sinterstore", -3, Write | DenyOom, 1, -1, 1, SInterStore, "set", "Intersect multiple sets and store the resulting set in a key", "1.0.0")
        {
            KeyAccess = KeyAccess.Write, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "RW", "update"), ReadAccess(2, -1)],
        },
        new("sunion", -2, ReadOnly, 1, -1, 1, SUnion, "set", "Add multiple sets", "1.0.0") { KeySpecs = [ReadAccess(1, -1)], Tips = ["nondeterministic_output_order"] },
        new("sunionstore", -3, Write | DenyOom, 1, -1, 1, SUnionStore, "set", "Add multiple sets and store the resulting set in a key", "1.0.0")
        {
            KeyAccess = KeyAccess.Write, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "OW", "update"), ReadAccess(2, -1)],
        },
        new("sdiff", -2, ReadOnly, 1, -1, 1, SDiff, "set", "Subtract multiple sets", "1.0.0") { KeySpecs = [ReadAccess(1, -1)], Tips = ["nondeterministic_output_order"] },
        new("sdiffstore", -3, Write | DenyOom, 1, -1, 1, SDiffStore, "set", "Subtract multiple sets and store the resulting set in a key", "1.0.0")
        {
            KeyAccess = KeyAccess.Write, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "OW", "update"), ReadAccess(2, -1)],
        },
    ];

    private static KeySpec ReadAccess(int index, int lastKey) => KeySpec.Range(index, lastKey, 1, KeyAccess.Read, "RO", "access");

    public static void SAdd(CommandContext context)
    {
        var operation = new AddMembers(context);
        context.Store.Execute(context.Argument(1), DataType.Set, ref operation);
        if (operation.Added > 0)
        {
            if (operation.Created)
            {
                context.Aof.Created(context.Argument(1));
            }

            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Added);
    }

    public static void SRem(CommandContext context)
    {
        var operation = new RemoveMembers(context);
        context.Store.Execute(context.Argument(1), DataType.Set, ref operation);
        if (operation.Removed > 0)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Removed);
    }

    /// <summary>SMOVE source destination member, with Redis's checks in its order (a missing source answers 0 first).</summary>
    public static void SMove(CommandContext context)
    {
        var operation = new MoveMember(context);
        context.Store.ExecuteMany(context.Request, 1, 3, ref operation);
        if (operation.Moved)
        {
            LogMove(context, operation.DestinationCreated);
        }

        context.Output.WriteRaw(operation.Reply ? RespConstants.One : RespConstants.Zero);
    }

    /// <summary>Writes a member as a bulk string: an intset's integer in decimal, else its bytes.</summary>
    internal static void WriteMember(System.Buffers.IBufferWriter<byte> output, SetMember member)
    {
        if (member.IsInteger)
        {
            output.WriteBulkString(member.Integer);
        }
        else
        {
            output.WriteBulkString(member.Bytes);
        }
    }

    private struct AddMembers(CommandContext context) : IObjectOperation
    {
        public bool Created;
        public long Added;

        public StoreObject? CreateIfMissing()
        {
            Created = true;
            return new SetObject();
        }

        public void Apply(StoreObject? value)
        {
            var set = (SetObject)value!;
            var settings = context.Store.Encodings;
            for (var i = 2; i < context.ArgumentCount; i++)
            {
                if (set.Add(context.Argument(i), settings))
                {
                    Added++;
                }
            }
        }
    }

    private struct RemoveMembers(CommandContext context) : IObjectOperation
    {
        public long Removed;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            if (value is not SetObject set)
            {
                return;
            }

            for (var i = 2; i < context.ArgumentCount && set.Count > 0; i++)
            {
                if (set.Remove(context.Argument(i)))
                {
                    Removed++;
                }
            }
        }
    }

    private struct MoveMember(CommandContext context) : IMultiObjectOperation
    {
        public bool Reply;
        public bool Moved;
        public bool DestinationCreated;

        public void Apply(ObjectLookup keys)
        {
            var sourceKey = context.Argument(1);
            var destinationKey = context.Argument(2);
            var member = context.Argument(3);
            if (keys.Find(sourceKey, DataType.Set) is not SetObject source)
            {
                return;
            }

            var destination = keys.Find(destinationKey, DataType.Set) as SetObject;
            if (ReferenceEquals(source, destination))
            {
                Reply = source.Contains(member);
                return;
            }

            var before = source.HeapSize;
            if (!source.Remove(member))
            {
                return;
            }

            keys.Changed(sourceKey, before);
            if (destination is null)
            {
                destination = new SetObject();
                destination.Add(member, context.Store.Encodings);
                keys.Store(destinationKey, destination);
                DestinationCreated = true;
            }
            else
            {
                before = destination.HeapSize;
                destination.Add(member, context.Store.Encodings);
                keys.Changed(destinationKey, before);
            }

            Reply = true;
            Moved = true;
        }
    }
}
