using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// INFO [section ...]: Redis's text report, "# Section" headers, CRLF lines, sections separated by a blank line.
/// Only fields PepperCache can state truthfully are present; a section it does not have is empty, as an unknown
/// section is in Redis. Runs rarely, so it builds a string.
/// </summary>
internal static partial class InfoCommand
{
    /// <summary>Every section, in Redis's order; commandstats and latencystats only with "all", "everything" or by name, as in Redis.</summary>
    private static readonly (string Name, string Title, bool Default, Action<StringBuilder, CommandContext> Write)[] Sections =
    [
        ("server", "Server", true, WriteServer),
        ("clients", "Clients", true, WriteClients),
        ("memory", "Memory", true, WriteMemory),
        ("persistence", "Persistence", true, WritePersistence),
        ("stats", "Stats", true, WriteStats),
        ("replication", "Replication", true, WriteReplication),
        ("cpu", "CPU", true, WriteCpu),
        ("modules", "Modules", true, (_, _) => { }),
        ("commandstats", "Commandstats", false, WriteCommandStats),
        ("errorstats", "Errorstats", true, WriteErrorStats),
        ("latencystats", "Latencystats", false, WriteLatencyStats),
        ("cluster", "Cluster", true, WriteCluster),
        ("keyspace", "Keyspace", true, WriteKeyspace),
    ];

    /// <summary>
    /// 1 wherever CLUSTER commands answer (two or more members, or a joiner not joined yet): redis-py's RedisCluster
    /// refuses a node that says 0.
    /// A lone node answers "cluster support disabled" to them, so 0 is the honest answer there.
    /// </summary>
    private static void WriteCluster(StringBuilder text, CommandContext context) =>
        text.Append(context.Server.Cluster is { Snapshot.Enabled: true } ? "cluster_enabled:1\r\n" : "cluster_enabled:0\r\n");

    public static CommandDefinition Definition { get; } = new(
        "info", -1, Loading | Stale | CommandFlags.Random, 0, 0, 0, Info, "server",
        "Returns information and statistics about the server.")
    {
        AclCategories = ["dangerous"],
        Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    };

    public static void Info(CommandContext context)
    {
        var wanted = SelectSections(context);
        var text = new StringBuilder();
        foreach (var (name, title, _, write) in Sections)
        {
            if (!wanted.Contains(name))
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append("\r\n");
            }

            text.Append("# ").Append(title).Append("\r\n");
            write(text, context);
        }

        context.Output.WriteVerbatim(text.ToString(), context.Resp3);
    }

    /// <summary>No argument or "default" select the default sections, "all" or "everything" every one; names are case-insensitive.</summary>
    private static HashSet<string> SelectSections(CommandContext context)
    {
        var wanted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (context.ArgumentCount == 1)
        {
            wanted.UnionWith(Sections.Where(s => s.Default).Select(s => s.Name));
        }

        for (var i = 1; i < context.ArgumentCount; i++)
        {
            var name = context.Request.GetString(i);
            if (name.Equals("default", StringComparison.OrdinalIgnoreCase))
            {
                wanted.UnionWith(Sections.Where(s => s.Default).Select(s => s.Name));
            }
            else if (name.Equals("all", StringComparison.OrdinalIgnoreCase) || name.Equals("everything", StringComparison.OrdinalIgnoreCase))
            {
                wanted.UnionWith(Sections.Select(s => s.Name));
            }
            else
            {
                wanted.Add(name);
            }
        }

        return wanted;
    }

    private static void WriteServer(StringBuilder text, CommandContext context)
    {
        var server = context.Server;
        var now = context.Store.TimeProvider.GetUtcNow();
        var uptime = (now.ToUnixTimeMilliseconds() - server.StartedAt) / 1000;
        Field(text, "redis_version", ServerState.RedisVersion);
        Field(text, "redis_mode", context.Server.Mode);
        Field(text, "os", OperatingSystemName());
        Field(text, "arch_bits", IntPtr.Size * 8);
        Field(text, "multiplexing_api", OperatingSystem.IsLinux() ? "epoll" : OperatingSystem.IsWindows() ? "iocp" : "kqueue");
        Field(text, "dotnet_version", Environment.Version.ToString());
        Field(text, "process_id", Environment.ProcessId);
        Field(text, "process_supervised", "no");
        Field(text, "run_id", server.RunId);
        Field(text, "tcp_port", context.Client.LocalPort);
        Field(text, "server_time_usec", (now - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
        Field(text, "uptime_in_seconds", uptime);
        Field(text, "uptime_in_days", uptime / 86400);
        Field(text, "hz", server.Config.Hz);
        Field(text, "configured_hz", server.Config.Hz);
        Field(text, "executable", Environment.ProcessPath ?? "");
        Field(text, "config_file", "");
        // Redis's flag for "more than the main thread serves clients now": here, a loop beyond the first woke.
        Field(text, "io_threads_active", server.EventLoops.ActiveThreads > 1 ? 1 : 0);
    }

    private static void WriteClients(StringBuilder text, CommandContext context)
    {
        Field(text, "connected_clients", context.Server.Clients.ConnectedCount);
        Field(text, "cluster_connections", 0);
        Field(text, "maxclients", context.Server.Config.Clients.MaxClients);
        Field(text, "blocked_clients", context.Server.Blocking.BlockedCount + context.Server.Pause.HeldCount);
        Field(text, "tracking_clients", 0);
    }

    /// <summary>
    /// used_memory is what the keyspace holds on the managed heap (tables, entries, collections): the figure maxmemory
    /// limits. The heap as a whole and the process's RSS are beside it; mem_fragmentation_ratio is RSS over used_memory.
    /// </summary>
    private static void WriteMemory(StringBuilder text, CommandContext context)
    {
        var store = context.Store;
        var used = store.UsedMemoryExact;
        var peak = context.Server.Statistics.ObserveMemory(used);
        var rss = Environment.WorkingSet;
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var maxMemory = context.Server.Config.MaxMemory;
        var startup = store.EmptyMemory;
        Field(text, "used_memory", used);
        Field(text, "used_memory_human", BytesToHuman(used));
        Field(text, "used_memory_rss", rss);
        Field(text, "used_memory_rss_human", BytesToHuman(rss));
        Field(text, "used_memory_peak", peak);
        Field(text, "used_memory_peak_human", BytesToHuman(peak));
        Field(text, "used_memory_peak_perc", Percent(used, peak));
        Field(text, "used_memory_startup", startup);
        Field(text, "used_memory_dataset", Math.Max(0, used - startup));
        Field(text, "used_memory_dataset_perc", Percent(Math.Max(0, used - startup), used));
        Field(text, "used_memory_managed_heap", GC.GetTotalMemory(forceFullCollection: false));
        Field(text, "total_system_memory", total);
        Field(text, "total_system_memory_human", BytesToHuman(total));
        Field(text, "maxmemory", maxMemory);
        Field(text, "maxmemory_human", BytesToHuman(maxMemory));
        Field(text, "maxmemory_policy", context.Server.Config.MaxMemoryPolicy);
        Field(text, "mem_fragmentation_ratio", used > 0 ? ((double)rss / used).ToString("F2", CultureInfo.InvariantCulture) : "0.00");
        Field(text, "mem_allocator", "dotnet-gc");
    }

    private static string Percent(long part, long whole)
        => (whole > 0 ? 100.0 * part / whole : 0).ToString("F2", CultureInfo.InvariantCulture) + "%";

    /// <summary>No RDB (never saved since start); the AOF fields as Redis 7 reports them.</summary>
    private static void WritePersistence(StringBuilder text, CommandContext context)
    {
        var aof = context.Server.Aof;
        Field(text, "loading", aof.Loading ? 1 : 0);
        Field(text, "async_loading", 0);
        Field(text, "rdb_bgsave_in_progress", 0);
        Field(text, "rdb_last_save_time", context.Server.StartedAt / 1000);
        Field(text, "rdb_last_bgsave_status", "ok");
        Field(text, "rdb_last_bgsave_time_sec", -1);
        Field(text, "rdb_current_bgsave_time_sec", -1);
        Field(text, "rdb_saves", 0);
        Field(text, "aof_enabled", aof.IsRecording ? 1 : 0);
        Field(text, "aof_rewrite_in_progress", aof.RewriteInProgress ? 1 : 0);
        Field(text, "aof_rewrite_scheduled", 0);
        Field(text, "aof_last_rewrite_time_sec", aof.LastRewriteSeconds);
        Field(text, "aof_current_rewrite_time_sec", aof.CurrentRewriteSeconds);
        Field(text, "aof_last_bgrewrite_status", aof.LastRewriteOk ? "ok" : "err");
        Field(text, "aof_rewrites", aof.Rewrites);
        Field(text, "aof_last_write_status", aof.LastWriteOk ? "ok" : "err");
        if (aof.IsRecording)
        {
            Field(text, "aof_current_size", aof.CurrentSize);
            Field(text, "aof_base_size", aof.BaseSize);
            Field(text, "aof_pending_rewrite", 0);
            Field(text, "aof_buffer_length", aof.BufferLength);
            Field(text, "aof_pending_bio_fsync", aof.BackgroundSyncRunning ? 1 : 0);
            Field(text, "aof_delayed_fsync", 0);
        }
    }

    private static void WriteStats(StringBuilder text, CommandContext context)
    {
        var server = context.Server;
        var now = StatsSnapshot.Take(server);
        var stats = now.Since(server.Statistics.ResetPoint);
        Field(text, "total_connections_received", stats.Connections);
        Field(text, "total_commands_processed", stats.Commands);
        var rates = server.Statistics.ObserveRates(now, context.Store.Now);
        Field(text, "instantaneous_ops_per_sec", rates.OpsPerSecond);
        Field(text, "total_net_input_bytes", stats.NetInputBytes);
        Field(text, "total_net_output_bytes", stats.NetOutputBytes);
        // No replication: its traffic is none, but Redis 7.0 prints the fields and monitoring tools read them.
        Field(text, "total_net_repl_input_bytes", 0);
        Field(text, "total_net_repl_output_bytes", 0);
        Field(text, "instantaneous_input_kbps", rates.InputKbps);
        Field(text, "instantaneous_output_kbps", rates.OutputKbps);
        Field(text, "instantaneous_input_repl_kbps", 0.0);
        Field(text, "instantaneous_output_repl_kbps", 0.0);
        Field(text, "rejected_connections", stats.RejectedConnections);
        Field(text, "expired_keys", stats.ExpiredKeys);
        Field(text, "evicted_keys", stats.EvictedKeys);
        Field(text, "keyspace_hits", stats.Hits);
        Field(text, "keyspace_misses", stats.Misses);
        Field(text, "pubsub_channels", 0);
        Field(text, "pubsub_patterns", 0);
        Field(text, "migrate_cached_sockets", server.MigrateSockets.Count);
        Field(text, "total_error_replies", server.Statistics.Errors.Total);
        // Redis 7.2's names (7.0 has no such counters; they are extra fields a 7.0 client ignores).
        Field(text, "client_query_buffer_limit_disconnections", stats.QueryBufferDisconnections);
        Field(text, "client_output_buffer_limit_disconnections", stats.OutputBufferDisconnections);
    }

    /// <summary>Error replies per code since start-up or CONFIG RESETSTAT, as Redis 7 lists them: <c>errorstat_ERR:count=3</c>.</summary>
    private static void WriteErrorStats(StringBuilder text, CommandContext context)
    {
        foreach (var (code, count) in context.Server.Statistics.Errors.ByCode())
        {
            text.Append("errorstat_").Append(code).Append(":count=").Append(count.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }
    }

    private static void WriteReplication(StringBuilder text, CommandContext context)
    {
        Field(text, "role", "master");
        Field(text, "connected_slaves", 0);
        Field(text, "master_failover_state", "no-failover");
        Field(text, "master_replid", context.Server.ReplicationId);
        Field(text, "master_replid2", new string('0', 40));
        Field(text, "master_repl_offset", 0);
        Field(text, "second_repl_offset", -1);
        Field(text, "repl_backlog_active", 0);
        Field(text, "repl_backlog_size", 1048576);
        Field(text, "repl_backlog_first_byte_offset", 0);
        Field(text, "repl_backlog_histlen", 0);
    }

    private static void WriteCpu(StringBuilder text, CommandContext context)
    {
        using var process = Process.GetCurrentProcess();
        Field(text, "used_cpu_sys", process.PrivilegedProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
        Field(text, "used_cpu_user", process.UserProcessorTime.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture));
        Field(text, "used_cpu_sys_children", "0.000000");
        Field(text, "used_cpu_user_children", "0.000000");
    }

    /// <summary>One database, listed only when it has keys, as Redis does.</summary>
    private static void WriteKeyspace(StringBuilder text, CommandContext context)
    {
        var keys = context.Store.Count;
        if (keys > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"db0:keys={keys},expires={context.Store.VolatileCount},avg_ttl=0\r\n");
        }
    }

    private static void Field(StringBuilder text, string name, string value) => text.Append(name).Append(':').Append(value).Append("\r\n");

    private static void Field(StringBuilder text, string name, long value) =>
        text.Append(name).Append(':').Append(value.ToString(CultureInfo.InvariantCulture)).Append("\r\n");

    /// <summary>A rate as Redis prints it (<c>%.2f</c>).</summary>
    private static void Field(StringBuilder text, string name, double value) =>
        text.Append(name).Append(':').Append(value.ToString("F2", CultureInfo.InvariantCulture)).Append("\r\n");

    /// <summary>As Redis's uname-based "Linux 6.1.0 x86_64"; the runtime's description elsewhere.</summary>
    private static string OperatingSystemName()
    {
        const string KernelRelease = "/proc/sys/kernel/osrelease";
        var system = OperatingSystem.IsLinux() && File.Exists(KernelRelease)
            ? "Linux " + File.ReadAllText(KernelRelease).Trim()
            : RuntimeInformation.OSDescription;
        return $"{system} {Architecture()}";
    }

    private static string Architecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "x86_64",
        System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>Redis's bytesToHuman: "512B", "1.04M", two decimals from K up.</summary>
    internal static string BytesToHuman(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        }

        ReadOnlySpan<char> units = "KMGTPE";
        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("F2", CultureInfo.InvariantCulture) + units[unit];
    }
}
