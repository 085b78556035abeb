using Prometheus;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Hosting;

/// <summary>
/// The node's figures for <c>GET /metrics</c>, in Prometheus's text format through prometheus-net. Nothing is
/// counted for it on the command path: every value is read at scrape time (a before-collect callback) from the
/// counters INFO reads, so a scrape costs the scraper and the command path pays nothing. The counters are the raw,
/// monotonic ones: CONFIG RESETSTAT changes what INFO shows, not what Prometheus sees.
/// </summary>
/// <remarks>
/// The latency histogram is fed by difference: each scrape observes, per command, the durations recorded since the
/// previous scrape, each at the top of its fine bucket (two significant digits), so a Prometheus bucket edge and
/// <c>_sum</c> are right to within 1%.
/// </remarks>
internal sealed class NodeMetrics
{
    /// <summary>Prometheus bucket edges for command durations: 1 µs to 1 s (commands take from under a microsecond).</summary>
    private static readonly double[] DurationBuckets =
        [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private static readonly MemberStatus[] MemberStates = Enum.GetValues<MemberStatus>();

    private readonly ServerState _server;
    private readonly ClusterState _cluster;
    private readonly RebalanceService _rebalance;
    private readonly Lock _scrapeLock = new();
    private readonly Dictionary<CommandDefinition, long[]> _exportedLatencies = [];

    private readonly Counter _commands;
    private readonly Counter _rejected;
    private readonly Counter _failed;
    private readonly Histogram _duration;
    private readonly Counter _errors;
    private readonly Counter _commandsProcessed;
    private readonly Counter _hits;
    private readonly Counter _misses;
    private readonly Gauge _keys;
    private readonly Gauge _expiringKeys;
    private readonly Gauge _usedMemory;
    private readonly Gauge _maxMemory;
    private readonly Gauge _rss;
    private readonly Counter _expired;
    private readonly Counter _evicted;
    private readonly Gauge _clients;
    private readonly Gauge _blockedClients;
    private readonly Counter _connections;
    private readonly Counter _rejectedConnections;
    private readonly Counter _networkReceived;
    private readonly Counter _networkSent;
    private readonly Gauge _aofEnabled;
    private readonly Gauge _aofSize;
    private readonly Gauge _aofBuffer;
    private readonly Counter _aofRewrites;
    private readonly Gauge _aofRewriting;
    private readonly Gauge _aofFsyncLag;
    private readonly Gauge _members;
    private readonly Gauge _slotsOwned;
    private readonly Gauge _rebalanceRunning;
    private readonly Gauge _rebalanceSlotsToMove;
    private readonly Gauge _rebalanceSlotsMoved;
    private readonly Gauge _rebalanceKeysMoved;
    private readonly Gauge _rebalanceBytesMoved;
    private readonly Gauge _rebalancePace;
    private readonly Gauge _startTime;

    public NodeMetrics(ServerState server, ClusterState cluster, RebalanceService rebalance)
    {
        _server = server;
        _cluster = cluster;
        _rebalance = rebalance;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        string[] command = ["command"];
        _commands = factory.CreateCounter("peppercache_commands_total", "Commands run, those that answered an error included (INFO commandstats calls).", command);
        _rejected = factory.CreateCounter("peppercache_command_rejected_calls_total", "Commands refused before they ran: arity, NOAUTH, NOPERM, MOVED/ASK, OOM (rejected_calls).", command);
        _failed = factory.CreateCounter("peppercache_command_failed_calls_total", "Commands that ran and answered an error (failed_calls).", command);
        _duration = factory.CreateHistogram("peppercache_command_duration_seconds", "Time in the command handler (INFO latencystats).",
            new HistogramConfiguration { LabelNames = command, Buckets = DurationBuckets });
        _errors = factory.CreateCounter("peppercache_error_replies_total", "Error replies by error code (INFO errorstats).", ["code"]);
        _commandsProcessed = factory.CreateCounter("peppercache_commands_processed_total", "Commands received, unknown ones included (total_commands_processed).");
        _hits = factory.CreateCounter("peppercache_keyspace_hits_total", "Key lookups that found the key.");
        _misses = factory.CreateCounter("peppercache_keyspace_misses_total", "Key lookups that did not find the key.");
        _keys = factory.CreateGauge("peppercache_keys", "Keys in the keyspace.");
        _expiringKeys = factory.CreateGauge("peppercache_expiring_keys", "Keys with a time to live.");
        _usedMemory = factory.CreateGauge("peppercache_memory_used_bytes", "Bytes the keyspace holds (used_memory, the figure maxmemory limits).");
        _maxMemory = factory.CreateGauge("peppercache_memory_max_bytes", "maxmemory (0: no limit).");
        _rss = factory.CreateGauge("peppercache_memory_rss_bytes", "Resident set size of the process.");
        _expired = factory.CreateCounter("peppercache_expired_keys_total", "Keys removed because their time to live ran out.");
        _evicted = factory.CreateCounter("peppercache_evicted_keys_total", "Keys evicted under maxmemory.");
        _clients = factory.CreateGauge("peppercache_connected_clients", "Client connections open on the RESP port.");
        _blockedClients = factory.CreateGauge("peppercache_blocked_clients", "Clients waiting in a blocking command (BLPOP, BZPOPMIN...).");
        _connections = factory.CreateCounter("peppercache_connections_received_total", "Client connections accepted.");
        _rejectedConnections = factory.CreateCounter("peppercache_rejected_connections_total", "Client connections refused (maxclients, protected mode).");
        _networkReceived = factory.CreateCounter("peppercache_network_received_bytes_total", "Bytes received from clients on the RESP ports (total_net_input_bytes).");
        _networkSent = factory.CreateCounter("peppercache_network_sent_bytes_total", "Bytes sent to clients on the RESP ports (total_net_output_bytes).");
        _aofEnabled = factory.CreateGauge("peppercache_aof_enabled", "1 when the append-only file records writes.");
        _aofSize = factory.CreateGauge("peppercache_aof_size_bytes", "Size of appendonly.aof.");
        _aofBuffer = factory.CreateGauge("peppercache_aof_buffer_bytes", "Records appended and not yet written to the file.");
        _aofRewrites = factory.CreateCounter("peppercache_aof_rewrites_total", "Append-only file rewrites completed.");
        _aofRewriting = factory.CreateGauge("peppercache_aof_rewrite_in_progress", "1 while the append-only file is being rewritten.");
        _aofFsyncLag = factory.CreateGauge("peppercache_aof_fsync_lag_seconds", "Seconds since the last fsync while written records wait for one; 0 when none wait.");
        _members = factory.CreateGauge("peppercache_cluster_members", "Cluster members this node knows, by state.", ["state"]);
        _slotsOwned = factory.CreateGauge("peppercache_cluster_slots_owned", "Hash slots this node serves.");
        _rebalanceRunning = factory.CreateGauge("peppercache_rebalance_running", "1 while this node moves slots to other members.");
        _rebalanceSlotsToMove = factory.CreateGauge("peppercache_rebalance_slots_to_move", "Slots the current (or last) rebalance set out to move from this node.");
        _rebalanceSlotsMoved = factory.CreateGauge("peppercache_rebalance_slots_moved", "Slots the current (or last) rebalance has moved.");
        _rebalanceKeysMoved = factory.CreateGauge("peppercache_rebalance_keys_moved", "Keys the current (or last) rebalance has moved.");
        _rebalanceBytesMoved = factory.CreateGauge("peppercache_rebalance_moved_bytes", "Bytes the current (or last) rebalance has moved.");
        _rebalancePace = factory.CreateGauge(
            "peppercache_rebalance_duty_ratio", "Share of the time this node's moves may run to keep its clients' share (cluster-move-min-client-percent); 1 when they are not held.");
        _startTime = factory.CreateGauge("peppercache_start_time_seconds", "Start time of the node, Unix seconds.");
        Registry.AddBeforeCollectCallback(Update);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Reads every figure; under a lock, as two scrapes at once would feed the histogram the same durations twice.</summary>
    private void Update()
    {
        lock (_scrapeLock)
        {
            UpdateCommands();
            UpdateNode();
            UpdateCluster();
        }
    }

    private void UpdateCommands()
    {
        foreach (var (command, totals) in CommandStatistics.Totals(_server.Clients))
        {
            _commands.WithLabels(command.Name).IncTo(totals.Calls);
            _rejected.WithLabels(command.Name).IncTo(totals.Rejected);
            _failed.WithLabels(command.Name).IncTo(totals.Failed);
        }

        foreach (var (command, counts) in _server.Statistics.Commands.Histograms(_server.Commands))
        {
            var child = _duration.WithLabels(command.Name);
            var previous = _exportedLatencies.GetValueOrDefault(command);
            for (var i = 0; i < counts.Length; i++)
            {
                var added = counts[i] - (previous?[i] ?? 0);
                if (added > 0)
                {
                    child.Observe(LatencyHistogram.HighestValueAt(i) / 1e9, added);
                }
                else
                {
                    // A count read mid-increment as lower than last time: keep last time's, so nothing is counted twice.
                    counts[i] = previous?[i] ?? 0;
                }
            }

            _exportedLatencies[command] = counts;
        }

        foreach (var (code, count) in _server.Statistics.Errors.RawByCode())
        {
            _errors.WithLabels(code).IncTo(count);
        }
    }

    private void UpdateNode()
    {
        var server = _server;
        var store = server.Store;
        var stats = StatsSnapshot.Take(server);
        _commandsProcessed.IncTo(stats.Commands);
        _hits.IncTo(stats.Hits);
        _misses.IncTo(stats.Misses);
        _expired.IncTo(stats.ExpiredKeys);
        _evicted.IncTo(stats.EvictedKeys);
        _connections.IncTo(stats.Connections);
        _rejectedConnections.IncTo(stats.RejectedConnections);
        _networkReceived.IncTo(stats.NetInputBytes);
        _networkSent.IncTo(stats.NetOutputBytes);
        _keys.Set(store.Count);
        _expiringKeys.Set(store.VolatileCount);
        var used = store.UsedMemoryExact;
        server.Statistics.ObserveMemory(used);
        _usedMemory.Set(used);
        _maxMemory.Set(server.Config.MaxMemory);
        _rss.Set(Environment.WorkingSet);
        _clients.Set(server.Clients.ConnectedCount);
        _blockedClients.Set(server.Blocking.BlockedCount + server.Pause.HeldCount);
        var aof = server.Aof;
        _aofEnabled.Set(aof.IsRecording ? 1 : 0);
        _aofSize.Set(aof.IsRecording ? aof.CurrentSize : 0);
        _aofBuffer.Set(aof.BufferLength);
        _aofRewrites.IncTo(aof.Rewrites);
        _aofRewriting.Set(aof.RewriteInProgress ? 1 : 0);
        _aofFsyncLag.Set(aof.IsRecording ? aof.FsyncLagSeconds : 0);
        _startTime.Set(server.StartedAt / 1000.0);
    }

    private void UpdateCluster()
    {
        var members = _cluster.Members();
        foreach (var state in MemberStates)
        {
            _members.WithLabels(state.ToString().ToLowerInvariant()).Set(members.Count(m => m.Status == state));
        }

        var me = _cluster.Myself;
        var owners = _cluster.Snapshot.Owners;
        _slotsOwned.Set(owners.Count(owner => ReferenceEquals(owner, me)));
        var progress = _rebalance.Progress;
        _rebalanceRunning.Set(progress.Running ? 1 : 0);
        _rebalanceSlotsToMove.Set(progress.SlotsToMove);
        _rebalanceSlotsMoved.Set(progress.SlotsMoved);
        _rebalanceKeysMoved.Set(progress.KeysMoved);
        _rebalanceBytesMoved.Set(progress.BytesMoved);
        _rebalancePace.Set(_rebalance.Pacer.Duty);
    }
}
