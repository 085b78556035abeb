using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Acl;
using PepperCache.Server.Cluster;
using PepperCache.Server.Commands;

namespace PepperCache.Server.Resp;

/// <summary>
/// Runs one parsed command: finds it in the table, checks arity, and calls its handler. The single place where
/// cross-cutting checks happen for every command: arity, authentication and ACL permissions (<see cref="AclGate"/>),
/// slot freezes during a migration (<see cref="SlotFreeze"/>),
/// cluster routing (<see cref="SlotRouting"/>: MOVED and CROSSSLOT once the cluster has two members), and AOF
/// logging of write commands.
/// </summary>
internal sealed class CommandDispatcher(CommandTable table, ClusterState? cluster = null)
{
    public CommandTable Table { get; } = table;

    /// <summary>Membership and slot ownership; null only in tests that build a dispatcher without a node.</summary>
    public ClusterState? Cluster { get; } = cluster;

    public void Execute(CommandContext context)
    {
        var request = context.Request;
        var client = context.Client;
        client.CommandsProcessed++;
        if (!Table.TryGet(request.Name, out var command))
        {
            context.Output.WriteError(UnknownCommand(request));
            return;
        }

        context.Command = command;
        client.LastCommand = command.Name;
        if (!command.AcceptsArgumentCount(request.Count))
        {
            context.Output.WriteError(ErrorMessages.WrongArgumentCount(command.Name));
            return;
        }

        // Authentication and permissions first, as Redis: before slot routing, freezes and memory limits.
        if (!client.Authenticated && context.Server.Acl.AuthRequired && !AclGate.AdmitUnauthenticated(context, command))
        {
            return;
        }

        if (client.User is { } user && user.Rules is { PermitsAll: false } rules && !AclGate.Admit(context, command, rules))
        {
            return;
        }

        if (command.HasKeys && !SlotFreeze.Admit(context, command))
        {
            // Not run yet: it is counted when it is dispatched again, after the move (ASKING still applies then).
            client.CommandsProcessed--;
            return;
        }

        if (command.HasKeys && Cluster?.Snapshot is { Routing: true } snapshot && !SlotRouting.Allows(context, command, snapshot))
        {
            client.Asking = false;
            return;
        }

        if (context.Store.IsOverMemoryLimit && !MemoryGuard.Admit(context, command))
        {
            return;
        }

        if (command.IsWrite && context.Aof.Log.IsRecording)
        {
            context.Aof.Log.Execute(command, context);
        }
        else
        {
            Run(command, context);
        }

        // ASKING lasts for the one command after it, as in Redis.
        client.Asking = ReferenceEquals(command, ClusterCommands.Asking);
    }

    /// <summary>
    /// Calls the handler. A store operation that meets a key of another type throws before it changes anything;
    /// that becomes the WRONGTYPE reply here, for every command at once.
    /// </summary>
    internal static void Run(CommandDefinition command, CommandContext context)
    {
        try
        {
            command.Handler(context);
        }
        catch (WrongTypeException)
        {
            context.Output.WriteError(ErrorMessages.WrongType);
        }
    }

    /// <summary>Redis's wording: the name and the first arguments, each cut to 128 characters.</summary>
    internal static string UnknownCommand(RespRequest request)
    {
        var text = new StringBuilder("ERR unknown command '")
            .Append(Printable(request, 0))
            .Append("', with args beginning with: ");
        for (var i = 1; i < request.Count && text.Length < 256; i++)
        {
            text.Append('\'').Append(Printable(request, i)).Append("' ");
        }

        return text.ToString();
    }

    private static string Printable(RespRequest request, int index)
    {
        var arg = request[index];
        if (arg.Length > 128)
        {
            arg = arg[..128];
        }

        // Error lines cannot carry CR or LF; Redis replaces them with spaces.
        var text = Encoding.UTF8.GetString(arg);
        return text.Replace('\r', ' ').Replace('\n', ' ');
    }
}
