using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>CONFIG GET, SET, RESETSTAT, REWRITE, HELP over the parameters in <see cref="ConfigParameter.All"/>.</summary>
internal static class ConfigCommands
{
    private static readonly string[] HelpLines =
    [
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
    ];

    public static CommandDefinition Definition { get; } = new(
        "config", -2, None, 0, 0, 0, Subcommands.Dispatch, "server", "A container for server configuration commands.", "2.0.0")
    {
        Subcommands =
        [
            Sub("config|get", -3, Get, "Returns the effective values of configuration parameters."),
            Sub("config|set", -4, Set, "Sets configuration parameters in-flight.") with { Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"] },
            Sub("config|resetstat", 2, ResetStat, "Resets the server's statistics."),
            Sub("config|rewrite", 2, Rewrite, "Persists the effective configuration to file."),
            new("config|help", 2, Loading | Stale, 0, 0, 0, Help, "server", "Returns helpful text about the different subcommands.", "5.0.0"),
        ],
    };

    private static CommandDefinition Sub(string name, int arity, CommandHandler handler, string summary) =>
        new(name, arity, Admin | NoScript | Loading | Stale, 0, 0, 0, handler, "server", summary, "2.0.0");

    /// <summary>
    /// CONFIG GET pattern [pattern ...]: a name without wildcards is looked up exactly (aliases too) and echoed as
    /// typed; a pattern is matched case-insensitively against every name. Each parameter appears once.
    /// </summary>
    private static void Get(CommandContext context)
    {
        var matches = new List<(string Name, ConfigParameter Parameter)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 2; i < context.ArgumentCount; i++)
        {
            var pattern = context.Request.GetString(i);
            if (!GlobPattern.HasWildcards(pattern))
            {
                if (ConfigParameter.Find(pattern) is { } parameter && seen.Add(pattern))
                {
                    matches.Add((pattern, parameter));
                }

                continue;
            }

            foreach (var (name, parameter) in ConfigParameter.AllNames())
            {
                if (GlobPattern.IsMatch(pattern, name, ignoreCase: true) && seen.Add(name))
                {
                    matches.Add((name, parameter));
                }
            }
        }

        context.Output.WriteMapHeader(matches.Count, context.Resp3);
        foreach (var (name, parameter) in matches)
        {
            context.Output.WriteBulkString(name);
            context.Output.WriteBulkString(parameter.Get(context));
        }
    }

    /// <summary>
    /// CONFIG SET name value [name value ...]: all or nothing. Names are checked first (unknown, immutable,
    /// duplicate), then every value, and only then is anything applied, so one bad pair changes nothing.
    /// </summary>
    private static void Set(CommandContext context)
    {
        if (context.ArgumentCount % 2 != 0)
        {
            context.WriteSyntaxError();
            return;
        }

        var pairs = new List<(string Name, ConfigParameter Parameter, string Value)>();
        string? unknown = null;
        string? refusal = null;
        for (var i = 2; i < context.ArgumentCount; i += 2)
        {
            var name = context.Request.GetString(i);
            var parameter = ConfigParameter.Find(name);
            if (parameter is null)
            {
                unknown ??= refusal is null ? name : null;
                continue;
            }

            if (unknown is not null || refusal is not null)
            {
                continue;
            }

            if (parameter.Mutability != ConfigMutability.Mutable)
            {
                var reason = parameter.Mutability == ConfigMutability.Immutable ? "can't set immutable config" : "can't set protected config";
                refusal = ErrorMessages.ConfigSetFailed(name, reason);
            }
            else if (pairs.Exists(p => p.Parameter == parameter))
            {
                refusal = ErrorMessages.ConfigSetFailed(name, "duplicate parameter");
            }
            else
            {
                pairs.Add((name, parameter, context.Request.GetString(i + 1)));
            }
        }

        if (unknown is not null)
        {
            context.WriteError(ErrorMessages.UnknownConfigOption(unknown));
            return;
        }

        if (refusal is not null)
        {
            context.WriteError(refusal);
            return;
        }

        var config = context.Server.Config;
        foreach (var (name, parameter, value) in pairs)
        {
            if (parameter.Set!(config, value, apply: false) is { } reason)
            {
                context.WriteError(ErrorMessages.ConfigSetFailed(name, reason));
                return;
            }
        }

        foreach (var (_, parameter, value) in pairs)
        {
            parameter.Set!(config, value, apply: true);
        }

        context.Output.WriteOk();
    }

    private static void ResetStat(CommandContext context)
    {
        context.Server.Statistics.ResetPoint = StatsSnapshot.Take(context.Server);
        context.Server.Statistics.Errors.Reset();
        context.Server.Statistics.Commands.Reset(context.Server.Clients, context.Server.Commands);
        context.Output.WriteOk();
    }

    /// <summary>Settings come from flags and appsettings.json, not a redis.conf, so there is nothing to rewrite.</summary>
    private static void Rewrite(CommandContext context) => context.WriteError(ErrorMessages.NoConfigFile);

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "CONFIG", HelpLines);
}
