using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Sorted-set commands, in Redis 7.0's argument order and error texts. Each is a struct operation run by
/// <see cref="KeyValueStore.Execute{TOperation}"/> (or <see cref="KeyValueStore.ExecuteOnKeys{TOperation}"/> when it
/// reads several keys), its reply written under the lock. Split by concern: this file (declarations, ZADD, ZINCRBY,
/// ZREM), <c>.Reads.cs</c> (scores, ranks, counts), <c>.Ranges.cs</c> (ZRANGE and its family, ZREMRANGEBY*),
/// <c>.Pops.cs</c> (ZPOPMIN/ZPOPMAX, ZMPOP, ZRANDMEMBER), <c>.Scan.cs</c> (ZSCAN), <c>.Blocking.cs</c> (BZPOPMIN, BZPOPMAX, BZMPOP), <c>.Algebra.cs</c> (ZUNION, ZINTER, ZDIFF and their
/// STORE forms, ZINTERCARD).
/// </summary>
/// <remarks>
/// AOF: ZADD, ZREM and ZREMRANGEBY* are logged as sent when they changed something; ZINCRBY and ZADD INCR as the ZADD
/// of the resulting score; pops as ZPOPMIN/ZPOPMAX key n of what they popped (as Redis propagates ZMPOP); the STORE
/// commands as DEL of the destination and the ZADDs of the result, so a source that had expired at run time but
/// is still present during replay cannot change it. A command that created the set logs DEL first. The blocking
/// pops (BZPOPMIN, BZPOPMAX, BZMPOP) are logged as the ZPOPMIN/ZPOPMAX of what they popped.
/// </remarks>
internal static partial class SortedSetCommands
{
    private const string Group = "sorted-set";

    private static KeySpec[] Key(KeyAccess access, params string[] flags) => [KeySpec.Range(1, 0, 1, access, flags)];

    private static KeySpec[] Sources(int index) => [KeySpec.KeyNum(index, 0, 1, KeyAccess.Read, "RO", "access")];

    private static KeySpec[] StoreAndSources =>
        [KeySpec.Range(1, 0, 1, KeyAccess.Write, "OW", "update"), KeySpec.KeyNum(2, 0, 1, KeyAccess.Read, "RO", "access")];

    private static readonly KeySpec[] ReadKey = Key(KeyAccess.Read, "RO", "access");

    public static CommandDefinition[] Definitions { get; } =
    [
        new("zadd", -4, Write | DenyOom | Fast, 1, 1, 1, ZAdd, Group,
            "Add one or more members to a sorted set, or update its score if it already exists", "1.2.0")
            { KeyAccess = KeyAccess.Write, KeySpecs = Key(KeyAccess.Write, "RW", "update") },
        new("zincrby", 4, Write | DenyOom | Fast, 1, 1, 1, ZIncrBy, Group, "Increment the score of a member in a sorted set", "1.2.0")
            { KeyAccess = KeyAccess.ReadWrite, KeySpecs = Key(KeyAccess.ReadWrite, "RW", "access", "update") },
        new("zrem", -3, Write | Fast, 1, 1, 1, ZRem, Group,
            "Remove one or more members from a sorted set", "1.2.0")
            { KeyAccess = KeyAccess.Write, KeySpecs = Key(KeyAccess.Write, "RW", "delete") },
        new("zscore", 3, ReadOnly | Fast, 1, 1, 1, ZScore, Group, "Get the score associated with the given member in a sorted set", "1.2.0") { KeySpecs = ReadKey },
        new("zmscore", -3, ReadOnly | Fast, 1, 1, 1, ZMScore, Group, "Get the score associated with the given members in a sorted set", "6.2.0") { KeySpecs = ReadKey },
        new("zcard", 2, ReadOnly | Fast, 1, 1, 1, ZCard, Group, "Get the number of members in a sorted set", "1.2.0")
            { KeyAccess = KeyAccess.None, KeySpecs = Key(KeyAccess.None, "RO") },
        new("zcount", 4, ReadOnly | Fast, 1, 1, 1, ZCount, Group, "Count the members in a sorted set with scores within the given values", "2.0.0") { KeySpecs = ReadKey },
        new("zlexcount", 4, ReadOnly | Fast, 1, 1, 1, ZLexCount, Group, "Count the number of members in a sorted set between a given lexicographical range", "2.8.9") { KeySpecs = ReadKey },
        new("zrange", -4, ReadOnly, 1, 1, 1, ZRange, Group, "Return a range of members in a sorted set", "1.2.0") { KeySpecs = ReadKey },
        new("zrangestore", -5, Write | DenyOom, 1, 2, 1, ZRangeStore, Group, "Store a range of members from sorted set into another key", "6.2.0")
            {
                KeyAccess = KeyAccess.Write,
                LaterKeyAccess = KeyAccess.Read,
                KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "OW", "update"), KeySpec.Range(2, 0, 1, KeyAccess.Read, "RO", "access")],
            },
        new("zrangebyscore", -4, ReadOnly, 1, 1, 1, ZRangeByScore, Group, "Return a range of members in a sorted set, by score", "1.0.5") { KeySpecs = ReadKey },
        new("zrevrangebyscore", -4, ReadOnly, 1, 1, 1, ZRevRangeByScore, Group,
            "Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0") { KeySpecs = ReadKey },
        new("zrangebylex", -4, ReadOnly, 1, 1, 1, ZRangeByLex, Group, "Return a range of members in a sorted set, by lexicographical range", "2.8.9") { KeySpecs = ReadKey },
        new("zrevrangebylex", -4, ReadOnly, 1, 1, 1, ZRevRangeByLex, Group,
            "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "2.8.9") { KeySpecs = ReadKey },
        new("zrevrange", -4, ReadOnly, 1, 1, 1, ZRevRange, Group, "Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0") { KeySpecs = ReadKey },
        new("zrank", 3, ReadOnly | Fast, 1, 1, 1, ZRank, Group, "Determine the index of a member in a sorted set", "2.0.0") { KeySpecs = ReadKey },
        new("zrevrank", 3, ReadOnly | Fast, 1, 1, 1, ZRevRank, Group, "Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0") { KeySpecs = ReadKey },
        new("zpopmin", -2, Write | Fast, 1, 1, 1, ZPopMin, Group,
            "Remove and return members with the lowest scores in a sorted set", "5.0.0")
            { KeyAccess = KeyAccess.ReadWrite, KeySpecs = Key(KeyAccess.ReadWrite, "RW", "access", "delete") },
        new("zpopmax", -2, Write | Fast, 1, 1, 1, ZPopMax, Group,
            "Remove and return members with the highest scores in a sorted set", "5.0.0")
            { KeyAccess = KeyAccess.ReadWrite, KeySpecs = Key(KeyAccess.ReadWrite, "RW", "access", "delete") },
        new("zmpop", -4, Write, 0, 0, 0, ZMPop, Group,
            "Remove and return members with scores in a sorted set", "7.0.0")
            { KeyAccess = KeyAccess.ReadWrite, KeySpecs = [KeySpec.KeyNum(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
        new("bzpopmin", -3, Write | NoScript | Blocking | Fast, 1, -2, 1, BZPopMin, Group,
            "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "5.0.0")
            { KeyAccess = KeyAccess.ReadWrite, KeySpecs = [KeySpec.Range(1, -2, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
        new("bzpopmax", -3, Write | NoScript | Blocking | Fast, 1, -2, 1, BZPopMax, Group,
            "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "5.0.0")
            { KeyAccess = KeyAccess.ReadWrite, KeySpecs = [KeySpec.Range(1, -2, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
        new("bzmpop", -5, Write | Blocking, 0, 0, 0, BZMPop, Group,
            "Remove and return members with scores in a sorted set or block until one is available", "7.0.0")
            { KeyAccess = KeyAccess.ReadWrite, KeySpecs = [KeySpec.KeyNum(2, 0, 1, KeyAccess.ReadWrite, "RW", "access", "delete")] },
        new("zrandmember", -2, ReadOnly | CommandFlags.Random, 1, 1, 1, ZRandMember, Group, "Get one or multiple random elements from a sorted set", "6.2.0") { KeySpecs = ReadKey },
        new("zunion", -3, ReadOnly, 0, 0, 0, ZUnion, Group, "Add multiple sorted sets", "6.2.0") { KeySpecs = Sources(1) },
        new("zinter", -3, ReadOnly, 0, 0, 0, ZInter, Group, "Intersect multiple sorted sets", "6.2.0") { KeySpecs = Sources(1) },
        new("zdiff", -3, ReadOnly, 0, 0, 0, ZDiff, Group, "Subtract multiple sorted sets", "6.2.0") { KeySpecs = Sources(1) },
        new("zunionstore", -4, Write | DenyOom, 1, 1, 1, ZUnionStore, Group, "Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0")
            { KeyAccess = KeyAccess.Write, LaterKeyAccess = KeyAccess.Read, KeySpecs = StoreAndSources },
        new("zinterstore", -4, Write | DenyOom, 1, 1, 1, ZInterStore, Group, "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0")
            { KeyAccess = KeyAccess.Write, LaterKeyAccess = KeyAccess.Read, KeySpecs = StoreAndSources },
        new("zdiffstore", -4, Write | DenyOom, 1, 1, 1, ZDiffStore, Group, "Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0")
            { KeyAccess = KeyAccess.Write, LaterKeyAccess = KeyAccess.Read, KeySpecs = StoreAndSources },
        new("zintercard", -3, ReadOnly, 0, 0, 0, ZInterCard, Group, "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0") { KeySpecs = Sources(1) },
        new("zremrangebyscore", 4, Write, 1, 1, 1, ZRemRangeByScore, Group,
            "Remove all members in a sorted set within the given scores", "1.2.0")
            { KeyAccess = KeyAccess.Write, KeySpecs = Key(KeyAccess.Write, "RW", "delete") },
        new("zremrangebyrank", 4, Write, 1, 1, 1, ZRemRangeByRank, Group,
            "Remove all members in a sorted set within the given indexes", "2.0.0")
            { KeyAccess = KeyAccess.Write, KeySpecs = Key(KeyAccess.Write, "RW", "delete") },
        new("zremrangebylex", 4, Write, 1, 1, 1, ZRemRangeByLex, Group,
            "Remove all members in a sorted set between the given lexicographical range", "2.8.9")
            { KeyAccess = KeyAccess.Write, KeySpecs = Key(KeyAccess.Write, "RW", "delete") },
        new("zscan", -3, ReadOnly | CommandFlags.Random, 1, 1, 1, ZScan, Group, "Incrementally iterate sorted sets elements and associated scores", "2.8.0") { KeySpecs = ReadKey },
    ];

    /// <summary>ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]: options and every score checked first.</summary>
    public static void ZAdd(CommandContext context)
    {
        var flags = AddFlags.None;
        var index = 2;
        for (; index < context.ArgumentCount; index++)
        {
            var flag = context.Argument(index);
            var next = IsWord(flag, "NX"u8) ? AddFlags.Nx
                : IsWord(flag, "XX"u8) ? AddFlags.Xx
                : IsWord(flag, "CH"u8) ? AddFlags.Ch
                : IsWord(flag, "INCR"u8) ? AddFlags.Incr
                : IsWord(flag, "GT"u8) ? AddFlags.Gt
                : IsWord(flag, "LT"u8) ? AddFlags.Lt
                : AddFlags.None;
            if (next == AddFlags.None)
            {
                break;
            }

            flags |= next;
        }

        var elements = context.ArgumentCount - index;
        if (elements == 0 || (elements & 1) != 0)
        {
            context.WriteSyntaxError();
            return;
        }

        AddCommon(context, flags, index);
    }

    /// <summary>ZINCRBY key increment member: ZADD INCR of one pair.</summary>
    public static void ZIncrBy(CommandContext context) => AddCommon(context, AddFlags.Incr, 2);

    private static void AddCommon(CommandContext context, AddFlags flags, int first)
    {
        // Redis's order: NX with XX, then GT/LT/NX, then INCR's single pair.
        if ((flags & (AddFlags.Nx | AddFlags.Xx)) == (AddFlags.Nx | AddFlags.Xx))
        {
            context.WriteError(SortedSetErrors.NxXx);
            return;
        }

        var gt = (flags & AddFlags.Gt) != 0;
        var lt = (flags & AddFlags.Lt) != 0;
        var nx = (flags & AddFlags.Nx) != 0;
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            context.WriteError(SortedSetErrors.GtLtNx);
            return;
        }

        if ((flags & AddFlags.Incr) != 0 && context.ArgumentCount - first > 2)
        {
            context.WriteError(SortedSetErrors.IncrSinglePair);
            return;
        }

        for (var i = first; i < context.ArgumentCount; i += 2)
        {
            if (!SortedSetScore.TryParse(context.Argument(i), out _))
            {
                context.WriteError(ErrorMessages.NotFloat);
                return;
            }
        }

        var operation = new AddMembers(context, flags, first);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
        if (operation.NaN)
        {
            context.WriteError(SortedSetErrors.ScoreNaN);
            return;
        }

        if (operation.Added + operation.Updated > 0)
        {
            if (operation.Created)
            {
                context.Aof.Created(context.Argument(1));
            }

            if ((flags & AddFlags.Incr) != 0)
            {
                SortedSetAof.Add(context.Aof, context.Argument(1), operation.Score, context.Argument(first + 1));
            }
            else
            {
                context.Aof.Request(context.Request);
            }
        }

        var output = context.Output;
        if ((flags & AddFlags.Incr) != 0)
        {
            if (operation.Processed)
            {
                WriteScore(output, operation.Score, context.Resp3);
            }
            else
            {
                output.WriteNull(context.Resp3);
            }
        }
        else
        {
            output.WriteInteger((flags & AddFlags.Ch) != 0 ? operation.Added + operation.Updated : operation.Added);
        }
    }

    public static void ZRem(CommandContext context)
    {
        var operation = new RemoveMembers(context);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
        if (operation.Removed > 0)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Removed);
    }

    private static bool IsWord(ReadOnlySpan<byte> argument, ReadOnlySpan<byte> word) => System.Text.Ascii.EqualsIgnoreCase(argument, word);

    /// <summary>A score as Redis replies it (addReplyDouble): <c>%.17g</c> or inf/-inf, a bulk string in RESP2, a double in RESP3.</summary>
    internal static void WriteScore(System.Buffers.IBufferWriter<byte> output, double score, bool resp3)
    {
        Span<byte> text = stackalloc byte[SortedSetScore.MaxLength];
        output.WriteDouble(text[..SortedSetScore.Format(score, text)], resp3);
    }

    /// <summary>
    /// A member and its score, one element of a WITHSCORES reply begun with <see cref="RespWriter.WritePairsHeader"/>:
    /// flat in RESP2, its own two-element array in RESP3.
    /// </summary>
    internal static void WriteScoredMember(System.Buffers.IBufferWriter<byte> output, ReadOnlySpan<byte> member, double score, bool resp3)
    {
        output.WritePairHeader(resp3);
        output.WriteBulkString(member);
        WriteScore(output, score, resp3);
    }

    [Flags]
    private enum AddFlags
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Ch = 4,
        Incr = 8,
        Gt = 16,
        Lt = 32,
    }

    /// <summary>Redis's zsetAdd for each pair, in order; stops at a NaN sum (only INCR can make one).</summary>
    private struct AddMembers(CommandContext context, AddFlags flags, int first) : IObjectOperation
    {
        public bool Created;
        public bool NaN;
        public bool Processed;
        public long Added;
        public long Updated;
        public double Score;

        public StoreObject? CreateIfMissing()
        {
            if ((flags & AddFlags.Xx) != 0)
            {
                return null;
            }

            Created = true;
            return new SortedSetObject();
        }

        public void Apply(StoreObject? value)
        {
            if (value is not SortedSetObject set)
            {
                return;
            }

            var settings = context.Store.Encodings;
            for (var i = first; i < context.ArgumentCount; i += 2)
            {
                // Checked by the handler before the lookup.
                _ = SortedSetScore.TryParse(context.Argument(i), out var score);
                var member = context.Argument(i + 1);
                if (set.TryGetScore(member, out var current))
                {
                    if ((flags & AddFlags.Nx) != 0)
                    {
                        continue;
                    }

                    if ((flags & AddFlags.Incr) != 0)
                    {
                        score += current;
                        if (double.IsNaN(score))
                        {
                            NaN = true;
                            return;
                        }
                    }

                    if (((flags & AddFlags.Lt) != 0 && score >= current) || ((flags & AddFlags.Gt) != 0 && score <= current))
                    {
                        continue;
                    }

                    Processed = true;
                    Score = score;
                    // As C compares: -0 is no change from 0.
                    if (score != current)
                    {
                        set.Set(member, score, settings);
                        Updated++;
                    }
                }
                else if ((flags & AddFlags.Xx) == 0)
                {
                    set.Set(member, score, settings);
                    Score = score;
                    Processed = true;
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
            if (value is not SortedSetObject set)
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
}
