using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>Server commands: DBSIZE, FLUSHDB, FLUSHALL, TIME, INFO, CONFIG, COMMAND.</summary>
internal static class ServerCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("dbsize", 1, ReadOnly | Fast, 0, 0, 0, DbSize, "server", "Returns the number of keys in the database."),
        new("flushdb", -1, Write, 0, 0, 0, Flush, "server", "Removes all keys from the current database."),
        new("flushall", -1, Write, 0, 0, 0, Flush, "server", "Removes all keys from all databases."),
    ];

    public static void DbSize(CommandContext context) => context.Output.WriteInteger(context.Store.Count);

    /// <summary>FLUSHDB / FLUSHALL [ASYNC|SYNC]: one database, so both clear everything.</summary>
    public static void Flush(CommandContext context)
    {
        if (context.ArgumentCount > 2 ||
            (context.ArgumentCount == 2 && !context.ArgumentIs(1, "ASYNC"u8) && !context.ArgumentIs(1, "SYNC"u8)))
        {
            context.WriteSyntaxError();
            return;
        }

        context.Store.Clear();
        context.Output.WriteOk();
    }
}
