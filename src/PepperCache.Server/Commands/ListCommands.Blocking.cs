using PepperCache.Core.Storage;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// The blocking list pops and moves, on the machinery every blocking command shares (BlockingCommand).
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

    private static bool TryGetTimeout(CommandContext context, int index, out long timeout) => BlockingCommand.TryGetTimeout(context, index, out timeout);

    private static bool TryResume(CommandContext context, out bool resumed) => BlockingCommand.TryResume(context, out resumed);

    private static void Block(CommandContext context, int first, int last, long timeout, bool resumed) =>
        BlockingCommand.Block(context, first, last, timeout, resumed, DataType.List);
}
