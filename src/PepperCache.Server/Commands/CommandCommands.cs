using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// COMMAND and its subcommands (COUNT, INFO, LIST, DOCS, GETKEYS, HELP), all generated from the command table in
/// Redis 7's reply shapes, so clients that discover commands (redis-cli hints, cluster-aware clients) see exactly
/// what this node runs.
/// </summary>
internal static class CommandCommands
{
    private static readonly string[] HelpLines =
    [
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    ];

    /// <summary>Flag names in Redis's output order.</summary>
    private static readonly (CommandFlags Flag, string Name)[] FlagNames =
    [
        (Write, "write"), (ReadOnly, "readonly"), (DenyOom, "denyoom"), (Admin, "admin"), (NoScript, "noscript"),
        (Blocking, "blocking"), (Loading, "loading"), (Stale, "stale"), (Fast, "fast"), (NoAuth, "no_auth"),
        (NoAsyncLoading, "no_async_loading"), (NoMulti, "no_multi"), (AllowBusy, "allow_busy"),
    ];

    /// <summary>ACL categories in Redis's output order.</summary>
    private static readonly string[] CategoryOrder =
    [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ];

    public static CommandDefinition Definition { get; } = new(
        "command", -1, Loading | Stale, 0, 0, 0, Command, "server", "Returns detailed information about all commands.", "2.8.13")
    {
        AclCategories = ["connection"],
        Tips = ["nondeterministic_output_order"],
        Subcommands =
        [
            Sub("command|count", 2, Count, "Returns a count of commands.", "2.8.13"),
            Sub("command|info", -2, Info, "Returns information about one, multiple or all commands.", "2.8.13") with { Tips = ["nondeterministic_output_order"] },
            Sub("command|list", -2, List, "Returns a list of command names.", "7.0.0") with { Tips = ["nondeterministic_output_order"] },
            Sub("command|docs", -2, CommandDocs.Docs, "Returns documentary information about one, multiple or all commands.", "7.0.0") with { Tips = ["nondeterministic_output_order"] },
            Sub("command|getkeys", -4, GetKeys, "Extracts the key names from an arbitrary command.", "2.8.13"),
            Sub("command|getkeysandflags", -4, GetKeysAndFlags, "Extracts the key names and access flags for an arbitrary command.", "7.0.0"),
            Sub("command|help", 2, Help, "Returns helpful text about the different subcommands.", "5.0.0"),
        ],
    };

    /// <summary>COMMAND alone lists every command; with a subcommand name it dispatches.</summary>
    public static void Command(CommandContext context)
    {
        if (context.ArgumentCount > 1)
        {
            Subcommands.Dispatch(context);
        }
        else
        {
            WriteAll(context);
        }
    }

    private static void WriteAll(CommandContext context)
    {
        var all = context.Server.Commands.All.ToList();
        context.Output.WriteArrayHeader(all.Count);
        foreach (var command in all)
        {
            WriteInfo(context, command);
        }
    }

    /// <summary>A top-level command, or a subcommand by its full name ("config|get"), case-insensitively.</summary>
    public static CommandDefinition? Find(CommandTable table, string name)
    {
        var bar = name.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return table.TryGet(name, out var command) ? command : null;
        }

        if (!table.TryGet(name[..bar], out var parent))
        {
            return null;
        }

        return parent.Subcommands.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every command and subcommand, parents first.</summary>
    public static IEnumerable<CommandDefinition> WithSubcommands(CommandTable table) =>
        table.All.SelectMany(c => c.Subcommands.Prepend(c));

    /// <summary>The ACL categories (without "@") the flags and group imply, plus the definition's own, in Redis's order.</summary>
    public static IEnumerable<string> Categories(CommandDefinition command)
    {
        var categories = new HashSet<string>(command.AclCategories, StringComparer.Ordinal);
        // As Redis: a container (CLIENT, OBJECT) takes no category from its group; its subcommands do.
        if (command.Subcommands.Count == 0 && command.TakesGroupCategory && GroupCategory(command.Group) is { } group)
        {
            categories.Add(group);
        }

        if ((command.Flags & Write) != 0)
        {
            categories.Add("write");
        }

        if ((command.Flags & ReadOnly) != 0)
        {
            categories.Add("read");
        }

        if ((command.Flags & Admin) != 0)
        {
            categories.Add("admin");
            categories.Add("dangerous");
        }

        if ((command.Flags & Blocking) != 0)
        {
            categories.Add("blocking");
        }

        categories.Add((command.Flags & Fast) != 0 ? "fast" : "slow");
        return CategoryOrder.Where(categories.Contains);
    }

    private static CommandDefinition Sub(string name, int arity, CommandHandler handler, string summary, string since) =>
        new(name, arity, Loading | Stale, 0, 0, 0, handler, "server", summary, since) { AclCategories = ["connection"] };

    private static void Count(CommandContext context) => context.Output.WriteInteger(context.Server.Commands.Count);

    /// <summary>COMMAND INFO [name ...]: one entry per name, a null for an unknown one; no names means all.</summary>
    private static void Info(CommandContext context)
    {
        if (context.ArgumentCount == 2)
        {
            WriteAll(context);
            return;
        }

        context.Output.WriteArrayHeader(context.ArgumentCount - 2);
        for (var i = 2; i < context.ArgumentCount; i++)
        {
            if (Find(context.Server.Commands, context.Request.GetString(i)) is { } command)
            {
                WriteInfo(context, command);
            }
            else
            {
                context.Output.WriteNull(context.Resp3);
            }
        }
    }

    /// <summary>COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: full names, subcommands included.</summary>
    private static void List(CommandContext context)
    {
        Func<CommandDefinition, bool> filter;
        if (context.ArgumentCount == 2)
        {
            filter = _ => true;
        }
        else if (context.ArgumentCount == 5 && context.ArgumentIs(2, "FILTERBY"u8))
        {
            var value = context.Request.GetString(4);
            if (context.ArgumentIs(3, "MODULE"u8))
            {
                // No modules: nothing belongs to one.
                filter = _ => false;
            }
            else if (context.ArgumentIs(3, "ACLCAT"u8))
            {
                filter = c => Categories(c).Contains(value, StringComparer.OrdinalIgnoreCase);
            }
            else if (context.ArgumentIs(3, "PATTERN"u8))
            {
                filter = c => GlobPattern.IsMatch(value, c.Name, ignoreCase: true);
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        var names = WithSubcommands(context.Server.Commands).Where(filter).Select(c => c.Name).ToList();
        context.Output.WriteArrayHeader(names.Count);
        foreach (var name in names)
        {
            context.Output.WriteBulkString(name);
        }
    }

    /// <summary>COMMAND GETKEYS command [arg ...]: the key positions the definition declares, applied to the arguments.</summary>
    private static void GetKeys(CommandContext context) => WriteKeys(context, withFlags: false);

    /// <summary>
    /// COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its spec's flags; where Redis marks them
    /// <c>variable_flags</c> (SET, BITFIELD), the flags these arguments call for, as its getkeys procedures give them.
    /// </summary>
    private static void GetKeysAndFlags(CommandContext context) => WriteKeys(context, withFlags: true);

    private static void WriteKeys(CommandContext context, bool withFlags)
    {
        var command = Find(context.Server.Commands, context.Request.GetString(2));
        if (command is not null && command.Subcommands.Count > 0)
        {
            command = Subcommands.Find(command, context.Argument(3));
        }

        var count = context.ArgumentCount - 2;
        if (command is null)
        {
            context.WriteError(ErrorMessages.InvalidCommandSpecified);
            return;
        }

        if (!command.HasKeys)
        {
            context.WriteError(ErrorMessages.CommandHasNoKeys);
            return;
        }

        if (!command.AcceptsArgumentCount(count))
        {
            context.WriteError(ErrorMessages.InvalidCommandArgumentCount);
            return;
        }

        var arguments = new ArgumentView(context.Request, 2);
        var keys = 0;
        foreach (var _ in command.Keys(arguments))
        {
            keys++;
        }

        if (keys == 0)
        {
            context.WriteError(ErrorMessages.InvalidCommandArguments);
            return;
        }

        context.Output.WriteArrayHeader(keys);
        var first = true;
        foreach (var (index, spec) in command.Keys(arguments))
        {
            if (!withFlags)
            {
                context.Output.WriteBulkString(arguments[index]);
                continue;
            }

            var flags = spec.Flags ?? KeySpec.DefaultFlags(spec.Access, command.IsWrite);
            if (flags.Contains("variable_flags") && first && command.VariableKeyAccess is { } resolve)
            {
                flags = resolve(arguments) switch
                {
                    KeyAccess.Read => ["RO", "access"],
                    KeyAccess.Write => ["OW", "update"],
                    _ => ["RW", "access", "update"],
                };
            }

            first = false;
            context.Output.WriteArrayHeader(2);
            context.Output.WriteBulkString(arguments[index]);
            context.Output.WriteSetHeader(flags.Count(f => f != "variable_flags"), context.Resp3);
            foreach (var flag in flags)
            {
                if (flag != "variable_flags")
                {
                    context.Output.WriteSimpleString(flag);
                }
            }
        }
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "COMMAND", HelpLines);

    /// <summary>
    /// Redis 7's ten-field command entry: name, arity, flags, first key, last key, step, ACL categories, tips, key
    /// specs, subcommands.
    /// </summary>
    private static void WriteInfo(CommandContext context, CommandDefinition command)
    {
        var output = context.Output;
        var resp3 = context.Resp3;
        output.WriteArrayHeader(10);
        output.WriteBulkString(command.Name);
        output.WriteInteger(command.Arity);
        var flags = FlagNames.Where(f => (command.Flags & f.Flag) != 0).Select(f => f.Name).ToList();
        if (command.HasMovableKeys)
        {
            // Redis lists it after no_multi and before allow_busy.
            var at = flags.IndexOf("allow_busy");
            flags.Insert(at < 0 ? flags.Count : at, "movablekeys");
        }

        output.WriteSetHeader(flags.Count, resp3);
        foreach (var name in flags)
        {
            output.WriteSimpleString(name);
        }

        output.WriteInteger(command.FirstKey);
        output.WriteInteger(command.LastKey);
        output.WriteInteger(command.Step);
        var categories = Categories(command).ToList();
        output.WriteSetHeader(categories.Count, resp3);
        foreach (var category in categories)
        {
            output.WriteSimpleString("@" + category);
        }

        var tips = command.Tips ?? ((command.Flags & CommandFlags.Random) != 0 ? ["nondeterministic_output"] : []);
        output.WriteSetHeader(tips.Count, resp3);
        foreach (var tip in tips)
        {
            output.WriteBulkString(tip);
        }

        WriteKeySpecs(output, command, resp3);
        // A set of entries in RESP3, as Redis's addReplyCommandSubCommands writes them.
        output.WriteSetHeader(command.Subcommands.Count, resp3);
        foreach (var subcommand in command.Subcommands)
        {
            WriteInfo(context, subcommand);
        }
    }

    /// <summary>Each key spec as Redis 7 prints it: flags, begin_search (index or keyword), find_keys (range or keynum).</summary>
    /// <remarks>In RESP3 the specs come as a set of maps, as Redis 7.0's addReplyCommandKeySpecs writes them.</remarks>
    private static void WriteKeySpecs(System.Buffers.IBufferWriter<byte> output, CommandDefinition command, bool resp3)
    {
        output.WriteSetHeader(command.KeySpecs.Length, resp3);
        foreach (var spec in command.KeySpecs)
        {
            var flags = spec.Flags ?? KeySpec.DefaultFlags(spec.Access, command.IsWrite);
            output.WriteMapHeader(spec.Notes is null ? 3 : 4, resp3);
            if (spec.Notes is { } notes)
            {
                output.WriteBulkString("notes"u8);
                output.WriteBulkString(notes);
            }

            output.WriteBulkString("flags"u8);
            output.WriteSetHeader(flags.Count, resp3);
            foreach (var flag in flags)
            {
                output.WriteSimpleString(flag);
            }

            output.WriteBulkString("begin_search"u8);
            output.WriteMapHeader(2, resp3);
            output.WriteBulkString("type"u8);
            if (spec.Finder is not null)
            {
                // As Redis prints an unknown spec: the type, and an empty spec, for both halves.
                output.WriteBulkString("unknown"u8);
                output.WriteBulkString("spec"u8);
                output.WriteMapHeader(0, resp3);
                output.WriteBulkString("find_keys"u8);
                output.WriteMapHeader(2, resp3);
                output.WriteBulkString("type"u8);
                output.WriteBulkString("unknown"u8);
                output.WriteBulkString("spec"u8);
                output.WriteMapHeader(0, resp3);
                continue;
            }

            if (spec.Keyword is { } keyword)
            {
                output.WriteBulkString("keyword"u8);
                output.WriteBulkString("spec"u8);
                output.WriteMapHeader(2, resp3);
                output.WriteBulkString("keyword"u8);
                output.WriteBulkString(keyword);
                output.WriteBulkString("startfrom"u8);
                output.WriteInteger(spec.StartFrom);
            }
            else
            {
                output.WriteBulkString("index"u8);
                output.WriteBulkString("spec"u8);
                output.WriteMapHeader(1, resp3);
                output.WriteBulkString("index"u8);
                output.WriteInteger(spec.Index);
            }

            output.WriteBulkString("find_keys"u8);
            output.WriteMapHeader(2, resp3);
            output.WriteBulkString("type"u8);
            if (spec.IsKeyNum)
            {
                output.WriteBulkString("keynum"u8);
                output.WriteBulkString("spec"u8);
                output.WriteMapHeader(3, resp3);
                output.WriteBulkString("keynumidx"u8);
                output.WriteInteger(spec.KeyNumIndex);
                output.WriteBulkString("firstkey"u8);
                output.WriteInteger(spec.FirstKey);
                output.WriteBulkString("keystep"u8);
                output.WriteInteger(spec.KeyStep);
            }
            else
            {
                output.WriteBulkString("range"u8);
                output.WriteBulkString("spec"u8);
                output.WriteMapHeader(3, resp3);
                output.WriteBulkString("lastkey"u8);
                output.WriteInteger(spec.LastKey);
                output.WriteBulkString("keystep"u8);
                output.WriteInteger(spec.KeyStep);
                output.WriteBulkString("limit"u8);
                output.WriteInteger(spec.Limit);
            }
        }
    }

    private static string? GroupCategory(string group) => group switch
    {
        "generic" => "keyspace",
        "string" or "connection" or "hash" or "list" or "set" or "bitmap" or "hyperloglog" or "geo" or "stream" or "pubsub" or "scripting" => group,
        "sorted-set" => "sortedset",
        "transactions" => "transaction",
        _ => null,
    };
}
