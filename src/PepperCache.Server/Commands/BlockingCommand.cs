using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>
/// What every blocking command (the list pops and moves, the sorted-set pops) shares: Redis's timeout argument, the
/// outcome of a block when the command runs again, and blocking on its keys. A blocking command runs as its
/// non-blocking form and, finding nothing, blocks its connection on its keys (<see cref="BlockingRegistry"/>). Woken,
/// it runs again from the start: the arguments are checked again (they have not changed), then the block's outcome is
/// taken: a timeout answers nil, CLIENT UNBLOCK ERROR the UNBLOCKED error, a wake-up tries the pop again and blocks
/// again, with its first deadline, when another client was faster.
/// </summary>
internal static class BlockingCommand
{
    /// <summary>Redis's getTimeoutFromObjectOrReply in seconds: milliseconds, 0 for forever.</summary>
    public static bool TryGetTimeout(CommandContext context, int index, out long milliseconds)
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
    public static bool TryResume(CommandContext context, out bool resumed)
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
                context.Output.WriteNullArray(context.Resp3);
                return false;
            case BlockOutcome.Error:
                context.WriteError("UNBLOCKED client unblocked via CLIENT UNBLOCK");
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Blocks on keys <paramref name="first"/>..<paramref name="last"/> until one holds a <paramref name="type"/>; a
    /// woken client keeps its deadline and its place at the front.
    /// </summary>
    public static void Block(CommandContext context, int first, int last, long timeout, bool resumed, DataType type)
    {
        var now = context.Store.Now;
        long deadline;
        if (resumed)
        {
            deadline = context.Client.Blocking!.Deadline;
            if (deadline != 0 && deadline <= now)
            {
                context.Output.WriteNullArray(context.Resp3);
                return;
            }
        }
        else
        {
            // A deadline past the clock's range waits forever.
            deadline = timeout == 0 || timeout > long.MaxValue - now ? 0 : now + timeout;
        }

        context.Server.Blocking.Block(context, first, last, deadline, front: resumed, type);
    }
}
