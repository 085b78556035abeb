using System.Diagnostics;
using System.Globalization;
using PepperCache.Client.Cluster;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real PepperCache cluster in-process: three nodes on free loopback ports; the first founds it and the others
/// join through its admin port, as <c>--cluster</c> does. Ready once settled (see <see cref="WhenSettledAsync"/>).
/// Shared by the classes in the "PepperCache Cluster" collection, which therefore run one after another; a class
/// that changes the member set has one of its own (a class fixture).
/// </summary>
public sealed class PepperCacheCluster : IClusterEndpoint, IAsyncLifetime
{
    private const int Size = 3;

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The running members, the founder first.</summary>
    public List<PepperCacheClusterNode> Nodes { get; } = [];

    public ClusterNode Seed => Nodes[0].Node;

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < Size; i++)
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
    /// Waits (at most 60 s: nodes in one process, beside other tests, on a shared machine) until every running node lists exactly the running nodes as members and serves exactly
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

    /// <summary>
    /// Null when settled, else what is not. Polled with CLUSTER NODES (a tenth of CLUSTER SLOTS's size, from the same
    /// snapshot, so polling does not slow the nodes it waits for); CLUSTER SLOTS is checked once that agrees.
    /// </summary>
    private async Task<string?> WhyUnsettledAsync()
    {
        var views = new List<View>();
        foreach (var member in Nodes)
        {
            var node = member.Node;
            await using var connection = await RespConnection.ConnectAsync(node.Host, node.Port);
            var id = await connection.ExecuteAsync("CLUSTER", "MYID");
            var nodes = await connection.ExecuteAsync("CLUSTER", "NODES");
            if (id.IsError || nodes.IsError)
            {
                return $"{node} answers {id} / {nodes}";
            }

            var (owners, endpoints) = ParseNodes(nodes.Text ?? "");
            views.Add(new View(node, id.Text!, owners, endpoints));
        }

        var map = SlotMap.Build(views.Select(v => v.Id).ToHashSet(StringComparer.Ordinal));
        if (Disagreement(views, map) is { } disagreement)
        {
            return disagreement;
        }

        views.Clear();
        foreach (var member in Nodes)
        {
            var node = member.Node;
            await using var connection = await RespConnection.ConnectAsync(node.Host, node.Port);
            var id = await connection.ExecuteAsync("CLUSTER", "MYID");
            var slots = await connection.ExecuteAsync("CLUSTER", "SLOTS");
            if (id.IsError || slots.IsError)
            {
                return $"{node} answers {id} / {slots}";
            }

            var (owners, endpoints) = ParseSlots(slots);
            views.Add(new View(node, id.Text!, owners, endpoints));
        }

        return Disagreement(views, map) is { } slotsDisagreement ? "CLUSTER SLOTS: " + slotsDisagreement : null;
    }

    /// <summary>Null when every view has exactly the running nodes, at their addresses, serving the slots <paramref name="map"/> gives them.</summary>
    private static string? Disagreement(List<View> views, SlotMap map)
    {
        foreach (var view in views)
        {
            if (view.Endpoints.Count != views.Count || views.Any(other => view.Endpoints.GetValueOrDefault(other.Id) != other.Node))
            {
                return $"{view.Node} knows {string.Join(", ", view.Endpoints.Select(e => $"{e.Key[..8]} at {e.Value}"))}, " +
                       $"not the {views.Count} running: {string.Join(", ", views.Select(v => $"{v.Id[..8]} at {v.Node}"))}";
            }

            var misplaced = Enumerable.Range(0, HashSlot.SlotCount).Count(s => view.Owners[s] != map.OwnerOf(s));
            if (misplaced > 0)
            {
                return $"{view.Node} sees {misplaced} slots not yet where the slot map puts them";
            }
        }

        return null;
    }

    /// <summary>
    /// CLUSTER NODES: <c>id host:port@admin flags master ping pong epoch link slot...</c> per member; a failed member
    /// is flagged <c>fail</c> and left out.
    /// </summary>
    private static (string?[] Owners, Dictionary<string, ClusterNode> Endpoints) ParseNodes(string text)
    {
        var owners = new string?[HashSlot.SlotCount];
        var endpoints = new Dictionary<string, ClusterNode>(StringComparer.Ordinal);
        foreach (var fields in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')))
        {
            if (fields[2].Split(',').Contains("fail"))
            {
                continue;
            }

            var address = fields[1].Split('@')[0];
            var colon = address.LastIndexOf(':');
            endpoints[fields[0]] = new ClusterNode(address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
            foreach (var range in fields.Skip(8))
            {
                var bounds = range.Split('-');
                var start = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                var end = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
                Array.Fill(owners, fields[0], start, end - start + 1);
            }
        }

        return (owners, endpoints);
    }

    /// <summary>CLUSTER SLOTS: <c>[start, end, [host, port, id, ...]]</c> per range.</summary>
    private static (string?[] Owners, Dictionary<string, ClusterNode> Endpoints) ParseSlots(RespReply slots)
    {
        var owners = new string?[HashSlot.SlotCount];
        var endpoints = new Dictionary<string, ClusterNode>(StringComparer.Ordinal);
        foreach (var range in slots.Elements)
        {
            var owner = range.Elements[2].Elements;
            var ownerId = owner[2].Text!;
            endpoints[ownerId] = new ClusterNode(owner[0].Text!, (int)owner[1].Integer);
            var start = (int)range.Elements[0].Integer;
            Array.Fill(owners, ownerId, start, (int)range.Elements[1].Integer - start + 1);
        }

        return (owners, endpoints);
    }

    /// <summary>One node's view: who it is, who it says serves each slot, and where it says each member is.</summary>
    private sealed record View(ClusterNode Node, string Id, string?[] Owners, Dictionary<string, ClusterNode> Endpoints);

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
