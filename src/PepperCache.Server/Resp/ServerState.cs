using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Resp;

/// <summary>The node-wide state command handlers share: store, options, clients, command table and identity.</summary>
internal sealed class ServerState
{
    public ServerState(
        KeyValueStore store,
        IOptions<PepperCacheOptions> options,
        ClientRegistry clients,
        CommandDispatcher dispatcher,
        IClusterView? cluster = null)
    {
        Cluster = cluster;
        Store = store;
        Options = options.Value;
        Clients = clients;
        Dispatcher = dispatcher;
        StartedAt = store.Now;
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        Limits = new RespLimits { MaxBulkLength = Options.ProtoMaxBulkLen };
        Config = new ServerConfig(Options, Limits);
    }

    /// <summary>The version PepperCache reports where Redis clients look for one (HELLO, INFO server).</summary>
    public const string RedisVersion = "7.2.0";

    public KeyValueStore Store { get; }

    /// <summary>Who serves each slot; null on a node with no cluster view registered (a cluster of one).</summary>
    public IClusterView? Cluster { get; }

    /// <summary>Frozen slots and recent imports (slot migration).</summary>
    public SlotMigrationState Migration { get; } = new();

    public PepperCacheOptions Options { get; }

    public ClientRegistry Clients { get; }

    public CommandDispatcher Dispatcher { get; }

    public CommandTable Commands => Dispatcher.Table;

    /// <summary>Parser limits shared by every connection; CONFIG SET proto-max-bulk-len changes them live.</summary>
    public RespLimits Limits { get; }

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
