using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// Dispatch for container commands (CLIENT, CONFIG, COMMAND): the parent's handler finds the subcommand named by
/// argument 1 among <see cref="CommandDefinition.Subcommands"/>, checks its own arity and runs its handler, so each
/// subcommand reports errors under its full name (<c>config|get</c>) as Redis does.
/// </summary>
internal static class Subcommands
{
    public static void Dispatch(CommandContext context)
    {
        var parent = context.Command;
        var subcommand = Find(parent, context.Argument(1));
        if (subcommand is null)
        {
            var name = ErrorMessages.Printable(context.Request.GetString(1));
            context.WriteError(ErrorMessages.UnknownSubcommand(name, parent.Name));
            context.Rejected = true;
            return;
        }

        context.Command = subcommand;
        context.Client.LastCommand = subcommand.Name;
        if (!subcommand.AcceptsArgumentCount(context.ArgumentCount))
        {
            context.WriteWrongArgumentCount();
            context.Rejected = true;
            return;
        }

        subcommand.Handler(context);
    }

    /// <summary>The subcommand of <paramref name="parent"/> called <paramref name="name"/> (ASCII case-insensitive).</summary>
    public static CommandDefinition? Find(CommandDefinition parent, ReadOnlySpan<byte> name)
    {
        foreach (var subcommand in parent.Subcommands)
        {
            if (Ascii.EqualsIgnoreCase(name, ShortName(subcommand)))
            {
                return subcommand;
            }
        }

        return null;
    }

    /// <summary>"get" for "config|get".</summary>
    public static string ShortName(CommandDefinition subcommand) => subcommand.Name[(subcommand.Name.IndexOf('|') + 1)..];

    /// <summary>
    /// Redis's HELP reply: a status line per entry, headed by the usage line and closed by HELP's own entry.
    /// <paramref name="lines"/> alternates "SUBCOMMAND args" and its indented description.
    /// </summary>
    public static void WriteHelp(CommandContext context, string command, IReadOnlyList<string> lines)
    {
        var output = context.Output;
        output.WriteArrayHeader(lines.Count + 3);
        output.WriteSimpleString($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (var line in lines)
        {
            output.WriteSimpleString(line);
        }

        output.WriteSimpleString("HELP");
        output.WriteSimpleString("    Prints this help.");
    }
}
