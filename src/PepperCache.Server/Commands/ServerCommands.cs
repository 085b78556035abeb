using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Server commands: DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE, and the families with files of their own: INFO
/// (<see cref="InfoCommand"/>), CONFIG (<see cref="ConfigCommands"/>), COMMAND (<see cref="CommandCommands"/>),
/// ACL (<see cref="AclCommands"/>), SLOWLOG (<see cref="SlowLogCommands"/>), LATENCY (<see cref="LatencyCommands"/>).
/// </summary>
internal static class ServerCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("dbsize", 1, ReadOnly | Fast, 0, 0, 0, DbSize, "server", "Returns the number of keys in the database.")
        {
            AclCategories = ["keyspace"],
            Tips = ["request_policy:all_shards", "response_policy:agg_sum"],
        },
        new("flushdb", -1, Write, 0, 0, 0, Flush, "server", "Removes all keys from the current database.")
        {
            AclCategories = ["keyspace", "dangerous"],
            Tips = ["request_policy:all_shards", "response_policy:all_succeeded"],
        },
        new("flushall", -1, Write, 0, 0, 0, Flush, "server", "Removes all keys from all databases.")
        {
            AclCategories = ["keyspace", "dangerous"],
            Tips = ["request_policy:all_shards", "response_policy:all_succeeded"],
        },
        new("time", 1, Loading | Stale | Fast | CommandFlags.Random, 0, 0, 0, Time, "server", "Returns the server time.", "2.6.0"),
        new("lastsave", 1, Loading | Stale | Fast | CommandFlags.Random, 0, 0, 0, LastSave, "server",
            "Returns the Unix timestamp of the last successful save to disk.")
        {
            AclCategories = ["admin", "dangerous"],
        },
        new("bgrewriteaof", 1, Admin | NoScript | NoAsyncLoading, 0, 0, 0, BgRewriteAof, "server", "Asynchronously rewrites the append-only file to disk.")
        {
            AclCategories = ["dangerous"],
        },
        InfoCommand.Definition,
        ConfigCommands.Definition,
        CommandCommands.Definition,
        AclCommands.Definition,
        SlowLogCommands.Definition,
        LatencyCommands.Definition,
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
        context.Aof.Request(context.Request);
        context.Output.WriteOk();
    }

    /// <summary>BGREWRITEAOF: starts a compaction of appendonly.aof in the background (Redis's replies).</summary>
    public static void BgRewriteAof(CommandContext context)
    {
        var aof = context.Server.Aof;
        if (aof.RewriteInProgress)
        {
            context.WriteError("ERR Background append only file rewriting already in progress");
        }
        else if (!aof.IsRecording)
        {
            context.WriteError("ERR Append only file is disabled (--appendonly no)");
        }
        else if (aof.TryStartRewrite())
        {
            context.Output.WriteSimpleString("Background append only file rewriting started"u8);
        }
        else
        {
            context.WriteError("ERR Background append only file rewriting already in progress");
        }
    }

    /// <summary>TIME: [Unix seconds, microseconds within the second], both as bulk strings.</summary>
    public static void Time(CommandContext context)
    {
        var now = context.Store.TimeProvider.GetUtcNow();
        var microseconds = (now - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        context.Output.WriteArrayHeader(2);
        context.Output.WriteBulkString(microseconds / 1_000_000);
        context.Output.WriteBulkString(microseconds % 1_000_000);
    }

    /// <summary>Nothing is saved yet, so as a Redis that has not saved: the start-up time.</summary>
    public static void LastSave(CommandContext context) => context.Output.WriteInteger(context.Server.StartedAt / 1000);
}
