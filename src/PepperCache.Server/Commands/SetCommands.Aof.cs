using PepperCache.Core.Types;
using PepperCache.Server.Persistence;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Set commands whose log record is their effect rather than the request: SPOP (the SREM of what it took) and SMOVE.
internal static partial class SetCommands
{
    /// <summary>SPOP of one member, logged as Redis propagates it: SREM key member.</summary>
    private static void LogRemoved(CommandContext context, ReadOnlySpan<byte> key, SetMember member)
    {
        if (context.Aof.Target is { } target)
        {
            Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
            target.WriteArrayHeader(3);
            target.WriteBulkString("SREM"u8);
            target.WriteBulkString(key);
            target.WriteBulkString(member.Format(text));
        }
    }

    /// <summary>SPOP with a count: SREM key member ..., at most RestoreItemsPerCommand members a record.</summary>
    private static void LogRemoved(CommandContext context, ReadOnlySpan<byte> key, List<SetMember> members)
    {
        if (context.Aof.Target is not { } target)
        {
            return;
        }

        Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
        for (var start = 0; start < members.Count; start += Core.Storage.StoreObject.RestoreItemsPerCommand)
        {
            var chunk = Math.Min(members.Count - start, Core.Storage.StoreObject.RestoreItemsPerCommand);
            target.WriteArrayHeader(2 + chunk);
            target.WriteBulkString("SREM"u8);
            target.WriteBulkString(key);
            for (var i = start; i < start + chunk; i++)
            {
                target.WriteBulkString(members[i].Format(text));
            }
        }
    }

    /// <summary>
    /// SMOVE as what it did: SREM from the source, then SADD to the destination (after DEL when it created it), so
    /// replay never meets a destination that had expired at run time.
    /// </summary>
    private static void LogMove(CommandContext context, bool destinationCreated)
    {
        if (context.Aof.Target is not { } target)
        {
            return;
        }

        AofRecords.WriteCommand(target, "SREM"u8, context.Argument(1), context.Argument(3));
        if (destinationCreated)
        {
            context.Aof.Created(context.Argument(2));
        }

        AofRecords.WriteCommand(target, "SADD"u8, context.Argument(2), context.Argument(3));
    }
}
