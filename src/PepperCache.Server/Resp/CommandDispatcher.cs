using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;

namespace PepperCache.Server.Resp;

/// <summary>
/// Runs one parsed command: finds it in the table, checks arity, and calls its handler. The single place where
/// cross-cutting checks (arity; slot freezes and redirects in cluster mode; AOF logging as it arrives) happen for every command.
/// </summary>
internal sealed class CommandDispatcher(CommandTable table)
{
    public CommandTable Table { get; } = table;

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

        if (command.HasKeys && context.Server.Cluster is not null && !SlotRouting.Admit(context, command))
        {
            if (context.SlotWait is not null)
            {
                // Not run yet: it is counted when it is dispatched again.
                client.CommandsProcessed--;
            }

            return;
        }

        command.Handler(context);
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
