using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>SLOWLOG GET [count] | LEN | RESET | HELP over <see cref="SlowLog"/>, with Redis 7's replies.</summary>
internal static class SlowLogCommands
{
    private static readonly string[] HelpLines =
    [
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
    ];

    public static CommandDefinition Definition { get; } = new(
        "slowlog", -2, None, 0, 0, 0, Subcommands.Dispatch, "server", "A container for slow log commands.", "2.2.12")
    {
        Subcommands =
        [
            Sub("slowlog|get", -2, Get, "Returns the slow log's entries.") with { Tips = ["request_policy:all_nodes", "nondeterministic_output"] },
            Sub("slowlog|len", 2, Len, "Returns the number of entries in the slow log.") with { Tips = ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"] },
            Sub("slowlog|reset", 2, Reset, "Clears all entries from the slow log.") with { Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"] },
            new("slowlog|help", 2, Loading | Stale, 0, 0, 0, Help, "server", "Show helpful text about the different subcommands", "6.2.0"),
        ],
    };

    private static CommandDefinition Sub(string name, int arity, CommandHandler handler, string summary) =>
        new(name, arity, Admin | Loading | Stale, 0, 0, 0, handler, "server", summary, "2.2.12");

    /// <summary>Newest first: [id, unix time, microseconds, [arguments], "ip:port", name] per entry.</summary>
    private static void Get(CommandContext context)
    {
        if (context.ArgumentCount > 3)
        {
            context.WriteError($"ERR unknown subcommand or wrong number of arguments for '{ErrorMessages.Printable(context.Request.GetString(1))}'. Try SLOWLOG HELP.");
            return;
        }

        long count = 10;
        if (context.ArgumentCount == 3 && (!context.TryGetInt64(2, out count) || count < -1))
        {
            context.WriteError("ERR count should be greater than or equal to -1");
            return;
        }

        var entries = context.Server.Statistics.SlowLog.Newest(count);
        var output = context.Output;
        output.WriteArrayHeader(entries.Count);
        foreach (var entry in entries)
        {
            output.WriteArrayHeader(6);
            output.WriteInteger(entry.Id);
            output.WriteInteger(entry.UnixSeconds);
            output.WriteInteger(entry.Microseconds);
            output.WriteArrayHeader(entry.Arguments.Length);
            foreach (var argument in entry.Arguments)
            {
                output.WriteBulkString(argument);
            }

            output.WriteBulkString(entry.ClientAddress);
            output.WriteBulkString(entry.ClientName);
        }
    }

    private static void Len(CommandContext context) => context.Output.WriteInteger(context.Server.Statistics.SlowLog.Count);

    private static void Reset(CommandContext context)
    {
        context.Server.Statistics.SlowLog.Reset();
        context.Output.WriteOk();
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "SLOWLOG", HelpLines);
}
