using PepperCache.Core.Storage;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// BZPOPMIN, BZPOPMAX, BZMPOP (Redis's blockingGenericZpopCommand): the non-blocking pop of the first key that holds a
// sorted set, else a block on every key until one does (BlockingCommand, as the list pops). Logged by effect, as
// ZPOPMIN/ZPOPMAX key n of what was popped, never as the blocking command.
internal static partial class SortedSetCommands
{
    public static void BZPopMin(CommandContext context) => BlockingPopMinMax(context, max: false);

    public static void BZPopMax(CommandContext context) => BlockingPopMinMax(context, max: true);

    /// <summary>BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the timeout is checked last, as Redis does.</summary>
    public static void BZMPop(CommandContext context)
    {
        if (!TryParseMPop(context, 2, out var keys, out var max, out var count)
            || !BlockingCommand.TryGetTimeout(context, 1, out var timeout)
            || !BlockingCommand.TryResume(context, out var resumed)
            || TryPopFirst(context, 3, 2 + keys, max, count, PopReply.Nested))
        {
            return;
        }

        BlockingCommand.Block(context, 3, 2 + keys, timeout, resumed, DataType.SortedSet);
    }

    /// <summary>BZPOPMIN/BZPOPMAX key [key ...] timeout: the timeout first; one member, answered with its key.</summary>
    private static void BlockingPopMinMax(CommandContext context, bool max)
    {
        var last = context.ArgumentCount - 2;
        if (!BlockingCommand.TryGetTimeout(context, last + 1, out var timeout)
            || !BlockingCommand.TryResume(context, out var resumed)
            || TryPopFirst(context, 1, last, max, 1, PopReply.Keyed))
        {
            return;
        }

        BlockingCommand.Block(context, 1, last, timeout, resumed, DataType.SortedSet);
    }
}
