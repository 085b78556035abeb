using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Reads of one set: membership (SISMEMBER, SMISMEMBER), the size (SCARD), everything (SMEMBERS), SSCAN.
internal static partial class SetCommands
{
    public static void SIsMember(CommandContext context) => Read(context, ReadKind.IsMember);

    public static void SMIsMember(CommandContext context) => Read(context, ReadKind.AreMembers);

    public static void SCard(CommandContext context) => Read(context, ReadKind.Count);

    public static void SMembers(CommandContext context) => Read(context, ReadKind.Members);

    /// <summary>
    /// SSCAN key cursor [MATCH pattern] [COUNT count]. As Redis: a bad cursor is refused before the key is looked up,
    /// the options only once the key is found to hold a set (a missing key answers an empty scan whatever follows).
    /// </summary>
    public static void SScan(CommandContext context)
    {
        if (!ScanOptions.TryReadCursor(context, 2, out var cursor))
        {
            return;
        }

        var operation = new ScanSet(context, (long)Math.Min(cursor, long.MaxValue));
        context.Store.Execute(context.Argument(1), DataType.Set, ref operation);
    }

    private static void Read(CommandContext context, ReadKind kind)
    {
        var operation = new ReadSet(context, kind);
        context.Store.Execute(context.Argument(1), DataType.Set, ref operation);
    }

    /// <summary>A reusable list of members for a reply whose length is known only once they are collected.</summary>
    private static List<SetMember> RentMembers()
    {
        var members = t_members ??= [];
        members.Clear();
        return members;
    }

    /// <summary>Clears the list, and drops it when a big reply grew it, so a connection thread does not pin memory.</summary>
    private static void ReturnMembers(List<SetMember> members)
    {
        members.Clear();
        if (members.Capacity > 4096)
        {
            t_members = null;
        }
    }

    [ThreadStatic]
    private static List<SetMember>? t_members;

    private enum ReadKind
    {
        IsMember,
        AreMembers,
        Count,
        Members,
    }

    /// <summary>Every read that answers from the set as it is: the reply is written here, under the shard lock.</summary>
    private readonly struct ReadSet(CommandContext context, ReadKind kind) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var set = value as SetObject;
            if (set is null)
            {
                context.Client.KeyspaceMisses++;
            }
            else
            {
                context.Client.KeyspaceHits++;
            }

            var output = context.Output;
            switch (kind)
            {
                case ReadKind.IsMember:
                    output.WriteRaw(set is not null && set.Contains(context.Argument(2)) ? RespConstants.One : RespConstants.Zero);
                    break;
                case ReadKind.AreMembers:
                    output.WriteArrayHeader(context.ArgumentCount - 2);
                    for (var i = 2; i < context.ArgumentCount; i++)
                    {
                        output.WriteRaw(set is not null && set.Contains(context.Argument(i)) ? RespConstants.One : RespConstants.Zero);
                    }

                    break;
                case ReadKind.Count:
                    output.WriteInteger(set?.Count ?? 0);
                    break;
                default:
                    // SMEMBERS answers a set (~ in RESP3).
                    output.WriteSetHeader((int)(set?.Count ?? 0), context.Resp3);
                    if (set is null)
                    {
                        break;
                    }

                    foreach (var member in set)
                    {
                        WriteMember(output, member);
                    }

                    break;
            }
        }
    }

    private readonly struct ScanSet(CommandContext context, long cursor) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not SetObject set)
            {
                context.Client.KeyspaceMisses++;
                ScanOptions.WriteEmpty(output);
                return;
            }

            context.Client.KeyspaceHits++;
            if (!ScanOptions.TryParse(context, 3, allowType: false, out var options))
            {
                return;
            }

            var members = RentMembers();
            try
            {
                var next = set.Scan(cursor, (int)Math.Min(options.Count, int.MaxValue / 10), options.Pattern, members);
                ScanOptions.WriteHeader(output, next);
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
