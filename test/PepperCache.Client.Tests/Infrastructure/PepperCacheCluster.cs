using System.Diagnostics;
using System.Globalization;
using PepperCache.Client.Cluster;
using System.Text.Json;
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
    /// Waits (at most 60 s: nodes in one process, beside other tests, on a shared machine) until every running node
    /// lists exactly the running nodes as members, holds the same slot plan (one epoch, giving slots to exactly the
    /// running nodes, as <c>GET /cluster/nodes</c> reports it), and serves exactly the slots that plan gives it: every
    /// node's CLUSTER SLOTS is the plan, so no slot is left to move.
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

        var (plan, planProblem) = await AgreedPlanAsync(views);
        if (plan is null)
        {
            return planProblem;
        }

        if (Disagreement(views, plan) is { } disagreement)
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

        return Disagreement(views, plan) is { } slotsDisagreement ? "CLUSTER SLOTS: " + slotsDisagreement : null;
    }

    /// <summary>
    /// The slot plan every node holds (from <c>GET /cluster/nodes</c>: each member's planned ranges and the plan's
    /// epoch), or null and why, when the nodes hold different plans or the plan does not give slots to exactly the
    /// running nodes.
    /// </summary>
    private async Task<(string?[]? Plan, string? Problem)> AgreedPlanAsync(List<View> views)
    {
        string?[]? agreed = null;
        long agreedEpoch = -1;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var member in Nodes)
        {
            var admin = member.AdminEndPoint;
            using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{admin.Port}/cluster/nodes")));
            var planned = new string?[HashSlot.SlotCount];
            long epoch = 0;
            foreach (var row in json.RootElement.EnumerateArray())
            {
                epoch = row.GetProperty("planEpoch").GetInt64();
                var id = row.GetProperty("id").GetString()!;
                foreach (var range in row.GetProperty("plannedSlotRanges").GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var bounds = range.Split('-');
                    var start = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                    Array.Fill(planned, id, start, int.Parse(bounds[^1], CultureInfo.InvariantCulture) - start + 1);
                }
            }

            if (agreed is null)
            {
                (agreed, agreedEpoch) = (planned, epoch);
            }
            else if (epoch != agreedEpoch || !planned.SequenceEqual(agreed))
            {
                return (null, $"{member.Node} holds slot plan {epoch}, another node {agreedEpoch}");
            }
        }

        var running = views.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        return agreed is not null && agreed.All(id => id is not null && running.Contains(id)) && agreed.Distinct().Count() == running.Count
            ? (agreed, null)
            : (null, $"slot plan {agreedEpoch} does not give slots to exactly the {running.Count} running nodes");
    }

    /// <summary>Null when every view has exactly the running nodes, at their addresses, serving the slots <paramref name="plan"/> gives them.</summary>
    private static string? Disagreement(List<View> views, string?[] plan)
    {
        foreach (var view in views)
        {
            if (view.Endpoints.Count != views.Count || views.Any(other => view.Endpoints.GetValueOrDefault(other.Id) != other.Node))
            {
                return $"{view.Node} knows {string.Join(", ", view.Endpoints.Select(e => $"{e.Key[..8]} at {e.Value}"))}, " +
                       $"not the {views.Count} running: {string.Join(", ", views.Select(v => $"{v.Id[..8]} at {v.Node}"))}";
            }

            var misplaced = Enumerable.Range(0, HashSlot.SlotCount).Count(s => view.Owners[s] != plan[s]);
            if (misplaced > 0)
            {
                return $"{view.Node} sees {misplaced} slots not yet where the slot plan puts them";
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
