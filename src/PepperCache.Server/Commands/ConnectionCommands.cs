using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>Connection commands: PING, ECHO, QUIT, SELECT, HELLO, CLIENT.</summary>
internal static class ConnectionCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("ping", -1, Fast | Stale | Loading, 0, 0, 0, Ping, "connection", "Returns the server's liveliness response."),
        new("echo", 2, Fast | Stale | Loading, 0, 0, 0, Echo, "connection", "Returns the given string."),
        new("quit", -1, Fast | Stale | Loading | NoAuth | AllowBusy, 0, 0, 0, Quit, "connection", "Closes the connection."),
        new("select", 2, Fast | Stale | Loading, 0, 0, 0, Select, "connection", "Changes the selected database.", "1.0.0"),
    ];

    public static void Ping(CommandContext context)
    {
        switch (context.ArgumentCount)
        {
            case 1:
                context.Output.WriteRaw(RespConstants.Pong);
                break;
            case 2:
                context.Output.WriteBulkString(context.Argument(1));
                break;
            default:
                context.WriteWrongArgumentCount();
                break;
        }
    }

    public static void Echo(CommandContext context) => context.Output.WriteBulkString(context.Argument(1));

    public static void Quit(CommandContext context)
    {
        context.Output.WriteOk();
        context.Client.CloseAfterReply = true;
    }

    /// <summary>One database: index 0 is accepted, any other is out of range (as Redis Cluster).</summary>
    public static void Select(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(1, out var index))
        {
            return;
        }

        if (index == 0)
        {
            context.Output.WriteOk();
        }
        else
        {
            context.WriteError(ErrorMessages.DbIndexOutOfRange);
        }
    }
}
