using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Core.Cluster;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;
using PepperCache.Protocol;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// Several in-process nodes forming one cluster: the first founds it, the others start with <c>--cluster</c>
/// pointing at the first's admin port. Each runs the real rebalancer, so slots (and their keys) move where the agreed
/// slot plan puts them as members join and leave.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Func<IReadOnlyDictionary<string, string?>>? _perNode;
    private static int s_logNames;

    private TestCluster(Dictionary<string, string?> settings, Func<IReadOnlyDictionary<string, string?>>? perNode)
    {
        _settings = settings;
        _perNode = perNode;
    }

    public List<PepperCacheApplication> Nodes { get; } = [];

    /// <param name="perNode">Settings made afresh for each node (such as a TLS port of its own).</param>
    public static async Task<TestCluster> StartAsync(
        int count, int nodeTimeout = 5000, IReadOnlyDictionary<string, string?>? settings = null, Func<IReadOnlyDictionary<string, string?>>? perNode = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["PepperCache:NodeTimeout"] = nodeTimeout.ToString(CultureInfo.InvariantCulture),
        };
        if (Environment.GetEnvironmentVariable("PEPPER_TEST_CLUSTER_LOG") is { Length: > 0 } level)
        {
            // Debug shows every slot move and how long its slot was frozen.
            all["Serilog:MinimumLevel:Override:PepperCache.Server.Cluster"] = level;
        }

        var cluster = new TestCluster(all, perNode);
        try
        {
            for (var i = 0; i < count; i++)
            {
                cluster.AddNode();
            }

            await Eventually.UntilAsync(() => cluster.Nodes.All(n => ServingCount(n) == count), TimeSpan.FromSeconds(10), "every node sees every member");
            await cluster.WhenSettledAsync();
        }
        catch
        {
            // The caller gets no cluster to dispose: stop the nodes here, or they run (and gossip) for the rest of the test run.
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts a node that joins through the first node (or founds the cluster when it is the first).</summary>
    /// <param name="extra">Settings for this node only (<c>PepperCache:Cluster</c> names another seed).</param>
    /// <param name="configureServices">Service overrides for this node only, applied before it starts.</param>
    public PepperCacheApplication AddNode(IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? configureServices = null)
    {
        var settings = new Dictionary<string, string?>(_settings);
        if (Nodes.Count > 0)
        {
            settings["PepperCache:Cluster"] = $"127.0.0.1:{Nodes[0].AdminEndPoint.Port}";
        }

        if (_settings.ContainsKey("Serilog:MinimumLevel:Override:PepperCache.Server.Cluster"))
        {
            // The nodes share the test's console: each line says whose it is (node 1 is the first started in this process).
            settings["Serilog:Properties:LogNode"] = $"n{Interlocked.Increment(ref s_logNames)} ";
        }

        foreach (var (key, value) in (_perNode?.Invoke() ?? new Dictionary<string, string?>()).Concat(extra ?? new Dictionary<string, string?>()))
        {
            settings[key] = value;
        }

        var app = new PepperCacheApplication(settings, configureServices);
        // Starts the node (a node on TLS only has no plain RESP endpoint).
        _ = app.AdminEndPoint;
        Nodes.Add(app);
        return app;
    }

    /// <summary>Starts a node that joins, and waits until every member lists it and the slots due to it have moved.</summary>
    public async Task<PepperCacheApplication> JoinAsync()
    {
        var node = AddNode();
        await Eventually.UntilAsync(() => Nodes.All(n => ServingCount(n) == Nodes.Count), TimeSpan.FromSeconds(10), "every node sees the joiner");
        return node;
    }

    /// <summary>Graceful leave as on SIGTERM: the host stops, handing the node's slots and keys over first.</summary>
    public async Task LeaveAsync(PepperCacheApplication node)
    {
        Nodes.Remove(node);
        await node.DisposeAsync();
    }

    /// <summary>
    /// Waits until every node holds the same slot plan (one epoch, giving slots to exactly the running nodes), every
    /// slot is where that plan puts it in every node's view, no slot is frozen for a move, and no move is under way
    /// (an old owner drops a handed-over group's keys after the group's last reply).
    /// </summary>
    public Task WhenSettledAsync(TimeSpan? timeout = null) =>
        Eventually.UntilAsync(IsSettled, timeout ?? TimeSpan.FromSeconds(30), "the cluster settles", Describe);

    private bool IsSettled()
    {
        if (Nodes.Any(n => ServingCount(n) != Nodes.Count || Server(n).Migration.AnyFrozen || Rebalancer(n).Moving || !IsSpreadAsThePlanSays(n)))
        {
            return false;
        }

        var running = Nodes.Select(n => State(n).MyId).ToHashSet(StringComparer.Ordinal);
        var epoch = State(Nodes[0]).PlanEpoch;
        if (Nodes.Any(n => State(n).PlanEpoch != epoch) || !State(Nodes[0]).PlannedOwners().ToHashSet(StringComparer.Ordinal).SetEquals(running))
        {
            return false;
        }

        var first = State(Nodes[0]);
        return Nodes.Skip(1).All(n => Enumerable.Range(0, HashSlot.SlotCount).All(s => State(n).OwnerOf(s).Id == first.OwnerOf(s).Id));
    }

    /// <summary>The running node that serves <paramref name="slot"/>, as the first running node sees it.</summary>
    public PepperCacheApplication NodeServing(int slot)
    {
        var owner = OwnerOf(slot);
        return Nodes.Single(n => State(n).MyId == owner.Id);
    }

    /// <summary>Who serves <paramref name="slot"/>, as the first running node sees it (callable from any thread).</summary>
    public ClusterNode OwnerOf(int slot)
    {
        foreach (var node in Nodes.ToArray())
        {
            try
            {
                return State(node).OwnerOf(slot);
            }
            catch (ObjectDisposedException)
            {
                // A node leaving under the caller: ask the next.
            }
        }

        throw new InvalidOperationException("No node is running");
    }

    /// <summary>The node (of those running) whose id is <paramref name="id"/>.</summary>
    public PepperCacheApplication NodeWithId(string id) => Nodes.Single(n => State(n).MyId == id);

    /// <summary>
    /// Per node: address, slots served, slots due elsewhere, rebalance progress, and what <see cref="IsSettled"/> also
    /// checks: the members as this node sees them, its plan's epoch and members, and the slots it sees served away
    /// from that plan (for failure messages).
    /// </summary>
    public string Describe() => string.Join("; ", Nodes.Select(n =>
    {
        var state = State(n);
        var served = Enumerable.Range(0, HashSlot.SlotCount).Count(s => state.OwnerOf(s).Id == state.MyId);
        var due = Enumerable.Range(0, HashSlot.SlotCount).Count(s => state.OwnerOf(s).Id == state.MyId && state.DesiredOwnerOf(s).Id != state.MyId);
        var rebalancer = Rebalancer(n);
        var planned = state.PlannedOwners();
        var offPlan = Enumerable.Range(0, HashSlot.SlotCount).Count(s => planned[s] != state.OwnerOf(s).Id);
        var members = string.Join(" ", state.Members().Select(m => $"{Short(m.Id)}:{m.Status}/{m.Incarnation}"));
        var plan = string.Join(" ", planned.Where(o => o is not null).Distinct().Select(o => Short(o!)));
        return $"{state.Myself.Host}:{state.Myself.Port} ({Short(state.MyId)}) members {ServingCount(n)} [{members}], serves {served}, " +
               $"due elsewhere {due}, plan epoch {state.PlanEpoch} for [{plan}] with {offPlan} slots served elsewhere, " +
               $"frozen {Server(n).Migration.AnyFrozen}, moving {rebalancer.Moving}, failed moves {Interlocked.Read(ref rebalancer.FailedMoves)}, {rebalancer.Progress}";

        static string Short(string id) => id.Length > 6 ? id[..6] : id;
    }));

    public static ClusterState State(PepperCacheApplication node) => node.Services.GetRequiredService<ClusterState>();

    public static ServerState Server(PepperCacheApplication node) => node.Services.GetRequiredService<ServerState>();

    public static RebalanceService Rebalancer(PepperCacheApplication node) => node.Services.GetRequiredService<RebalanceService>();

    public static GossipService Gossip(PepperCacheApplication node) => node.Services.GetRequiredService<GossipService>();

    public static int ServingCount(PepperCacheApplication node) => State(node).Members().Count(m => m.IsServing);

    /// <summary>
    /// Every slot is served where the slot plan this node holds puts it, and that plan names serving members only
    /// (so this node has nothing left to move, nor a new plan to wait for).
    /// </summary>
    public static bool IsSpreadAsThePlanSays(PepperCacheApplication node)
    {
        var state = State(node);
        var planned = state.PlannedOwners();
        var serving = state.Members().Where(m => m.IsServing).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (planned[slot] is not { } owner || !serving.Contains(owner) || state.OwnerOf(slot).Id != owner)
            {
                return false;
            }
        }

        return true;
    }

    public static async Task<string[]> GetClusterAsync(PepperCacheApplication node)
    {
        using var http = node.CreateAdminClient();
        return await http.GetFromJsonAsync<string[]>("/cluster", TestContext.Current.CancellationToken) ?? [];
    }

    /// <summary>Stops a node as a crash would: no graceful leave.</summary>
    public static async Task CrashAsync(PepperCacheApplication node)
    {
        node.Services.GetRequiredService<GossipService>().LeaveOnStop = false;
        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            try
            {
                node.Services.GetRequiredService<GossipService>().LeaveOnStop = false;
            }
            catch (ObjectDisposedException)
            {
                // Already stopped by the test.
            }
        }

        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
