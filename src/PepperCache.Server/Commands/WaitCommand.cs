using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// WAIT numreplicas timeout. The node has no replicas, so no write is ever acknowledged: 0 at once when 0 replicas
/// (or fewer) are asked for; otherwise, as Redis with too few replicas, the client blocks until the timeout (0: for
/// ever) and then answers 0. It blocks as BLPOP does, on no key (<see cref="BlockingRegistry"/>): no thread waits,
/// CLIENT UNBLOCK ends it (TIMEOUT answers 0, ERROR the UNBLOCKED error), and a client that goes away leaves.
/// </summary>
internal static class WaitCommand
{
    public static CommandDefinition Definition { get; } =
        new("wait", 3, NoScript, 0, 0, 0, Wait, "generic", "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", "3.0.0")
        {
            TakesGroupCategory = false,
            AclCategories = ["connection"],
            Tips = ["request_policy:all_shards", "response_policy:agg_min"],
        };

    private static void Wait(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(1, out var replicas) || !ClientCommands.TryGetMilliseconds(context, 2, out var timeout))
        {
            return;
        }

        switch (context.Client.Blocking?.TakeOutcome() ?? BlockOutcome.None)
        {
            case BlockOutcome.None:
                break;
            case BlockOutcome.Error:
                context.WriteError("UNBLOCKED client unblocked via CLIENT UNBLOCK");
                return;
            case BlockOutcome.Closed:
                return;
            default:
                // Timed out (or CLIENT UNBLOCK ... TIMEOUT): the replicas that acknowledged, none.
                context.Output.WriteInteger(0);
                return;
        }

        if (replicas <= 0)
        {
            context.Output.WriteInteger(0);
            return;
        }

        // No keys: arguments 1..0. A deadline past the clock's range waits for ever, as Redis's wrapped one does.
        var now = context.Store.Now;
        var deadline = timeout == 0 || timeout > long.MaxValue - now ? 0 : now + timeout;
        context.Server.Blocking.Block(context, 1, 0, deadline, front: false, DataType.List);
    }
}
