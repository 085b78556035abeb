using PepperCache.Protocol;
using PepperCache.Server.Logging;
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
        new("shutdown", -1, Admin | NoScript | Loading | Stale | NoMulti | AllowBusy, 0, 0, 0, Shutdown, "server",
            "Synchronously saves the database(s) to disk and shuts down the Redis server.")
        {
            AclCategories = ["dangerous"],
        },
        new("monitor", 1, Admin | NoScript | Loading | Stale, 0, 0, 0, Monitor, "server",
            "Listens for all requests received by the server in real-time.", "1.0.0")
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

    /// <summary>
    /// MONITOR: +OK, then every command any connection runs, one line each (<see cref="MonitorRegistry.Feed"/>).
    /// A second MONITOR on the same connection is ignored without a reply, as in Redis.
    /// </summary>
    public static void Monitor(CommandContext context)
    {
        var client = context.Client;
        if (client.Monitor is not null)
        {
            return;
        }

        var stream = new MonitorStream(client, context.Server);
        client.Monitor = stream;
        context.Server.Monitors.Add(stream);
        context.Output.WriteOk();
    }

    /// <summary>RESET leaves MONITOR mode: no more lines are queued; those already queued are still sent.</summary>
    public static void StopMonitoring(CommandContext context)
    {
        if (context.Client.Monitor is { } stream)
        {
            context.Server.Monitors.Remove(stream);
            stream.Detach();
            context.Client.Monitor = null;
        }
    }

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
    /// <summary>
    /// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: stops the node as SIGTERM does (a cluster member hands its slots
    /// over first; the AOF is flushed and fsynced), with no reply: the connection closes, as Redis's does when it
    /// exits, and nothing after it in the pipeline runs. There are no RDB snapshots here: SAVE is met by the AOF when
    /// it is on and refused (unless FORCE) when it is off, as Redis refuses a shutdown whose save fails. Nothing waits
    /// for replicas, so NOW changes nothing and ABORT finds no shutdown to abort.
    /// </summary>
    public static void Shutdown(CommandContext context)
    {
        bool noSave = false, save = false, now = false, force = false, abort = false;
        for (var i = 1; i < context.ArgumentCount; i++)
        {
            if (context.ArgumentIs(i, "NOSAVE"u8))
            {
                noSave = true;
            }
            else if (context.ArgumentIs(i, "SAVE"u8))
            {
                save = true;
            }
            else if (context.ArgumentIs(i, "NOW"u8))
            {
                now = true;
            }
            else if (context.ArgumentIs(i, "FORCE"u8))
            {
                force = true;
            }
            else if (context.ArgumentIs(i, "ABORT"u8))
            {
                abort = true;
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        if ((abort && (noSave || save || now || force)) || (noSave && save))
        {
            context.WriteSyntaxError();
            return;
        }

        if (abort)
        {
            context.WriteError("ERR No shutdown in progress.");
            return;
        }

        var client = context.Client.RemoteAddress;
        var refusal = context.Server.Lifetime is null ? "this node has no host to stop"
            : save && !force && !context.Server.Aof.IsRecording ? "SAVE asks for the data on disk, and with the AOF off (appendonly no) there is none; use NOSAVE, or FORCE"
            : null;
        if (refusal is not null)
        {
            Log.ShutdownRefused(context.Server.Logger, client, refusal);
            context.WriteError("ERR Errors trying to SHUTDOWN. Check logs.");
            return;
        }

        Log.ShutdownRequested(context.Server.Logger, client);
        context.Client.CloseAfterReply = true;
        // Off the connection's thread: stopping waits for every connection, this one included, to end.
        _ = Task.Run(context.Server.Lifetime!.StopApplication);
    }

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
