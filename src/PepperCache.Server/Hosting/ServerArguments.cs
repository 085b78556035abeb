using System.Collections;
using System.Globalization;
using System.Net;
using System.Text;

namespace PepperCache.Server.Hosting;

/// <summary>
/// The server's command line, in the original Go tool's style (<c>-port 9004</c>, <c>--port=9004</c>), plus
/// <c>PEPPER_*</c> environment variables. Hand-written rather than System.CommandLine because the usage text and
/// flag forms must match the original tool's, and configuration keys (<c>--PepperCache:Port=0</c>) and host
/// settings must pass through to ASP.NET Core untouched.
/// </summary>
internal sealed class ServerArguments
{
    /// <summary>Every flag the server accepts, sorted by name as Go's <c>flag.PrintDefaults</c> lists them.</summary>
    internal static readonly Flag[] Flags =
    [
        new("aclfile", "AclFile", FlagKind.Text, "users file for ACL SAVE and ACL LOAD, loaded at start-up", null),
        new("admin-port", "AdminPort", FlagKind.Port, "admin HTTP port", "18088"),
        new("aof-fix", "AofFix", FlagKind.Bool, "truncate a corrupt append-only file at its last good record, then exit", null),
        new("appendfsync", "AppendFsync", FlagKind.Fsync, "fsync policy: always, everysec or no", "\"everysec\""),
        new("appendonly", "AppendOnly", FlagKind.YesNo, "log every write to appendonly.aof and replay it at start-up", "\"yes\""),
        new("auto-aof-rewrite-min-size", "AutoAofRewriteMinSize", FlagKind.Size, "smallest append-only file rewritten automatically", "\"64mb\""),
        new("auto-aof-rewrite-percentage", "AutoAofRewritePercentage", FlagKind.Percentage, "growth since the last rewrite that starts one (0 = never)", "100"),
        new("bind", "Bind", FlagKind.Address, "listen address (defaults to the node address)", null),
        new("client-output-buffer-limit", "ClientOutputBufferLimit", FlagKind.OutputBufferLimit,
            "close clients whose unsent replies pass <hard> bytes, or <soft> for <seconds>: groups of <class> <hard> <soft> <seconds>",
            "\"" + PepperCacheOptions.DefaultClientOutputBufferLimit + "\""),
        new("cluster", "Cluster", FlagKind.Text, "cluster address (host or host:admin-port of any member)", null),
        new("cluster-move-max-keys-per-sec", "ClusterMoveMaxKeysPerSec", FlagKind.Count, "keys a second this node may move to other members (0 = no cap)", "0"),
        new("cluster-move-min-client-percent", "ClusterMoveMinClientPercent", FlagKind.Percentage,
            "share of its clients' command rate a node keeps while it moves slots, slowing the move below it (0 = full speed)", "60"),
        new("cluster-secret", "ClusterSecret", FlagKind.Text, "shared secret for membership calls", null),
        new("dir", "Dir", FlagKind.Text, "data directory", "\"data/<node>-<port>\""),
        new("hz", "Hz", FlagKind.Hz, "active expiry cycles per second", "10"),
        new("io-threads", "IoThreads", FlagKind.IoThreads, "event loops serving the cache port with --transport epoll (0 = one per core)", "0"),
        new("lfu-decay-time", "LfuDecayTime", FlagKind.Count, "minutes per step an idle key's LFU counter decays (0 = never)", "1"),
        new("lfu-log-factor", "LfuLogFactor", FlagKind.Count, "how slowly the LFU access counter climbs", "10"),
        new("maxclients", "MaxClients", FlagKind.MaxClients, "clients served at once (lowered at start-up to what the open-files limit holds)", "10000"),
        new("maxmemory", "MaxMemory", FlagKind.MemoryLimit, "bytes the keyspace may hold, such as 100mb or 2gb (0 = no limit)", "\"0\""),
        new("maxmemory-policy", "MaxMemoryPolicy", FlagKind.EvictionPolicy,
            "what to evict at maxmemory: noeviction, allkeys-lru|lfu|random or volatile-lru|lfu|random|ttl",
            "\"noeviction\""),
        new("maxmemory-samples", "MaxMemorySamples", FlagKind.Samples, "keys sampled per eviction round (at least 1)", "5"),
        new("node", "Node", FlagKind.Address, "node address", "\"127.0.0.1\""),
        new("node-timeout", "NodeTimeout", FlagKind.Milliseconds, "milliseconds before an unreachable member is marked failed", "5000"),
        new("port", "Port", FlagKind.Port, "cache port", "9004"),
        new("protected-mode", "ProtectedMode", FlagKind.YesNo, "without a password, refuse clients that are not on this machine", "\"yes\""),
        new("proto-max-bulk-len", "ProtoMaxBulkLen", FlagKind.Size, "largest bulk string a client may send", "\"512mb\""),
        new("requirepass", "RequirePass", FlagKind.Text, "password of the default user, asked by AUTH and the admin API", null),
        new("tcp-keepalive", "TcpKeepAlive", FlagKind.Count, "seconds of silence before TCP keepalive probes a client (0 = off)", "300"),
        new("timeout", "Timeout", FlagKind.Count, "seconds an idle client stays connected (0 = no limit)", "0"),
        new("tls-admin", "TlsAdmin", FlagKind.YesNo, "serve the admin port over HTTPS, with the tls-cert-file certificate", "\"no\""),
        new("tls-auth-clients", "TlsAuthClients", FlagKind.TlsAuthClients,
            "client certificates on TLS ports: yes (required), optional (checked if sent) or no, checked against tls-ca-cert-file", "\"yes\""),
        new("tls-ca-cert-file", "TlsCaCertFile", FlagKind.Text, "PEM file of the CA certificates that client and peer certificates must chain to", null),
        new("tls-cert-file", "TlsCertFile", FlagKind.Text, "PEM certificate of this node (with any intermediates after it), for TLS ports and peer calls", null),
        new("tls-cluster", "TlsCluster", FlagKind.YesNo, "node-to-node traffic over TLS: membership calls over HTTPS, slot moves to peers' tls-port", "\"no\""),
        new("tls-key-file", "TlsKeyFile", FlagKind.Text, "PEM private key of tls-cert-file", null),
        new("tls-port", "TlsPort", FlagKind.Port, "TLS cache port (0 = none); with it, --port 0 turns the plain port off", null),
        new("transport", "Transport", FlagKind.Text, "how the cache port is served: epoll (the node's own event loops, Linux) or sockets (Kestrel's, the default elsewhere)", "\"epoll\""),
    ];

    // Settings the ASP.NET Core host itself understands; WebApplicationFactory passes these as arguments.
    private static readonly string[] HostSettings = ["environment", "contentRoot", "applicationName", "urls"];

    private ServerArguments()
    {
    }

    /// <summary>Configuration values (<c>PepperCache:Port</c> = <c>9004</c>...) from flags and environment.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Arguments handed on to <c>WebApplication.CreateBuilder</c>.</summary>
    public List<string> HostArguments { get; } = [];

    /// <summary>Set when the process should exit at once (after --help: 0; after a bad argument: 2).</summary>
    public int? ExitCode { get; private set; }

    public static ServerArguments Parse(string[] args, IDictionary? environment = null, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var result = new ServerArguments();
        try
        {
            result.ReadEnvironment(environment ?? Environment.GetEnvironmentVariables());
            if (result.ReadArguments(args))
            {
                stdout.Write(Usage());
                result.ExitCode = 0;
            }
        }
        catch (FormatException ex)
        {
            stderr.WriteLine($"error: {ex.Message} (see --help)");
            result.ExitCode = 2;
        }

        return result;
    }

    /// <summary>The usage text in the layout of Go's <c>flag.PrintDefaults</c>, which the original tool printed.</summary>
    public static string Usage()
    {
        var text = new StringBuilder("Usage of server:\n");
        foreach (var flag in Flags)
        {
            text.Append("  -").Append(flag.Name);
            if (flag.KindName.Length > 0)
            {
                // As Go: a boolean flag shows no type.
                text.Append(' ').Append(flag.KindName);
            }

            text.Append("\n    \t").Append(flag.Help);
            if (flag.Default is not null)
            {
                text.Append(" (default ").Append(flag.Default).Append(')');
            }

            text.Append('\n');
        }

        text.Append("\nFlags may be written -port 9004, --port 9004 or --port=9004. Each can also be set in the\n");
        text.Append("environment (PEPPER_PORT, PEPPER_ADMIN_PORT, PEPPER_PROTO_MAX_BULK_LEN...) or in appsettings.json\n");
        text.Append("under \"PepperCache\" (Port, AdminPort...); flags win over the environment, which wins over the file.\n");
        return text.ToString();
    }

    private void ReadEnvironment(IDictionary environment)
    {
        foreach (var flag in Flags)
        {
            var variable = "PEPPER_" + flag.Name.ToUpperInvariant().Replace('-', '_');
            if (environment[variable] is string value)
            {
                Settings[flag.ConfigurationKey] = flag.Validate(value, variable);
            }
        }
    }

    /// <returns>True when help was asked for.</returns>
    private bool ReadArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-" || arg == "--")
            {
                throw new FormatException($"unexpected argument '{arg}'");
            }

            var body = arg.TrimStart('-');
            string name;
            string? value = null;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                name = body[..equals];
                value = body[(equals + 1)..];
            }
            else
            {
                name = body;
            }

            if (name is "help" or "h")
            {
                return true;
            }

            // Configuration keys pass through as ASP.NET Core reads them: PascalCase or containing ':'
            // (--PepperCache:Port=0, --Serilog:MinimumLevel:Default=Warning); flags are lower-case words.
            var isHostSetting = HostSettings.Contains(name, StringComparer.OrdinalIgnoreCase) ||
                                name.Contains(':', StringComparison.Ordinal) ||
                                (name.Length > 0 && char.IsAsciiLetterUpper(name[0]));
            var flag = Array.Find(Flags, f => f.Name == name);
            if (flag is null && !isHostSetting)
            {
                throw new FormatException($"flag provided but not defined: -{name}");
            }

            if (value is null && flag?.Kind == FlagKind.Bool)
            {
                // As Go's boolean flags: -aof-fix alone means true.
                value = "true";
            }

            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    throw new FormatException($"flag needs an argument: -{name}");
                }

                value = args[++i];
            }

            if (flag is null)
            {
                HostArguments.Add($"--{name}={value}");
            }
            else
            {
                Settings[flag.ConfigurationKey] = flag.Validate(value, "flag -" + flag.Name);
            }
        }

        return false;
    }

    internal enum FlagKind
    {
        Text,
        Address,
        Port,
        Size,
        Hz,
        Milliseconds,
        Bool,
        YesNo,
        Fsync,
        Percentage,
        Count,
        IoThreads,
        MemoryLimit,
        EvictionPolicy,
        Samples,
        MaxClients,
        OutputBufferLimit,
        TlsAuthClients,
    }

    internal sealed record Flag(string Name, string Property, FlagKind Kind, string Help, string? Default)
    {
        public string ConfigurationKey => PepperCacheOptions.SectionName + ":" + Property;

        public string KindName => Kind switch
        {
            FlagKind.Port or FlagKind.Hz or FlagKind.Milliseconds or FlagKind.Percentage or FlagKind.Count or FlagKind.IoThreads or FlagKind.Samples or FlagKind.MaxClients => "int",
            FlagKind.Bool => "",
            _ => "string",
        };

        /// <summary>Checks <paramref name="value"/> and returns it in the form configuration binding expects.</summary>
        public string Validate(string value, string source)
        {
            switch (Kind)
            {
                case FlagKind.Port:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be a port number 0-65535");
                    }

                    return port.ToString(CultureInfo.InvariantCulture);
                case FlagKind.Hz:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var hz) || hz is < 1 or > 500)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be 1-500");
                    }

                    return value;
                case FlagKind.Milliseconds:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms < 100)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be at least 100 (milliseconds)");
                    }

                    return value;
                case FlagKind.Size:
                    if (!MemorySize.TryParse(value, out var bytes) || bytes < 1)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be a size such as 512mb");
                    }

                    return bytes.ToString(CultureInfo.InvariantCulture);
                case FlagKind.MemoryLimit:
                    if (!MemorySize.TryParse(value, out var limit) || limit < 0)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be a size such as 100mb, or 0 for no limit");
                    }

                    return limit.ToString(CultureInfo.InvariantCulture);
                case FlagKind.EvictionPolicy:
                    if (!Core.Storage.EvictionPolicies.TryParse(value, out var policy))
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be one of noeviction, allkeys-lru, allkeys-lfu, "
                                                  + "allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl");
                    }

                    return Core.Storage.EvictionPolicies.Name(policy);
                case FlagKind.Samples:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var samples) || samples < 1)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be at least 1");
                    }

                    return value;
                case FlagKind.MaxClients:
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var clients) || clients is < 1 or > uint.MaxValue)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be 1-4294967295");
                    }

                    return value;
                case FlagKind.OutputBufferLimit:
                    if (Resp.OutputBufferLimits.TryParse(value, Resp.OutputBufferLimits.Default, out _) is { } reason)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: {reason}");
                    }

                    return value;
                case FlagKind.Count:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be a non-negative integer");
                    }

                    return value;
                case FlagKind.IoThreads:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var loops) || loops > PepperCacheOptions.MaxIoThreads)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be 0-{PepperCacheOptions.MaxIoThreads} (0 = one per core)");
                    }

                    return value;
                case FlagKind.Percentage:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be a non-negative integer");
                    }

                    return value;
                case FlagKind.Bool:
                    if (!bool.TryParse(value, out var flagValue))
                    {
                        throw new FormatException($"invalid boolean value \"{value}\" for {source}");
                    }

                    return flagValue ? "true" : "false";
                case FlagKind.YesNo:
                    if (!value.Equals("yes", StringComparison.OrdinalIgnoreCase) && !value.Equals("no", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be yes or no");
                    }

                    return value.ToLowerInvariant();
                case FlagKind.TlsAuthClients:
                    if (!Tls.NodeTls.TryParseAuthClients(value, out _))
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be yes, no or optional");
                    }

                    return value.ToLowerInvariant();
                case FlagKind.Fsync:
                    if (!Persistence.AofSettings.TryParseFsync(value, out _))
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: must be always, everysec or no");
                    }

                    return value.ToLowerInvariant();
                case FlagKind.Address:
                    if (!IPAddress.TryParse(value, out _) && Uri.CheckHostName(value) == UriHostNameType.Unknown)
                    {
                        throw new FormatException($"invalid value \"{value}\" for {source}: not an IP address or host name");
                    }

                    return value;
                default:
                    return value;
            }
        }
    }
}
