using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Acl;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;
using PepperCache.Server.Persistence;

namespace PepperCache.Server.Resp;

/// <summary>The node-wide state command handlers share: store, options, clients, command table and identity.</summary>
internal sealed class ServerState
{
    public ServerState(
        KeyValueStore store,
        IOptions<PepperCacheOptions> options,
        ClientRegistry clients,
        CommandDispatcher dispatcher,
        AppendOnlyLog? aof = null,
        AclState? acl = null,
        NodeEndpoints? endpoints = null,
        IHostApplicationLifetime? lifetime = null,
        ILogger<ServerState>? logger = null,
        Commands.MigrateSocketCache? migrateSockets = null,
        EventLoopStatus? eventLoops = null)
    {
        Endpoints = endpoints;
        EventLoops = eventLoops ?? new EventLoopStatus();
        Lifetime = lifetime;
        Logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Store = store;
        Options = options.Value;
        Clients = clients;
        Dispatcher = dispatcher;
        Migration = new SlotMigrationState(store);
        Pause = new ClientPause(store.TimeProvider);
        // Without one from DI (tools, tests) the cache exists, but nothing sweeps it or closes it at stop.
        MigrateSockets = migrateSockets ?? new Commands.MigrateSocketCache(store.TimeProvider);
        StartedAt = store.Now;
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        Config = new ServerConfig(Options, new RespLimits { MaxBulkLength = Options.ProtoMaxBulkLen }, store.Memory, store.Encodings);
        // Without one from DI (tools, benchmarks) the log exists but stays closed, so nothing is recorded.
        Aof = aof ?? new AppendOnlyLog(store, options, new AofStorage(), Microsoft.Extensions.Logging.Abstractions.NullLogger<AppendOnlyLog>.Instance);
        Config.Aof = Aof;
        // A rewrite keeps the collections PEPPER.IMPORT is rebuilding, or the rest of their pieces would not replay.
        Aof.SnapshotOutsideKeyspace = () =>
        {
            lock (Migration.ImportLock)
            {
                return Migration.Pieces.SnapshotForRewrite();
            }
        };
        // Without one from DI (tools, tests) the users are built here, from the same options.
        Acl = acl ?? new AclState(dispatcher.Table, clients, Options);
        Acl.Log.MaxLength = Options.AclLogMaxLen;
        Config.Acl = Acl;
        Config.Statistics = Statistics;
    }

    /// <summary>The host's lifetime, which SHUTDOWN stops as SIGTERM does; null for a state built without a host (tools, tests).</summary>
    public IHostApplicationLifetime? Lifetime { get; }

    /// <summary>Where commands log what Redis logs (SHUTDOWN's refusals); nothing for a state built without a host.</summary>
    public ILogger Logger { get; }

    /// <summary>The bound ports (CONFIG GET port and tls-port); null for a state built without a node, in tests.</summary>
    public NodeEndpoints? Endpoints { get; }

    /// <summary>The cache port's event loops, for INFO's <c>io_threads_active</c>.</summary>
    public EventLoopStatus EventLoops { get; }

    /// <summary>Users, passwords, protected mode and the ACL log.</summary>
    public AclState Acl { get; }

    /// <summary>The append-only file; write commands run through it once it is open.</summary>
    public AppendOnlyLog Aof { get; }

    /// <summary>
    /// The version PepperCache reports where Redis clients look for one (HELLO, INFO server): Redis 7.0.15, the
    /// reference every reply is compared with. Clients gate commands on it (a 7.2 claim would invite 7.2-only
    /// commands); the few 7.2 additions PepperCache has (CLIENT SETINFO, CLIENT LIST lib-name/lib-ver) need no claim,
    /// as clients send CLIENT SETINFO whatever the version and ignore an error to it.
    /// </summary>
    public const string RedisVersion = "7.0.15";

    /// <summary>
    /// Redis's server mode (HELLO mode, INFO redis_mode): "cluster" wherever CLUSTER commands answer (INFO
    /// cluster_enabled:1), "standalone" on a lone node, which behaves as a plain Redis.
    /// </summary>
    public string Mode => Cluster is { Snapshot.Enabled: true } ? "cluster" : "standalone";

    public KeyValueStore Store { get; }

    /// <summary>Connections in MONITOR mode, fed every command run.</summary>
    public MonitorRegistry Monitors { get; } = new();

    /// <summary>Clients blocked on list keys (BLPOP...), queued per key.</summary>
    public BlockingRegistry Blocking { get; } = new();

    /// <summary>CLIENT PAUSE: what the dispatcher holds back while it lasts.</summary>
    public ClientPause Pause { get; }

    /// <summary>MIGRATE's connections to its targets, kept between calls.</summary>
    public Commands.MigrateSocketCache MigrateSockets { get; }

    /// <summary>Frozen slots and recent imports (slot migration).</summary>
    public SlotMigrationState Migration { get; }

    public PepperCacheOptions Options { get; }

    public ClientRegistry Clients { get; }

    public CommandDispatcher Dispatcher { get; }

    public CommandTable Commands => Dispatcher.Table;

    /// <summary>Membership and slot ownership (null only for a dispatcher built without a node, in tests).</summary>
    public Cluster.ClusterState? Cluster => Dispatcher.Cluster;

    /// <summary>The parser limits in force; CONFIG SET proto-max-bulk-len replaces them (see <see cref="ServerConfig.Limits"/>).</summary>
    public RespLimits Limits => Config.Limits;

    /// <summary>Unix ms at start-up.</summary>
    public long StartedAt { get; }

    /// <summary>40 hex characters, new each start (INFO run_id).</summary>
    public string RunId { get; }

    /// <summary>Settings CONFIG GET reads and CONFIG SET changes at run time.</summary>
    public ServerConfig Config { get; }

    /// <summary>INFO's running figures (memory peak, the CONFIG RESETSTAT point).</summary>
    public ServerStatistics Statistics { get; } = new();

    /// <summary>40 hex characters (INFO master_replid); a primary with no replicas still has one.</summary>
    public string ReplicationId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
}
