using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// DEBUG, refused as Redis 7.0 refuses it under its default <c>enable-debug-command no</c>, which PepperCache keeps
/// (CONFIG GET shows it, read-only as in Redis): no DEBUG subcommand is implemented.
/// </summary>
internal static class DebugCommand
{
    public static CommandDefinition Definition { get; } =
        new("debug", -2, Admin | NoScript | Loading | Stale, 0, 0, 0, Debug, "server", "A container for debugging commands.", "1.0.0")
        {
            Protected = true,
        };

    /// <summary>A rejected call, as Redis's rejectCommand counts it (commandstats rejected_calls, not calls).</summary>
    private static void Debug(CommandContext context)
    {
        context.Rejected = true;
        context.Client.Counters.For(context.Command).Rejected++;
        context.WriteError("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."u8);
    }
}
