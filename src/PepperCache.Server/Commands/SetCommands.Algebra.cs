using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE: Redis's sinterGenericCommand and
// sunionDiffGenericCommand, run with every key's shard locked.
internal static partial class SetCommands
{
    private static ReadOnlySpan<byte> NumKeysNotPositive => "ERR numkeys should be greater than 0"u8;

    private static ReadOnlySpan<byte> TooManyNumKeys => "ERR Number of keys can't be greater than number of args"u8;

    private static ReadOnlySpan<byte> LimitNegative => "ERR LIMIT can't be negative"u8;

    public static void SInter(CommandContext context) => Combine(context, SetAlgebra.Inter, 1, context.ArgumentCount, store: false);

    public static void SInterStore(CommandContext context) => Combine(context, SetAlgebra.Inter, 2, context.ArgumentCount, store: true);

    public static void SUnion(CommandContext context) => Combine(context, SetAlgebra.Union, 1, context.ArgumentCount, store: false);

    public static void SUnionStore(CommandContext context) => Combine(context, SetAlgebra.Union, 2, context.ArgumentCount, store: true);

    public static void SDiff(CommandContext context) => Combine(context, SetAlgebra.Diff, 1, context.ArgumentCount, store: false);

    public static void SDiffStore(CommandContext context) => Combine(context, SetAlgebra.Diff, 2, context.ArgumentCount, store: true);

    /// <summary>SINTERCARD numkeys key [key ...] [LIMIT limit], its arguments checked in Redis's order before any key.</summary>
    public static void SInterCard(CommandContext context)
    {
        if (!context.TryGetInt64(1, out var numKeys) || numKeys < 1)
        {
            context.WriteError(NumKeysNotPositive);
            return;
        }

        if (numKeys > context.ArgumentCount - 2)
        {
            context.WriteError(TooManyNumKeys);
            return;
        }

        long limit = 0;
        for (var i = 2 + (int)numKeys; i < context.ArgumentCount; i++)
        {
            if (context.ArgumentIs(i, "LIMIT"u8) && i + 1 < context.ArgumentCount)
            {
                i++;
                if (!context.TryGetInt64(i, out limit) || limit < 0)
                {
                    context.WriteError(LimitNegative);
                    return;
                }
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        var operation = new CombineSets(context, SetAlgebra.InterCard, 2, 2 + (int)numKeys, store: false, limit);
        context.Store.ExecuteOnKeys(context.Request, 2, 2 + (int)numKeys, -1, ref operation);
        context.Output.WriteInteger(operation.Cardinality);
    }

    private static void Combine(CommandContext context, SetAlgebra algebra, int first, int end, bool store)
    {
        var operation = new CombineSets(context, algebra, first, end, store, limit: 0);
        context.Store.ExecuteOnKeys(context.Request, store ? 1 : first, end, -1, ref operation);
        if (!store)
        {
            return;
        }

        // Logged as what the destination now holds (see the class remarks), or its deletion.
        var destination = context.Argument(1);
        if (operation.Result is { Count: > 0 } result)
        {
            context.Aof.Replaced(destination, result);
        }
        else if (operation.DestinationExisted)
        {
            context.Aof.Delete(destination);
        }

        context.Output.WriteInteger(operation.Result?.Count ?? 0);
    }

    private enum SetAlgebra
    {
        Inter,
        InterCard,
        Union,
        Diff,
    }

    /// <summary>
    /// One set operation over arguments <c>first..end</c>: the sources are found first (WRONGTYPE from any of them
    /// before anything is written), then combined; a STORE puts the result at argument 1, a read replies with it.
    /// </summary>
    private struct CombineSets(CommandContext context, SetAlgebra algebra, int first, int end, bool store, long limit) : IKeysOperation
    {
        public SetObject? Result;
        public long Cardinality;
        public bool DestinationExisted;

        public void Apply(LockedKeys keys)
        {
            var count = end - first;
            var sets = ArrayPool<SetObject?>.Shared.Rent(count);
            try
            {
                var missing = 0;
                for (var i = 0; i < count; i++)
                {
                    sets[i] = keys.Find(context.Argument(first + i), DataType.Set) as SetObject;
                    if (sets[i] is null)
                    {
                        context.Client.KeyspaceMisses++;
                        missing++;
                    }
                    else
                    {
                        context.Client.KeyspaceHits++;
                    }
                }

                var sources = sets.AsSpan(0, count);
                if (algebra is SetAlgebra.Inter or SetAlgebra.InterCard)
                {
                    Intersect(sources, missing > 0);
                }
                else
                {
                    Result = algebra == SetAlgebra.Union ? Union(sources, context.Store.Encodings) : Difference(sources, context.Store.Encodings);
                    if (!store)
                    {
                        WriteSet(context.Output, Result, context.Resp3);
                    }
                }

                if (store)
                {
                    DestinationExisted = keys.Store(context.Argument(1), Result);
                }
            }
            finally
            {
                Array.Clear(sets, 0, count);
                ArrayPool<SetObject?>.Shared.Return(sets);
            }
        }

        /// <summary>
        /// Redis's sinterGenericCommand: a missing key makes the result empty at once; otherwise the members of the
        /// smallest set (a stable order by size, as glibc's qsort keeps for equal sizes) that every other set holds.
        /// </summary>
        private void Intersect(Span<SetObject?> sets, bool anyMissing)
        {
            if (anyMissing)
            {
                if (algebra == SetAlgebra.Inter && !store)
                {
                    context.Output.WriteSetHeader(0, context.Resp3);
                }

                return;
            }

            for (var i = 1; i < sets.Length; i++)
            {
                for (var j = i; j > 0 && sets[j - 1]!.Count > sets[j]!.Count; j--)
                {
                    (sets[j - 1], sets[j]) = (sets[j], sets[j - 1]);
                }
            }

            var smallest = sets[0]!;
            var settings = context.Store.Encodings;
            var members = algebra == SetAlgebra.Inter && !store ? RentMembers() : null;
            if (store)
            {
                Result = new SetObject();
            }

            try
            {
                foreach (var member in smallest)
                {
                    if (!InAllOthers(sets, member))
                    {
                        continue;
                    }

                    if (algebra == SetAlgebra.InterCard)
                    {
                        Cardinality++;
                        if (limit != 0 && Cardinality >= limit)
                        {
                            break;
                        }
                    }
                    else if (store)
                    {
                        Result!.Add(member, settings);
                    }
                    else
                    {
                        members!.Add(member);
                    }
                }

                if (members is not null)
                {
                    context.Output.WriteSetHeader(members.Count, context.Resp3);
                    foreach (var member in members)
                    {
                        WriteMember(context.Output, member);
                    }
                }
            }
            finally
            {
                if (members is not null)
                {
                    ReturnMembers(members);
                }
            }
        }

        private static bool InAllOthers(Span<SetObject?> sets, SetMember member)
        {
            for (var j = 1; j < sets.Length; j++)
            {
                if (!ReferenceEquals(sets[j], sets[0]) && !sets[j]!.Contains(member))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Every member of every set, gathered into a new set (an intset while the members allow), as Redis does.</summary>
        private static SetObject Union(Span<SetObject?> sets, EncodingSettings settings)
        {
            var result = new SetObject();
            foreach (var set in sets)
            {
                if (set is null)
                {
                    continue;
                }

                foreach (var member in set)
                {
                    result.Add(member, settings);
                }
            }

            return result;
        }

        /// <summary>
        /// Redis's two SDIFF algorithms, chosen by its cost estimate: they give the same members, but the second adds the
        /// whole first set before removing, so its result may have left the intset encoding where the first's has not.
        /// </summary>
        private static SetObject Difference(Span<SetObject?> sets, EncodingSettings settings)
        {
            var result = new SetObject();
            if (sets[0] is not { } head)
            {
                return result;
            }

            long firstWork = 0;
            long secondWork = 0;
            foreach (var set in sets)
            {
                if (set is not null)
                {
                    firstWork += head.Count;
                    secondWork += set.Count;
                }
            }

            if (firstWork / 2 <= secondWork)
            {
                foreach (var member in head)
                {
                    if (!InAnyOther(sets, head, member))
                    {
                        result.Add(member, settings);
                    }
                }

                return result;
            }

            foreach (var member in head)
            {
                result.Add(member, settings);
            }

            for (var j = 1; j < sets.Length && result.Count > 0; j++)
            {
                if (sets[j] is not { } set)
                {
                    continue;
                }

                foreach (var member in set)
                {
                    result.Remove(member);
                }
            }

            return result;
        }

        private static bool InAnyOther(Span<SetObject?> sets, SetObject head, SetMember member)
        {
            for (var j = 1; j < sets.Length; j++)
            {
                if (sets[j] is not { } set)
                {
                    continue;
                }

                if (ReferenceEquals(set, head) || set.Contains(member))
                {
                    return true;
                }
            }

            return false;
        }

        private static void WriteSet(IBufferWriter<byte> output, SetObject set, bool resp3)
        {
            output.WriteSetHeader((int)set.Count, resp3);
            foreach (var member in set)
            {
                WriteMember(output, member);
            }
        }
    }
}
