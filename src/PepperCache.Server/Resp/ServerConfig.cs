using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Hosting;
using PepperCache.Server.Persistence;

namespace PepperCache.Server.Resp;

/// <summary>
/// The settings CONFIG SET can change while the node runs, seeded from <see cref="PepperCacheOptions"/>. Written by
/// one connection and read by others without a lock: each value is a single reference or word, and a reader seeing
/// the old value for a moment is harmless.
/// </summary>
internal sealed class ServerConfig(PepperCacheOptions options, RespLimits limits, MemorySettings memory, EncodingSettings encodings)
{
    /// <summary>When collections leave their compact encodings (hash-max-listpack-*): the next write reads a change.</summary>
    public EncodingSettings Encodings { get; } = encodings;

    /// <summary>Redis's eviction policy names, in its order (the CONFIG SET error lists them).</summary>
    public static readonly string[] MaxMemoryPolicies =
        ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"];

    /// <summary>The store's memory limit and eviction parameters: CONFIG SET changes them for the next command.</summary>
    public MemorySettings Memory { get; } = memory;

    public static readonly string[] AppendFsyncPolicies = ["everysec", "always", "no"];

    private string _appendFsync = options.AppendFsync;
    private volatile RespLimits _limits = limits;

    public PepperCacheOptions Options { get; } = options;

    /// <summary>
    /// The parser limits in force. <see cref="RespLimits"/> is immutable: CONFIG SET proto-max-bulk-len puts a new
    /// instance here, and every connection picks it up before it parses its next batch of input.
    /// </summary>
    public RespLimits Limits
    {
        get => _limits;
        set => _limits = value;
    }

    /// <summary>
    /// As Redis: any value is accepted and kept in 1-500. INFO and CONFIG GET report it; the active-expiry service
    /// picks a change up on its next tick.
    /// </summary>
    public int Hz { get; set; } = Math.Clamp(options.Hz, 1, 500);

    /// <summary>cluster-move-max-keys-per-sec and cluster-move-min-client-percent: the slot mover reads them as it goes.</summary>
    public Cluster.MovePaceSettings MovePace { get; } = new()
    {
        MaxKeysPerSecond = options.ClusterMoveMaxKeysPerSec,
        MinClientPercent = options.ClusterMoveMinClientPercent,
    };

    /// <summary>maxclients, timeout, tcp-keepalive and the output buffer limits.</summary>
    public ClientLimits Clients { get; } = new(options);

    /// <summary>Bytes the keyspace may hold; 0 = no limit.</summary>
    public long MaxMemory
    {
        get => Memory.MaxMemory;
        set => Memory.MaxMemory = value;
    }

    public string MaxMemoryPolicy
    {
        get => Memory.Policy.Name();
        set => Memory.Policy = EvictionPolicies.TryParse(value, out var policy) ? policy : Memory.Policy;
    }

    /// <summary>RDB snapshot points ("seconds changes ..."); PepperCache writes no RDB, so this is only stored.</summary>
    public string Save { get; set; } = "";

    /// <summary>Applied to the log at once: a CONFIG SET appendfsync always holds the next reply for its fsync.</summary>
    public string AppendFsync
    {
        get => Aof is null ? _appendFsync : AofSettings.Name(Aof.Policy);
        set
        {
            _appendFsync = value;
            if (Aof is not null && AofSettings.TryParseFsync(value, out var policy))
            {
                Aof.Policy = policy;
            }
        }
    }

    public long AutoAofRewritePercentage
    {
        get => Aof?.AutoRewritePercentage ?? 100;
        set
        {
            if (Aof is not null)
            {
                Aof.AutoRewritePercentage = (int)Math.Min(value, int.MaxValue);
            }
        }
    }

    public long AutoAofRewriteMinSize
    {
        get => Aof?.AutoRewriteMinSize ?? 64L * 1024 * 1024;
        set
        {
            if (Aof is not null)
            {
                Aof.AutoRewriteMinSize = value;
            }
        }
    }

    internal AppendOnlyLog? Aof { get; set; }

    /// <summary>Users and authentication: requirepass, protected-mode and acllog-max-len are read and set here.</summary>
    internal Acl.AclState Acl { get; set; } = null!;

    public bool ReplicaReadOnly { get; set; } = true;

    /// <summary>The slow log, the latency monitor and latency tracking read their settings here (slowlog-*, latency-*).</summary>
    internal ServerStatistics Statistics { get; set; } = null!;

    /// <summary>latency-tracking-info-percentiles: the percentiles INFO latencystats prints.</summary>
    public IReadOnlyList<double> LatencyTrackingPercentiles { get; set; } = [50, 99, 99.9];
}
