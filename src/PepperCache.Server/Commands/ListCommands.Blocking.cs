using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// The blocking pops: each runs as its non-blocking form and, finding nothing, blocks its connection on its keys
// (BlockingRegistry). Woken, it runs again from the start: the arguments are checked again (they have not changed),
// then the block's outcome is taken: a timeout answers nil, CLIENT UNBLOCK ERROR the UNBLOCKED error, a wake-up tries
// the pop again and blocks again, with its first deadline, when another client was faster.
internal static partial class ListCommands
{
    public static void BLPop(CommandContext context) => BlockingPop(context, head: true);

    public static void BRPop(CommandContext context) => BlockingPop(context, head: false);

    /// <summary>BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: the ends first, then the timeout.</summary>
    public static void BLMove(CommandContext context)
    {
        if (TryGetEnd(context, 3, out var fromHead) && TryGetEnd(context, 4, out var toHead) && TryGetTimeout(context, 5, out var timeout))
        {
            BlockingMove(context, fromHead, toHead, timeout);
        }
    }

    public static void BRPopLPush(CommandContext context)
    {
        if (TryGetTimeout(context, 3, out var timeout))
        {
            BlockingMove(context, fromHead: false, toHead: true, timeout);
        }
    }

    /// <summary>BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the timeout is checked last, as Redis does.</summary>
    public static void BLMPop(CommandContext context)
    {
        if (!TryParseMPop(context, 2, out var keyCount, out var head, out var count) || !TryGetTimeout(context, 1, out var timeout)
            || !TryResume(context, out var resumed) || TryPopFirst(context, 3, 2 + keyCount, head, count))
        {
            return;
        }

        Block(context, 3, 2 + keyCount, timeout, resumed);
    }

    /// <summary>BLPOP/BRPOP key [key ...] timeout: the timeout first.</summary>
    private static void BlockingPop(CommandContext context, bool head)
    {
        var last = context.ArgumentCount - 2;
        if (!TryGetTimeout(context, last + 1, out var timeout) || !TryResume(context, out var resumed) || TryPopFirst(context, 1, last, head, -1))
        {
            return;
        }

        Block(context, 1, last, timeout, resumed);
    }

    /// <summary>BLMOVE and BRPOPLPUSH wait on the source only, as in Redis.</summary>
    private static void BlockingMove(CommandContext context, bool fromHead, bool toHead, long timeout)
    {
        if (!TryResume(context, out var resumed) || TryMove(context, fromHead, toHead))
        {
            return;
        }

        Block(context, 1, 1, timeout, resumed);
    }

    /// <summary>Redis's getTimeoutFromObjectOrReply in seconds: milliseconds, 0 for forever.</summary>
    private static bool TryGetTimeout(CommandContext context, int index, out long milliseconds)
    {
        switch (BlockingTimeout.TryParseSeconds(context.Argument(index), out milliseconds))
        {
            case BlockingTimeoutParse.Ok:
                return true;
            case BlockingTimeoutParse.Negative:
                context.WriteError("ERR timeout is negative");
                return false;
            default:
                context.WriteError("ERR timeout is not a float or out of range");
                return false;
        }
    }

    /// <summary>
    /// When this run is the blocked command run again, how its block ended: false when that answered it (a timeout
    /// answers nil, CLIENT UNBLOCK ERROR its error, a closed client nothing); <paramref name="resumed"/> when it was woken.
    /// </summary>
    private static bool TryResume(CommandContext context, out bool resumed)
    {
        resumed = false;
        switch (context.Client.Blocking?.TakeOutcome() ?? BlockOutcome.None)
        {
            case BlockOutcome.None:
                return true;
            case BlockOutcome.Woken:
                resumed = true;
                return true;
            case BlockOutcome.TimedOut:
                context.Output.WriteNullArray();
                return false;
            case BlockOutcome.Error:
                context.WriteError("UNBLOCKED client unblocked via CLIENT UNBLOCK");
                return false;
            default:
                return false;
        }
    }

    /// <summary>Blocks on keys <paramref name="first"/>..<paramref name="last"/>; a woken client keeps its deadline and its place at the front.</summary>
    private static void Block(CommandContext context, int first, int last, long timeout, bool resumed)
    {
        var now = context.Store.Now;
        long deadline;
        if (resumed)
        {
            deadline = context.Client.Blocking!.Deadline;
            if (deadline != 0 && deadline <= now)
            {
                context.Output.WriteNullArray();
                return;
            }
        }
        else
        {
            // A deadline past the clock's range waits forever.
            deadline = timeout == 0 || timeout > long.MaxValue - now ? 0 : now + timeout;
        }

        context.Server.Blocking.Block(context, first, last, deadline, front: resumed);
    }
}
