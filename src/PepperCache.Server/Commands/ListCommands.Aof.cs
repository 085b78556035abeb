using PepperCache.Protocol;
using PepperCache.Server.Persistence;

namespace PepperCache.Server.Commands;

// The records pops are logged as: by their effect, never as the blocking command that waited for them.
internal static partial class ListCommands
{
    /// <summary>LPOP/RPOP key, or LPOP/RPOP key count when a count was asked for (LMPOP, BLMPOP).</summary>
    private static void LogPop(AofFeed feed, bool head, ReadOnlySpan<byte> key, long count = -1)
    {
        if (feed.Target is not { } target)
        {
            return;
        }

        var name = head ? "LPOP"u8 : "RPOP"u8;
        if (count < 0)
        {
            AofRecords.WriteCommand(target, name, key);
            return;
        }

        target.WriteArrayHeader(3);
        target.WriteBulkString(name);
        target.WriteBulkString(key);
        target.WriteBulkString(count);
    }

    /// <summary>LMOVE source destination LEFT|RIGHT LEFT|RIGHT (what BLMOVE, BRPOPLPUSH and RPOPLPUSH did).</summary>
    private static void LogMove(AofFeed feed, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fromHead, bool toHead)
    {
        if (feed.Target is not { } target)
        {
            return;
        }

        target.WriteArrayHeader(5);
        target.WriteBulkString("LMOVE"u8);
        target.WriteBulkString(source);
        target.WriteBulkString(destination);
        target.WriteBulkString(fromHead ? "LEFT"u8 : "RIGHT"u8);
        target.WriteBulkString(toHead ? "LEFT"u8 : "RIGHT"u8);
    }
}
