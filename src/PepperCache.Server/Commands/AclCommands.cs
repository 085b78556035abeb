using System.Security.Cryptography;
using PepperCache.Protocol;
using PepperCache.Server.Acl;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// ACL and its subcommands, as Redis 7.0 answers them (the users themselves are in <see cref="AclState"/>; the
/// users' own commands SETUSER, GETUSER, DELUSER, LIST, USERS are in AclCommands.Users.cs).
/// </summary>
internal static partial class AclCommands
{
    private const int GenPassMaxBits = 4096;

    private static readonly string[] HelpLines =
    [
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
    ];

    public static CommandDefinition Definition { get; } = new(
        "acl", -2, None, 0, 0, 0, Subcommands.Dispatch, "server", "A container for Access List Control commands.", "6.0.0")
    {
        Subcommands =
        [
            Sub("acl|cat", -2, NoScript, Cat, "Lists the ACL categories, or the commands inside a category."),
            Sub("acl|deluser", -3, Admin | NoScript, DelUser, "Deletes ACL users, and terminates their connections."),
            Sub("acl|dryrun", -4, Admin | NoScript, DryRun, "Simulates the execution of a command by a user, without executing the command.", "7.0.0"),
            Sub("acl|genpass", -2, NoScript, GenPass, "Generates a pseudorandom, secure password that can be used to identify ACL users."),
            Sub("acl|getuser", 3, Admin | NoScript, GetUser, "Lists the ACL rules of a user."),
            Sub("acl|list", 2, Admin | NoScript, List, "Dumps the effective rules in ACL file format."),
            Sub("acl|load", 2, Admin | NoScript, Load, "Reloads the rules from the configured ACL file."),
            Sub("acl|log", -2, Admin | NoScript, Log, "Lists recent security events generated due to ACL rules."),
            Sub("acl|save", 2, Admin | NoScript, Save, "Saves the effective ACL rules in the configured ACL file."),
            Sub("acl|setuser", -3, Admin | NoScript, SetUser, "Creates and modifies an ACL user and its rules."),
            Sub("acl|users", 2, Admin | NoScript, Users, "Lists all ACL users."),
            Sub("acl|whoami", 2, NoScript, WhoAmI, "Returns the authenticated username of the current connection."),
            Sub("acl|help", 2, None, Help, "Returns helpful text about the different subcommands."),
        ],
    };

    private static ReadOnlySpan<byte> NoAclFile =>
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."u8;

    private static CommandDefinition Sub(string name, int arity, CommandFlags flags, CommandHandler handler, string summary, string since = "6.0.0") =>
        new(name, arity, flags | Loading | Stale, 0, 0, 0, handler, "server", summary, since);

    /// <summary>ACL CAT: the categories in Redis's order; ACL CAT category: the commands and subcommands in it.</summary>
    private static void Cat(CommandContext context)
    {
        if (context.ArgumentCount == 2)
        {
            context.Output.WriteArrayHeader(AclCategories.Names.Length);
            foreach (var name in AclCategories.Names)
            {
                context.Output.WriteBulkString(name);
            }

            return;
        }

        if (context.ArgumentCount > 3)
        {
            WriteSyntaxError(context);
            return;
        }

        var category = AclCategories.Bit(AclText.From(context.Argument(2)));
        if (category == 0)
        {
            var name = AclText.From(context.Argument(2));
            context.WriteError(AclText.Bytes($"ERR Unknown category '{ErrorMessages.Printable(name)}'"));
            return;
        }

        var names = context.Server.Acl.Commands.All.Where(c => (c.Categories & category) != 0).Select(c => c.Name).ToList();
        context.Output.WriteArrayHeader(names.Count);
        foreach (var name in names)
        {
            context.Output.WriteBulkString(name);
        }
    }

    /// <summary>ACL GENPASS [bits]: random hex, 4 bits per character, 256 bits by default.</summary>
    private static void GenPass(CommandContext context)
    {
        long bits = 256;
        if (context.ArgumentCount > 3)
        {
            WriteSyntaxError(context);
            return;
        }

        if (context.ArgumentCount == 3 && !context.TryGetInt64OrReply(2, out bits))
        {
            return;
        }

        if (bits is <= 0 or > GenPassMaxBits)
        {
            context.WriteError($"ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to {GenPassMaxBits}");
            return;
        }

        var characters = (int)((bits + 3) / 4);
        var random = RandomNumberGenerator.GetBytes((characters + 1) / 2);
        context.Output.WriteBulkString(Convert.ToHexStringLower(random)[..characters]);
    }

    /// <summary>ACL WHOAMI: the connection's user (nil for a session that has none, as Redis's internal clients).</summary>
    private static void WhoAmI(CommandContext context)
    {
        if (context.Client.User is { } user)
        {
            context.Output.WriteBulkString(AclText.Bytes(user.Name));
        }
        else
        {
            context.Output.WriteNull(context.Resp3);
        }
    }

    /// <summary>
    /// ACL DRYRUN user command [arg ...]: whether the user could run it, checked exactly as the dispatcher checks,
    /// without running it or logging. A refusal is a bulk string (not an error), as Redis 7.0 answers.
    /// </summary>
    private static void DryRun(CommandContext context)
    {
        var acl = context.Server.Acl;
        var name = AclText.From(context.Argument(2));
        if (acl.Find(name) is not { } user)
        {
            context.WriteError(AclText.Bytes($"ERR User '{ErrorMessages.OneLine(name)}' not found"));
            return;
        }

        var arguments = new ArgumentView(context.Request, 3);
        CommandDefinition? command = null;
        if (context.Server.Commands.TryGet(arguments[0], out var found))
        {
            command = found.Subcommands.Count > 0 && arguments.Count > 1 ? Subcommands.Find(found, arguments[1]) : found;
        }

        if (command is null)
        {
            context.WriteError(AclText.Bytes($"ERR Command '{ErrorMessages.OneLine(AclText.From(arguments[0]))}' not found"));
            return;
        }

        if (!command.AcceptsArgumentCount(arguments.Count))
        {
            context.WriteError(ErrorMessages.WrongArgumentCount(command.Name));
            return;
        }

        switch (AclCheck.Check(user.Rules, command, arguments, out var index))
        {
            case AclVerdict.Allowed:
                context.Output.WriteOk();
                break;
            case AclVerdict.DeniedCommand:
                context.Output.WriteBulkString($"This user has no permissions to run the '{command.Name}' command");
                break;
            default:
                context.Output.WriteBulkString(AclText.Bytes($"This user has no permissions to access the '{AclText.From(arguments[index])}' key"));
                break;
        }
    }

    /// <summary>ACL LOG [count | RESET]: the newest entries first, 10 by default, each as Redis's 7-field map.</summary>
    private static void Log(CommandContext context)
    {
        var log = context.Server.Acl.Log;
        long count = 10;
        if (context.ArgumentCount > 3)
        {
            WriteSyntaxError(context);
            return;
        }

        if (context.ArgumentCount == 3)
        {
            if (context.ArgumentIs(2, "RESET"u8))
            {
                log.Reset();
                context.Output.WriteOk();
                return;
            }

            if (!context.TryGetInt64OrReply(2, out count))
            {
                return;
            }
        }

        var entries = log.Newest(Math.Max(0, count));
        var now = context.Store.Now;
        var output = context.Output;
        output.WriteArrayHeader(entries.Count);
        foreach (var (entry, times, time, clientInfo) in entries)
        {
            output.WriteMapHeader(7, context.Resp3);
            output.WriteBulkString("count"u8);
            output.WriteInteger(times);
            output.WriteBulkString("reason"u8);
            output.WriteBulkString(entry.ReasonName);
            output.WriteBulkString("context"u8);
            output.WriteBulkString(entry.Context);
            output.WriteBulkString("object"u8);
            output.WriteBulkString(AclText.Bytes(entry.Object));
            output.WriteBulkString("username"u8);
            output.WriteBulkString(AclText.Bytes(entry.Username));
            output.WriteBulkString("age-seconds"u8);
            // Redis's addReplyDouble: printf's %.17g, a bulk string in RESP2.
            output.WriteDouble(System.Text.Encoding.ASCII.GetBytes(((now - time) / 1000.0).ToString("G17", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant()), context.Resp3);
            output.WriteBulkString("client-info"u8);
            output.WriteBulkString(clientInfo);
        }
    }

    private static void Load(CommandContext context)
    {
        var acl = context.Server.Acl;
        if (acl.AclFile.Length == 0)
        {
            context.WriteError(NoAclFile);
        }
        else if (acl.LoadFile(context.Client) is { } errors)
        {
            context.WriteError(AclText.Bytes("ERR " + errors));
        }
        else
        {
            context.Output.WriteOk();
        }
    }

    private static void Save(CommandContext context)
    {
        var acl = context.Server.Acl;
        if (acl.AclFile.Length == 0)
        {
            context.WriteError(NoAclFile);
        }
        else if (!acl.SaveFile())
        {
            context.WriteError("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
        }
        else
        {
            context.Output.WriteOk();
        }
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "ACL", HelpLines);

    /// <summary>Redis's addReplySubcommandSyntaxError, for a subcommand given more arguments than it takes.</summary>
    private static void WriteSyntaxError(CommandContext context) => context.WriteError(
        $"ERR unknown subcommand or wrong number of arguments for '{ErrorMessages.Printable(context.Request.GetString(1))}'. Try ACL HELP.");
}
