using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A cluster of real server processes on loopback (<see cref="NodeProcess"/>), for what only processes show: a
/// SIGKILL that no code of the node sees, a SIGTERM leave, each node with a thread pool and GC of its own. The first
/// node founds the cluster, the others join through its admin port. Nothing is read from inside a node: "settled" is
/// what every node's <c>GET /cluster/nodes</c> says.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly int _nodeTimeout;

    private ProcessCluster(int nodeTimeout) => _nodeTimeout = nodeTimeout;

    /// <summary>The running members, the founder first.</summary>
    public List<Member> Nodes { get; } = [];

    public Member Founder => Nodes[0];

    /// <summary>Starts <paramref name="count"/> nodes with <c>--node-timeout</c> <paramref name="nodeTimeout"/> and waits until they have settled.</summary>
    public static async Task<ProcessCluster> StartAsync(int count, int nodeTimeout)
    {
        var cluster = new ProcessCluster(nodeTimeout);
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.AddAsync();
            }

            await cluster.WhenSettledAsync(TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node, joining through the founder; it is running, not yet settled, when this returns.</summary>
    public async Task<Member> AddAsync()
    {
        List<string> arguments = ["--node", "127.0.0.1", "--appendonly", "no", "--node-timeout", _nodeTimeout.ToString(CultureInfo.InvariantCulture)];
        if (Nodes.Count > 0)
        {
            arguments.AddRange(["--cluster", $"127.0.0.1:{Founder.Admin.Port}"]);
        }

        var (process, resp, admin) = await NodeProcess.StartOnFreePortsAsync(null, [.. arguments]);
        var member = new Member(process, resp, admin);
        Nodes.Add(member);
        return member;
    }

    /// <summary>SIGTERM, as systemd or <c>docker stop</c>: the node hands its slots and keys over and exits 0.</summary>
    public async Task LeaveAsync(Member member)
    {
        Nodes.Remove(member);
        await member.Process.SendSignalAsync("TERM");
        Assert.Equal(0, await member.Process.WaitForExitAsync());
        await member.Process.DisposeAsync();
    }

    /// <summary>SIGKILL (<c>kill -9</c>): the node stops at once, saying nothing to anyone.</summary>
    public async Task KillAsync(Member member)
    {
        Nodes.Remove(member);
        await member.Process.SendSignalAsync("KILL");
        await member.Process.WaitForExitAsync();
        await member.Process.DisposeAsync();
    }

    /// <summary>
    /// Waits until every running node lists exactly the running nodes as alive, all hold the same slot plan, every
    /// alive member serves exactly the slots that plan gives it (so no slot is left to move or to take over), and
    /// no rebalance is running.
    /// </summary>
    public async Task WhenSettledAsync(TimeSpan timeout)
    {
        await Eventually.UntilAsync(
            WhyUnsettledAsync, why => why is null, timeout, "the process cluster settles", why => $"{why}\n{Logs()}");
    }

    /// <summary>The node serving each slot, by RESP port, as the founder's <c>GET /cluster/nodes</c> says.</summary>
    public async Task<int[]> OwnersAsync()
    {
        var owners = new int[HashSlot.SlotCount];
        foreach (var row in await NodesOfAsync(Founder))
        {
            foreach (var (start, end) in Ranges(row.SlotRanges))
            {
                Array.Fill(owners, row.Port, start, end - start + 1);
            }
        }

        return owners;
    }

    private async Task<string?> WhyUnsettledAsync()
    {
        var running = Nodes.Select(n => n.Resp.Port).ToHashSet();
        long? epoch = null;
        Dictionary<string, string>? agreed = null;
        foreach (var node in Nodes)
        {
            NodeInfo[] rows;
            try
            {
                rows = await NodesOfAsync(node);
            }
            catch (HttpRequestException e)
            {
                return $"{node} does not answer GET /cluster/nodes: {e.Message}";
            }

            var alive = rows.Where(r => r.State == "alive").ToList();
            if (!alive.Select(r => r.Port).ToHashSet().SetEquals(running))
            {
                return $"{node} lists {string.Join(", ", rows.Select(r => $"{r.Port} {r.State}"))}, not the running {string.Join(", ", running)} alive";
            }

            if (alive.FirstOrDefault(r => r.SlotRanges != r.PlannedSlotRanges) is { } unmoved)
            {
                return $"{node} sees {unmoved.Port} serving {unmoved.Slots} slots, not yet the ones planned for it";
            }

            if (alive.Sum(r => r.Slots) != HashSlot.SlotCount)
            {
                return $"{node} sees {alive.Sum(r => r.Slots)} slots served";
            }

            if (rows.Single(r => r.Myself).Rebalance is { Running: true })
            {
                return $"{node} is rebalancing";
            }

            var view = alive.ToDictionary(r => r.Id, r => r.SlotRanges, StringComparer.Ordinal);
            if (epoch is null)
            {
                (epoch, agreed) = (rows[0].PlanEpoch, view);
            }
            else if (rows[0].PlanEpoch != epoch || view.Count != agreed!.Count || view.Any(v => agreed.GetValueOrDefault(v.Key) != v.Value))
            {
                return $"{node} holds another slot plan or table (plan epoch {rows[0].PlanEpoch}, another node {epoch})";
            }
        }

        return null;
    }

    /// <summary>Each node's membership events (suspicions, failures, plans) and warnings, the last few: for test output.</summary>
    public string Events() => string.Join('\n', Nodes.Select(n =>
        $"{n}:\n  " + string.Join("\n  ", n.Process.StandardOutput.Where(IsEvent).TakeLast(25))));

    private static bool IsEvent(string line) =>
        line.Contains("[WRN]", StringComparison.Ordinal) || line.Contains("[ERR]", StringComparison.Ordinal) ||
        line.Contains("uspect", StringComparison.Ordinal) || line.Contains("ailed", StringComparison.Ordinal) ||
        line.Contains("eturning", StringComparison.Ordinal) || line.Contains("lan", StringComparison.Ordinal) ||
        line.Contains("eassign", StringComparison.Ordinal);

    /// <summary>Each node's warnings and errors, the last few, for a failure message.</summary>
    private string Logs() => string.Join('\n', Nodes.Select(n =>
        $"{n}: " + string.Join("\n  ", n.Process.StandardOutput.Where(l => l.Contains("[WRN]", StringComparison.Ordinal) || l.Contains("[ERR]", StringComparison.Ordinal)).TakeLast(8))));

    private static async Task<NodeInfo[]> NodesOfAsync(Member node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetFromJsonAsync(
            new Uri($"http://127.0.0.1:{node.Admin.Port}/cluster/nodes"), ClusterJsonContext.Default.NodeInfoArray, TestContext.Current.CancellationToken) ?? [];
    }

    private static IEnumerable<(int Start, int End)> Ranges(string ranges) =>
        ranges.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r =>
        {
            var bounds = r.Split('-');
            return (int.Parse(bounds[0], CultureInfo.InvariantCulture), int.Parse(bounds[^1], CultureInfo.InvariantCulture));
        });

    /// <summary>Stops every node still running by its process id (SIGKILL: nothing is left to hand over).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.Process.DisposeAsync();
        }

        Nodes.Clear();
    }

    /// <summary>One node: its process and its RESP and admin endpoints on loopback.</summary>
    internal sealed record Member(NodeProcess Process, IPEndPoint Resp, IPEndPoint Admin)
    {
        public override string ToString() => $"127.0.0.1:{Resp.Port}";
    }
}
