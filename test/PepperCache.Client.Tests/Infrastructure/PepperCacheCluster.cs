using System.Diagnostics;
using PepperCache.Client.Cluster;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real PepperCache cluster in-process: three nodes (or as many as asked) on free loopback ports; the first
/// founds it and the others join through its admin port, as <c>--cluster</c> does. Ready once settled (see
/// <see cref="WhenSettledAsync"/>). Shared by the classes in the "PepperCache Cluster" collection, which therefore
/// run one after another; tests that change the member set start a cluster of their own.
/// </summary>
public sealed class PepperCacheCluster : IClusterEndpoint, IAsyncLifetime
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private readonly int _size;

    public PepperCacheCluster()
        : this(3)
    {
    }

    private PepperCacheCluster(int size) => _size = size;

    /// <summary>The running members, the founder first.</summary>
    public List<PepperCacheClusterNode> Nodes { get; } = [];

    public ClusterNode Seed => Nodes[0].Node;

    /// <summary>A cluster of <paramref name="size"/> (at least 2) nodes, settled; the caller disposes it.</summary>
    public static async Task<PepperCacheCluster> StartAsync(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        var cluster = new PepperCacheCluster(size);
        try
        {
            await cluster.InitializeAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < _size; i++)
        {
            AddNode();
        }

        await WhenSettledAsync();
    }

    /// <summary>Starts one more node, joining through the founder, and waits until its slots have moved to it.</summary>
    public async Task<PepperCacheClusterNode> JoinAsync()
    {
        var node = AddNode();
        await WhenSettledAsync();
        return node;
    }

    /// <summary>
    /// Stops <paramref name="node"/> as SIGTERM does (it hands its slots and keys over, then exits) and waits until
    /// the others have settled without it.
    /// </summary>
    public async Task LeaveAsync(PepperCacheClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        Nodes.Remove(node);
        await node.DisposeAsync();
        await WhenSettledAsync();
    }

    /// <summary>
    /// Waits (at most 30 s) until every running node lists exactly the running nodes as members and serves exactly
    /// the slots the slot map of that member set gives it: every node's CLUSTER SLOTS is the same map, the one
    /// <see cref="SlotMap.Build(IReadOnlyCollection{string})"/> makes, so no slot is left to move.
    /// </summary>
    public async Task WhenSettledAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var unsettled = await WhyUnsettledAsync();
            if (unsettled is null)
            {
                return;
            }

            if (clock.Elapsed > SettleTimeout)
            {
                throw new TimeoutException($"The PepperCache cluster did not settle in {SettleTimeout.TotalSeconds} s: {unsettled}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Null when settled, else what is not.</summary>
    private async Task<string?> WhyUnsettledAsync()
    {
        var views = new List<(ClusterNode Node, string Id, HashSet<string> Members, string?[] Owners, Dictionary<string, ClusterNode> Endpoints)>();
        foreach (var member in Nodes)
        {
            var node = member.Node;
            await using var connection = await RespConnection.ConnectAsync(node.Host, node.Port);
            var id = await connection.ExecuteAsync("CLUSTER", "MYID");
            var nodes = await connection.ExecuteAsync("CLUSTER", "NODES");
            var slots = await connection.ExecuteAsync("CLUSTER", "SLOTS");
            if (id.IsError || nodes.IsError || slots.IsError)
            {
                return $"{node} answers {id} / {nodes} / {slots}";
            }

            // CLUSTER NODES: "<id> <host:port@admin> <flags> ..."; a failed member is flagged "fail".
            var members = (nodes.Text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .Where(fields => !fields[2].Split(',').Contains("fail"))
                .Select(fields => fields[0])
                .ToHashSet(StringComparer.Ordinal);
            var owners = new string?[HashSlot.SlotCount];
            var endpoints = new Dictionary<string, ClusterNode>(StringComparer.Ordinal);
            foreach (var range in slots.Elements)
            {
                var owner = range.Elements[2].Elements;
                var ownerId = owner[2].Text!;
                endpoints[ownerId] = new ClusterNode(owner[0].Text!, (int)owner[1].Integer);
                Array.Fill(owners, ownerId, (int)range.Elements[0].Integer, (int)(range.Elements[1].Integer - range.Elements[0].Integer + 1));
            }

            views.Add((node, id.Text!, members, owners, endpoints));
        }

        var ids = views.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        var map = SlotMap.Build(ids);
        foreach (var view in views)
        {
            if (!view.Members.SetEquals(ids))
            {
                return $"{view.Node} lists {view.Members.Count} members, not the {ids.Count} running";
            }

            var misplaced = Enumerable.Range(0, HashSlot.SlotCount).Count(s => view.Owners[s] != map.OwnerOf(s));
            if (misplaced > 0)
            {
                return $"{view.Node} sees {misplaced} slots not yet where the slot map puts them";
            }

            var wrongEndpoint = views.FirstOrDefault(other => view.Endpoints.GetValueOrDefault(other.Id) != other.Node);
            if (wrongEndpoint.Id is not null)
            {
                return $"{view.Node} names {wrongEndpoint.Id} at {view.Endpoints.GetValueOrDefault(wrongEndpoint.Id)}, not {wrongEndpoint.Node}";
            }
        }

        return null;
    }

    private PepperCacheClusterNode AddNode()
    {
        var node = new PepperCacheClusterNode(Nodes.Count == 0 ? null : $"127.0.0.1:{Nodes[0].AdminEndPoint.Port}");
        try
        {
            _ = node.RespEndPoint;
        }
        catch
        {
            node.Dispose();
            throw;
        }

        Nodes.Add(node);
        return node;
    }

    /// <summary>Stops the nodes newest first, each leaving gracefully, so no stop waits on a member already gone.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = Nodes.Count - 1; i >= 0; i--)
        {
            await Nodes[i].DisposeAsync();
        }

        Nodes.Clear();
    }
}

[CollectionDefinition("PepperCache Cluster")]
public sealed class PepperCacheClusterCollection : ICollectionFixture<PepperCacheCluster>;
