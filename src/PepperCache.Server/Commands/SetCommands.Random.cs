using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// SPOP and SRANDMEMBER: random members, removed or not.
internal static partial class SetCommands
{
    /// <summary>
    /// Most members a negative SRANDMEMBER count may ask for, as HRANDFIELD's. Redis has no bound and would build the
    /// whole reply; here such a count is refused as out of range.
    /// </summary>
    internal const long MaxRandomReply = HashCommands.MaxRandomReply;

    /// <summary>Redis's SPOP_MOVE_STRATEGY_MUL: a pop leaving fewer than count/5 members rebuilds the set from them.</summary>
    private const long PopRebuildFactor = 5;

    private static ReadOnlySpan<byte> MustBePositive => "ERR value is out of range, must be positive"u8;

    /// <summary>SPOP key [count]: the count is checked before the key is looked up, as Redis does.</summary>
    public static void SPop(CommandContext context)
    {
        if (context.ArgumentCount > 3)
        {
            context.WriteSyntaxError();
            return;
        }

        long count = -1;
        if (context.ArgumentCount == 3 && (!context.TryGetInt64(2, out count) || count < 0))
        {
            context.WriteError(MustBePositive);
            return;
        }

        var operation = new PopMembers(context, count);
        context.Store.Execute(context.Argument(1), DataType.Set, ref operation);
    }

    /// <summary>SRANDMEMBER key [count]: the count is checked before the key is looked up, as Redis does.</summary>
    public static void SRandMember(CommandContext context)
    {
        if (context.ArgumentCount > 3)
        {
            context.WriteSyntaxError();
            return;
        }

        long count = 0;
        var hasCount = context.ArgumentCount == 3;
        if (hasCount)
        {
            if (!context.TryGetInt64OrReply(2, out count))
            {
                return;
            }

            if (count == long.MinValue)
            {
                context.WriteError(ErrorMessages.RandomCountOutOfRange);
                return;
            }

            if (-count > MaxRandomReply)
            {
                context.WriteError(ErrorMessages.ValueOutOfRange);
                return;
            }
        }

        var operation = new RandomMembers(context, hasCount, count);
        context.Store.Execute(context.Argument(1), DataType.Set, ref operation);
    }

    /// <summary>Redis's spopCommand and spopWithCountCommand cases, in its order; logged by effect.</summary>
    private readonly struct PopMembers(CommandContext context, long count) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            var key = context.Argument(1);
            if (value is not SetObject set)
            {
                // SPOP with a count answers a set (empty here), without one a null.
                if (count < 0)
                {
                    output.WriteNull(context.Resp3);
                }
                else
                {
                    output.WriteSetHeader(0, context.Resp3);
                }

                return;
            }

            var random = System.Random.Shared;
            if (count < 0)
            {
                var member = set.RandomMember(random);
                WriteMember(output, member);
                LogRemoved(context, key, member);
                set.Remove(member);
                return;
            }

            if (count == 0)
            {
                output.WriteSetHeader(0, context.Resp3);
                return;
            }

            if (count >= set.Count)
            {
                // Redis answers through SUNION of the one set (a lookup that counts a hit), whose result is an intset,
                // so sorted, whenever the members allow one; then deletes the key and logs DEL.
                context.Client.KeyspaceHits++;
                set.CompactIfIntegers(context.Store.Encodings);
                output.WriteSetHeader((int)set.Count, context.Resp3);
                foreach (var member in set)
                {
                    WriteMember(output, member);
                }

                context.Aof.Delete(key);
                set.Clear();
                return;
            }

            var members = RentMembers();
            try
            {
                set.RandomDistinctMembers((int)count, random, members);
                output.WriteSetHeader(members.Count, context.Resp3);
                foreach (var member in members)
                {
                    WriteMember(output, member);
                }

                LogRemoved(context, key, members);
                foreach (var member in members)
                {
                    set.Remove(member);
                }

                // Few left: Redis rebuilds the set from them, which makes it an intset again when they allow one.
                if ((set.Count * PopRebuildFactor) <= count)
                {
                    set.CompactIfIntegers(context.Store.Encodings);
                }
            }
            finally
            {
                ReturnMembers(members);
            }
        }
    }

    /// <summary>Redis's srandmemberWithCountCommand cases, in its order.</summary>
    private readonly struct RandomMembers(CommandContext context, bool hasCount, long count) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not SetObject set)
            {
                context.Client.KeyspaceMisses++;
                if (hasCount)
                {
                    output.WriteRaw(RespConstants.EmptyArray);
                }
                else
                {
                    output.WriteNull(context.Resp3);
                }

                return;
            }

            context.Client.KeyspaceHits++;
            var random = System.Random.Shared;
            if (!hasCount)
            {
                WriteMember(output, set.RandomMember(random));
                return;
            }

            if (count == 0)
            {
                output.WriteRaw(RespConstants.EmptyArray);
                return;
            }

            // A negative count (repeats allowed) or one member: independent draws.
            if (count < 0 || count == 1)
            {
                var draws = (int)Math.Abs(count);
                output.WriteArrayHeader(draws);
                for (var i = 0; i < draws; i++)
                {
                    WriteMember(output, set.RandomMember(random));
                }

                return;
            }

            // Asking for at least the whole set: the whole set, in its order.
            if (count >= set.Count)
            {
                output.WriteArrayHeader((int)set.Count);
                foreach (var member in set)
                {
                    WriteMember(output, member);
                }

                return;
            }

            var members = RentMembers();
            try
            {
                set.RandomDistinctMembers((int)count, random, members);
                output.WriteArrayHeader(members.Count);
                foreach (var member in members)
                {
                    WriteMember(output, member);
                }
            }
            finally
            {
                ReturnMembers(members);
            }
        }
    }
}
