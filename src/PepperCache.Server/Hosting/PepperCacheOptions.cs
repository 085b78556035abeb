namespace PepperCache.Server.Hosting;

/// <summary>Node settings, bound from the <c>PepperCache</c> configuration section (flags, env PEPPER_*, appsettings.json).</summary>
public sealed class PepperCacheOptions
{
    public const string SectionName = "PepperCache";

    /// <summary>The original tool's ports; a node on both advertises its bare address in <c>/cluster</c>.</summary>
    public const int DefaultPort = 9004;

    public const int DefaultAdminPort = 18088;

    /// <summary>The address this node advertises to clients and peers (<c>--node</c>).</summary>
    public string Node { get; set; } = "127.0.0.1";

    /// <summary>Any member of the cluster to join (<c>--cluster</c>); empty for a new cluster.</summary>
    public string Cluster { get; set; } = "";

    /// <summary>RESP port (<c>--port</c>). 0 picks a free port (tests).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Admin HTTP port (<c>--admin-port</c>). 0 picks a free port (tests).</summary>
    public int AdminPort { get; set; } = DefaultAdminPort;

    /// <summary>Listen address (<c>--bind</c>); defaults to <see cref="Node"/>.</summary>
    public string? Bind { get; set; }

    /// <summary>Largest bulk string a client may send (<c>--proto-max-bulk-len</c>, Redis's default 512 MB).</summary>
    public long ProtoMaxBulkLen { get; set; } = 512L * 1024 * 1024;

    /// <summary>Active expiry cycles per second (Redis's <c>hz</c>).</summary>
    public int Hz { get; set; } = 10;

    /// <summary>Clients served at once (<c>--maxclients</c>, Redis's 10000); lowered at start-up to what the open-files limit allows.</summary>
    public long MaxClients { get; set; } = 10000;

    /// <summary>Idle seconds before a client is closed (<c>--timeout</c>); 0 = never, Redis's default.</summary>
    public long Timeout { get; set; }

    /// <summary>TCP keepalive for accepted clients, in seconds (<c>--tcp-keepalive</c>, Redis 7's 300); 0 = off.</summary>
    public long TcpKeepAlive { get; set; } = 300;

    /// <summary>Redis's defaults for <c>client-output-buffer-limit</c>, in its config-file form.</summary>
    public const string DefaultClientOutputBufferLimit = "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60";

    /// <summary>Groups of <c>class hard soft seconds</c> (<c>--client-output-buffer-limit</c>), over Redis's defaults.</summary>
    public string ClientOutputBufferLimit { get; set; } = DefaultClientOutputBufferLimit;

    /// <summary>Bytes the keyspace may hold (<c>--maxmemory</c>); 0 for no limit.</summary>
    public long MaxMemory { get; set; }

    /// <summary>Redis's <c>maxmemory-policy</c> name (<c>--maxmemory-policy</c>).</summary>
    public string MaxMemoryPolicy { get; set; } = "noeviction";

    /// <summary>Keys sampled per eviction round (<c>--maxmemory-samples</c>).</summary>
    public int MaxMemorySamples { get; set; } = 5;

    /// <summary>Redis's <c>lfu-log-factor</c>.</summary>
    public int LfuLogFactor { get; set; } = 10;

    /// <summary>Redis's <c>lfu-decay-time</c>, in minutes.</summary>
    public int LfuDecayTime { get; set; } = 1;

    /// <summary>Data directory (<c>--dir</c>): <c>nodes.json</c> (node id, last member set) and the AOF. Default <c>./data/&lt;node&gt;-&lt;port&gt;</c>.</summary>
    public string? Dir { get; set; }

    /// <summary>Milliseconds a member may be unreachable before it is marked failed (<c>--node-timeout</c>).</summary>
    public int NodeTimeout { get; set; } = 5000;

    /// <summary>Keys a second this node may move to other members, 0 for no cap (<c>--cluster-move-max-keys-per-sec</c>).</summary>
    public long ClusterMoveMaxKeysPerSec { get; set; }

    /// <summary>
    /// Percent of its clients' command rate (per slot served) this node keeps while it moves slots, slowing the move
    /// when they fall below it; 0 moves at full speed (<c>--cluster-move-min-client-percent</c>).
    /// </summary>
    public int ClusterMoveMinClientPercent { get; set; } = PepperCache.Server.Cluster.MovePaceSettings.DefaultMinClientPercent;

    /// <summary>Shared secret every membership call must carry (<c>--cluster-secret</c>, PEPPER_CLUSTER_SECRET); empty for none.</summary>
    public string ClusterSecret { get; set; } = "";

    /// <summary>
    /// The default user's password (<c>--requirepass</c>, PEPPER_REQUIREPASS), as Redis's requirepass: when set, a
    /// connection must AUTH before anything but AUTH, HELLO, QUIT and RESET, and the admin API asks for it too.
    /// Empty for none.
    /// </summary>
    public string RequirePass { get; set; } = "";

    /// <summary>
    /// <c>yes</c> or <c>no</c> (<c>--protected-mode</c>): with yes and no password on the default user, clients from
    /// addresses other than loopback are refused with Redis's DENIED message.
    /// </summary>
    public string ProtectedMode { get; set; } = "yes";

    /// <summary>Users file for ACL SAVE and ACL LOAD, loaded at start-up (<c>--aclfile</c>); empty for none.</summary>
    public string AclFile { get; set; } = "";

    /// <summary>Most entries ACL LOG keeps (Redis's acllog-max-len).</summary>
    public long AclLogMaxLen { get; set; } = 128;

    /// <summary>
    /// TLS cache port (<c>--tls-port</c>, Redis's tls-port); 0 for none. With one, <see cref="Port"/> 0 means no plain
    /// port, as in Redis (without one, <see cref="Port"/> 0 still means a free port, for tests).
    /// </summary>
    public int TlsPort { get; set; }

    /// <summary>PEM certificate of this node, leaf first (<c>--tls-cert-file</c>).</summary>
    public string TlsCertFile { get; set; } = "";

    /// <summary>PEM private key of <see cref="TlsCertFile"/> (<c>--tls-key-file</c>).</summary>
    public string TlsKeyFile { get; set; } = "";

    /// <summary>PEM CA certificates that client and peer certificates must chain to (<c>--tls-ca-cert-file</c>).</summary>
    public string TlsCaCertFile { get; set; } = "";

    /// <summary><c>yes</c>, <c>no</c> or <c>optional</c> (<c>--tls-auth-clients</c>, Redis's default yes).</summary>
    public string TlsAuthClients { get; set; } = "yes";

    /// <summary><c>yes</c>: membership calls over HTTPS and slot moves to peers' TLS ports (<c>--tls-cluster</c>).</summary>
    public string TlsCluster { get; set; } = "no";

    /// <summary><c>yes</c>: the admin port serves HTTPS (<c>--tls-admin</c>); <see cref="TlsCluster"/> yes implies it.</summary>
    public string TlsAdmin { get; set; } = "no";

    public bool TlsClusterEnabled => string.Equals(TlsCluster, "yes", StringComparison.OrdinalIgnoreCase);

    /// <summary>The admin port speaks HTTPS: asked for, or carrying TLS membership traffic.</summary>
    public bool AdminHttps => TlsClusterEnabled || string.Equals(TlsAdmin, "yes", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the node listens for plain RESP: always, unless a TLS port is set and <see cref="Port"/> is 0.</summary>
    public bool PlainPortEnabled => Port != 0 || TlsPort == 0;

    /// <summary>Whether anything needs the certificate: a TLS port, HTTPS on the admin port, or TLS to peers.</summary>
    public bool TlsEnabled => TlsPort != 0 || AdminHttps;

    /// <summary>The port that names the default data directory: the plain one, or the TLS one when that is the only one.</summary>
    private int NamingPort => PlainPortEnabled ? Port : TlsPort;

    /// <summary>Milliseconds a graceful leave waits for this node's slots to move before it exits anyway.</summary>
    public int LeaveTimeout { get; set; } = 30000;

    /// <summary>
    /// Milliseconds a failed or departed member stays listed (CLUSTER NODES, /cluster/nodes) before this node forgets
    /// it; Redis keeps a forgotten node out for 60 s.
    /// </summary>
    public int ForgetAfter { get; set; } = 60000;

    /// <summary>
    /// Where this node keeps its files. Null for a node on a port picked at random (tests) with no <c>--dir</c>:
    /// it would have no stable place to find them again.
    /// </summary>
    public string? DataDirectory => !string.IsNullOrWhiteSpace(Dir) ? Dir : NamingPort == 0 ? null : Path.Combine("data", $"{Node}-{NamingPort}");

    /// <summary>
    /// How the cache port's sockets are served (<c>--transport</c>): <c>epoll</c>, the node's own event loops (Linux on
    /// x64 or arm64, the default there), or <c>sockets</c>, Kestrel's socket transport (the default elsewhere).
    /// </summary>
    public string Transport { get; set; } = PepperCache.Server.Transport.EpollTransport.IsSupported ? "epoll" : "sockets";

    /// <summary>Whether the cache port runs on <see cref="PepperCache.Server.Transport.EpollTransport"/>.</summary>
    public bool EpollTransportEnabled => string.Equals(Transport, "epoll", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The epoll transport's event loops (<c>--io-threads</c>, Redis's <c>io-threads</c>); 0, the default, is one per
    /// core. Fewer leave cores to whatever shares the machine: on 2 cores beside a load generator,
    /// one loop answered more requests a second than two (docs/benchmarks.md "The cache port's own event loops").
    /// </summary>
    public int IoThreads { get; set; }

    /// <summary>The most <see cref="IoThreads"/> may ask for, as Redis's IO_THREADS_MAX_NUM.</summary>
    public const int MaxIoThreads = 128;

    /// <summary>How many event loops the epoll transport runs.</summary>
    public int EventLoops => IoThreads > 0 ? IoThreads : Environment.ProcessorCount;

    /// <summary><c>yes</c> or <c>no</c> (<c>--appendonly</c>): log writes to appendonly.aof and replay it at start-up.</summary>
    public string AppendOnly { get; set; } = "yes";

    /// <summary><c>always</c>, <c>everysec</c> or <c>no</c> (<c>--appendfsync</c>).</summary>
    public string AppendFsync { get; set; } = "everysec";

    /// <summary>Growth over the size after the last rewrite, in percent, that starts a rewrite; 0 disables it.</summary>
    public int AutoAofRewritePercentage { get; set; } = 100;

    /// <summary>No automatic rewrite below this many bytes.</summary>
    public long AutoAofRewriteMinSize { get; set; } = 64L * 1024 * 1024;

    /// <summary><c>--aof-fix</c>: truncate a corrupt appendonly.aof at its last good record and exit.</summary>
    public bool AofFix { get; set; }

    public bool AppendOnlyEnabled => !string.Equals(AppendOnly, "no", StringComparison.OrdinalIgnoreCase);

    /// <summary>The directory appendonly.aof lives in: <see cref="DataDirectory"/>, or <c>./data/&lt;node&gt;-&lt;port&gt;</c> for a node on a random port.</summary>
    public string AofDirectory => Path.GetFullPath(DataDirectory ?? Path.Combine("data", $"{Node}-{NamingPort}"));

    public string BindAddress => string.IsNullOrWhiteSpace(Bind) ? Node : Bind;
}
