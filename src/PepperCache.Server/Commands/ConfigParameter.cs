using System.Globalization;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>One CONFIG parameter: its Redis name, how to read it, and (when mutable) how to change it.</summary>
internal sealed record ConfigParameter(string Name, Func<CommandContext, string> Get, ConfigSetter? Set, ConfigMutability Mutability)
{
    /// <summary>The parameters PepperCache answers for, named as in Redis 7, in CONFIG GET * order.</summary>
    public static IReadOnlyList<ConfigParameter> All { get; } =
    [
        Fixed("port", c => PlainPort(c).ToString(CultureInfo.InvariantCulture)),
        // TLS (docs/security.md): read at start-up. Redis reloads them on CONFIG SET; here they are immutable.
        Fixed("tls-port", c => (c.Server.Endpoints?.TlsEndPoint?.Port ?? c.Server.Options.TlsPort).ToString(CultureInfo.InvariantCulture)),
        Fixed("tls-cert-file", c => c.Server.Options.TlsCertFile),
        Fixed("tls-key-file", c => c.Server.Options.TlsKeyFile),
        Fixed("tls-ca-cert-file", c => c.Server.Options.TlsCaCertFile),
        Fixed("tls-auth-clients", c => c.Server.Options.TlsAuthClients.ToLowerInvariant()),
        Fixed("tls-cluster", c => YesNo(c.Server.Options.TlsClusterEnabled)),
        // PepperCache's own: HTTPS on the admin port (tls-cluster yes implies it).
        Fixed("tls-admin", c => YesNo(c.Server.Options.AdminHttps)),
        Fixed("bind", c => c.Server.Options.BindAddress),
        Fixed("databases", _ => "1"),
        // The cache port's event loops, fixed at start-up as Redis's io-threads; Kestrel's socket transport has none of ours.
        Fixed("io-threads", c => (c.Server.Options.EpollTransportEnabled ? c.Server.Options.EventLoops : 0).ToString(CultureInfo.InvariantCulture)),
        // As INFO's cluster_enabled: yes wherever CLUSTER commands answer, no on a lone node, which behaves as a plain Redis.
        Fixed("cluster-enabled", c => YesNo(c.Server.Cluster is { Snapshot.Enabled: true })),
        // PepperCache's own (docs/cluster.md, "A move that follows its clients"): read by the slot mover as it goes.
        Mutable("cluster-move-max-keys-per-sec", c => c.Server.Config.MovePace.MaxKeysPerSecond.ToString(CultureInfo.InvariantCulture),
            Integer(0, long.MaxValue, (config, v) => config.MovePace.MaxKeysPerSecond = v)),
        Mutable("cluster-move-min-client-percent", c => c.Server.Config.MovePace.MinClientPercent.ToString(CultureInfo.InvariantCulture),
            Integer(0, 100, (config, v) => config.MovePace.MinClientPercent = (int)v)),
        Mutable("maxclients", c => c.Server.Config.Clients.MaxClients.ToString(CultureInfo.InvariantCulture), SetMaxClients),
        Mutable("tcp-keepalive", c => c.Server.Config.Clients.TcpKeepAlive.ToString(CultureInfo.InvariantCulture),
            Integer(0, int.MaxValue, (config, v) => config.Clients.TcpKeepAlive = v)),
        Mutable("client-output-buffer-limit", c => c.Server.Config.Clients.OutputBuffer.ToString(), SetOutputBufferLimit),
        new("dir", c => c.Server.Aof.Directory, null, ConfigMutability.Protected),
        new("dbfilename", _ => "dump.rdb", null, ConfigMutability.Protected),
        Fixed("appendfilename", _ => Persistence.AofSettings.FileName),
        // Chosen at start-up (--appendonly): switching it on at run time would need a rewrite first, as Redis does.
        Fixed("appendonly", c => YesNo(c.Server.Aof.Enabled)),
        Mutable("appendfsync", c => c.Server.Config.AppendFsync, OneOf(ServerConfig.AppendFsyncPolicies, (config, v) => config.AppendFsync = v)),
        Mutable("auto-aof-rewrite-percentage", c => c.Server.Config.AutoAofRewritePercentage.ToString(CultureInfo.InvariantCulture),
            Integer(0, int.MaxValue, (config, v) => config.AutoAofRewritePercentage = v)),
        Mutable("auto-aof-rewrite-min-size", c => c.Server.Config.AutoAofRewriteMinSize.ToString(CultureInfo.InvariantCulture),
            Memory(0, (config, v) => config.AutoAofRewriteMinSize = v)),
        Mutable("save", c => c.Server.Config.Save, SetSave),
        Mutable("hz", c => c.Server.Config.Hz.ToString(CultureInfo.InvariantCulture), Integer(0, int.MaxValue, (config, v) => config.Hz = (int)Math.Clamp(v, 1, 500))),
        Mutable("timeout", c => c.Server.Config.Clients.Timeout.ToString(CultureInfo.InvariantCulture),
            Integer(0, int.MaxValue, (config, v) => config.Clients.Timeout = v)),
        Mutable("maxmemory", c => c.Server.Config.MaxMemory.ToString(CultureInfo.InvariantCulture), Memory(0, (config, v) => config.MaxMemory = v)),
        Mutable("maxmemory-policy", c => c.Server.Config.MaxMemoryPolicy, OneOf(ServerConfig.MaxMemoryPolicies, (config, v) => config.MaxMemoryPolicy = v)),
        Mutable("maxmemory-samples", c => c.Server.Config.Memory.Samples.ToString(CultureInfo.InvariantCulture),
            Integer(1, int.MaxValue, (config, v) => config.Memory.Samples = (int)v)),
        Mutable("lfu-log-factor", c => c.Server.Config.Memory.LfuLogFactor.ToString(CultureInfo.InvariantCulture),
            Integer(0, int.MaxValue, (config, v) => config.Memory.LfuLogFactor = (int)v)),
        Mutable("lfu-decay-time", c => c.Server.Config.Memory.LfuDecayTime.ToString(CultureInfo.InvariantCulture),
            Integer(0, int.MaxValue, (config, v) => config.Memory.LfuDecayTime = (int)v)),
        Mutable("hash-max-listpack-entries", c => c.Server.Config.Encodings.HashMaxListpackEntries.ToString(CultureInfo.InvariantCulture),
            Integer(0, long.MaxValue, (config, v) => config.Encodings.HashMaxListpackEntries = v)),
        Mutable("hash-max-listpack-value", c => c.Server.Config.Encodings.HashMaxListpackValue.ToString(CultureInfo.InvariantCulture),
            Memory(0, (config, v) => config.Encodings.HashMaxListpackValue = v)),
        Mutable("hll-sparse-max-bytes", c => c.Server.Config.Encodings.HllSparseMaxBytes.ToString(CultureInfo.InvariantCulture),
            Memory(0, (config, v) => config.Encodings.HllSparseMaxBytes = v)),
        Mutable("set-max-intset-entries", c => c.Server.Config.Encodings.SetMaxIntsetEntries.ToString(CultureInfo.InvariantCulture),
            Integer(0, long.MaxValue, (config, v) => config.Encodings.SetMaxIntsetEntries = v)),
        Mutable("zset-max-listpack-entries", c => c.Server.Config.Encodings.ZsetMaxListpackEntries.ToString(CultureInfo.InvariantCulture),
            Integer(0, long.MaxValue, (config, v) => config.Encodings.ZsetMaxListpackEntries = v)),
        Mutable("zset-max-listpack-value", c => c.Server.Config.Encodings.ZsetMaxListpackValue.ToString(CultureInfo.InvariantCulture),
            Memory(0, (config, v) => config.Encodings.ZsetMaxListpackValue = v)),
        Mutable("list-max-listpack-size", c => c.Server.Config.Encodings.ListMaxListpackSize.ToString(CultureInfo.InvariantCulture),
            Integer(int.MinValue, int.MaxValue, (config, v) => config.Encodings.ListMaxListpackSize = v)),
        Mutable("proto-max-bulk-len", c => c.Server.Config.Limits.MaxBulkLength.ToString(CultureInfo.InvariantCulture),
            Memory(1024 * 1024, (config, v) => config.Limits = config.Limits with { MaxBulkLength = v })),
        Mutable("replica-read-only", c => YesNo(c.Server.Config.ReplicaReadOnly), Boolean((config, v) => config.ReplicaReadOnly = v)),
        // Security (docs/security.md): requirepass sets the default user's password ("" for none), as in Redis.
        Mutable("requirepass", c => c.Server.Acl.RequirePass, (config, value, apply) =>
        {
            if (apply)
            {
                config.Acl.SetRequirePass(value);
            }

            return null;
        }),
        Mutable("protected-mode", c => YesNo(c.Server.Acl.ProtectedMode), Boolean((config, v) => config.Acl.ProtectedMode = v)),
        Fixed("aclfile", c => c.Server.Acl.AclFile),
        // Redis 7.0's default, kept: DEBUG is refused with Redis's text (DebugCommand).
        Fixed("enable-debug-command", _ => "no"),
        Mutable("acllog-max-len", c => c.Server.Acl.Log.MaxLength.ToString(CultureInfo.InvariantCulture),
            Integer(0, long.MaxValue, (config, v) => config.Acl.Log.MaxLength = v)),
        // Statistics (docs/operations.md): the slow log, the latency monitor, per-command latency histograms.
        Mutable("slowlog-log-slower-than", c => c.Server.Statistics.SlowLogSlowerThan.ToString(CultureInfo.InvariantCulture),
            Integer(-1, long.MaxValue, (config, v) => config.Statistics.SlowLogSlowerThan = v)),
        Mutable("slowlog-max-len", c => c.Server.Statistics.SlowLog.MaxLength.ToString(CultureInfo.InvariantCulture),
            Integer(0, long.MaxValue, (config, v) => config.Statistics.SlowLog.MaxLength = v)),
        Mutable("latency-monitor-threshold", c => c.Server.Statistics.LatencyMonitorThreshold.ToString(CultureInfo.InvariantCulture),
            Integer(0, long.MaxValue, (config, v) => config.Statistics.LatencyMonitorThreshold = v)),
        Mutable("latency-tracking", c => YesNo(c.Server.Statistics.Commands.LatencyTracking), Boolean((config, v) => config.Statistics.Commands.LatencyTracking = v)),
        Mutable("latency-tracking-info-percentiles",
            c => string.Join(' ', c.Server.Config.LatencyTrackingPercentiles.Select(Commands.InfoCommand.FormatPercentile)), SetPercentiles),
    ];

    /// <summary>Old names Redis still answers to, matched by exact lookups and by patterns.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>
    {
        ["slave-read-only"] = "replica-read-only",
        ["hash-max-ziplist-entries"] = "hash-max-listpack-entries",
        ["hash-max-ziplist-value"] = "hash-max-listpack-value",
        ["zset-max-ziplist-entries"] = "zset-max-listpack-entries",
        ["zset-max-ziplist-value"] = "zset-max-listpack-value",
        ["list-max-ziplist-size"] = "list-max-listpack-size",
    };

    private static readonly Dictionary<string, ConfigParameter> ByName = BuildLookup();

    /// <summary>Exact, case-insensitive lookup of a name or alias.</summary>
    public static ConfigParameter? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Every name a pattern may match: the parameters and their aliases.</summary>
    public static IEnumerable<(string Name, ConfigParameter Parameter)> AllNames() =>
        All.Select(p => (p.Name, p)).Concat(Aliases.Select(a => (a.Key, ByName[a.Value])));

    private static Dictionary<string, ConfigParameter> BuildLookup()
    {
        var lookup = All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, name) in Aliases)
        {
            lookup[alias] = lookup[name];
        }

        return lookup;
    }

    private static ConfigParameter Fixed(string name, Func<CommandContext, string> get) => new(name, get, null, ConfigMutability.Immutable);

    private static ConfigParameter Mutable(string name, Func<CommandContext, string> get, ConfigSetter set) => new(name, get, set, ConfigMutability.Mutable);

    private static string YesNo(bool value) => value ? "yes" : "no";

    /// <summary>The plain cache port: the one this client came in on, unless it came over TLS; 0 when there is none.</summary>
    private static int PlainPort(CommandContext context) => !context.Client.Tls
        ? context.Client.LocalPort
        : context.Server.Endpoints is { } endpoints ? endpoints.RespEndPoint?.Port ?? 0 : context.Server.Options.Port;

    private static ConfigSetter Integer(long min, long max, Action<ServerConfig, long> apply) => (config, text, doApply) =>
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return "argument couldn't be parsed into an integer";
        }

        if (value < min || value > max)
        {
            return $"argument must be between {min} and {max} inclusive";
        }

        if (doApply)
        {
            apply(config, value);
        }

        return null;
    };

    private static ConfigSetter Memory(long min, Action<ServerConfig, long> apply) => (config, text, doApply) =>
    {
        if (!MemorySize.TryParse(text, out var value))
        {
            return "argument must be a memory value";
        }

        if (value < min)
        {
            return $"argument must be between {min} and {long.MaxValue} inclusive";
        }

        if (doApply)
        {
            apply(config, value);
        }

        return null;
    };

    private static ConfigSetter OneOf(string[] choices, Action<ServerConfig, string> apply) => (config, text, doApply) =>
    {
        var choice = choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (choice is null)
        {
            return "argument(s) must be one of the following: " + string.Join(", ", choices);
        }

        if (doApply)
        {
            apply(config, choice);
        }

        return null;
    };

    private static ConfigSetter Boolean(Action<ServerConfig, bool> apply) => (config, text, doApply) =>
    {
        var yes = text.Equals("yes", StringComparison.OrdinalIgnoreCase);
        if (!yes && !text.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return "argument must be 'yes' or 'no'";
        }

        if (doApply)
        {
            apply(config, yes);
        }

        return null;
    };

    /// <summary>1 to 2^32-1 as Redis, and no more than the open-files limit can hold (raised first if it can be).</summary>
    private static string? SetMaxClients(ServerConfig config, string text, bool apply)
    {
        if (Integer(1, uint.MaxValue, static (_, _) => { })(config, text, false) is { } reason)
        {
            return reason;
        }

        var value = long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (apply)
        {
            config.Clients.MaxClients = value;
            return null;
        }

        return value > config.Clients.MaxClients ? config.Clients.CheckMaxClients(value) : null;
    }

    private static string? SetOutputBufferLimit(ServerConfig config, string text, bool apply)
    {
        var reason = Resp.OutputBufferLimits.TryParse(text, config.Clients.OutputBuffer, out var limits);
        if (reason is null && apply)
        {
            config.Clients.OutputBuffer = limits;
        }

        return reason;
    }

    /// <summary>Space-separated percentiles in 0-100 ("" for none), with Redis's two errors.</summary>
    private static string? SetPercentiles(ServerConfig config, string text, bool apply)
    {
        var values = new List<double>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                return "Invalid latency-tracking-info-percentiles parameters";
            }

            if (value is < 0 or > 100)
            {
                return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
            }

            values.Add(value);
        }

        if (apply)
        {
            config.LatencyTrackingPercentiles = values;
        }

        return null;
    }

    /// <summary>"" or pairs of "seconds changes" (seconds at least 1, changes at least 0), split on single spaces as Redis does.</summary>
    private static string? SetSave(ServerConfig config, string text, bool apply)
    {
        var parts = text.Length == 0 ? [] : text.Split(' ');
        if (parts.Length % 2 != 0)
        {
            return "Invalid save parameters";
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ||
                value < (i % 2 == 0 ? 1 : 0))
            {
                return "Invalid save parameters";
            }
        }

        if (apply)
        {
            config.Save = text;
        }

        return null;
    }
}
