using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>In-process nodes on real loopback sockets sharing one <see cref="TestMembership"/>.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly List<ClusterMember> _nodes = [];

    public TestMembership Membership { get; } = new();

    public IReadOnlyList<ClusterMember> Nodes => _nodes;

    /// <summary>Starts <paramref name="count"/> nodes that serve all slots between them from the start.</summary>
    public static async Task<TestCluster> StartAsync(int count)
    {
        var cluster = new TestCluster();
        var members = new List<ClusterMember>();
        for (var i = 0; i < count; i++)
        {
            members.Add(await cluster.StartNodeAsync());
        }

        cluster.Membership.Bootstrap([.. members.Select(m => m.Node)]);
        return cluster;
    }

    /// <summary>Starts a node and has it join: slots move to it from their current owners.</summary>
    public async Task<ClusterMember> JoinAsync()
    {
        var member = await StartNodeAsync();
        Membership.Add(member.Node);
        return member;
    }

    /// <summary>Graceful leave: the member hands all its slots over, then stops.</summary>
    public async Task LeaveAsync(ClusterMember member, CancellationToken cancellationToken)
    {
        Membership.Remove(member.Node.Id);
        await member.Rebalancer.WhenSettledAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        _nodes.Remove(member);
        await member.App.DisposeAsync();
    }

    /// <summary>Waits until no node serves a slot the member set gives to another.</summary>
    public async Task WhenSettledAsync(CancellationToken cancellationToken)
    {
        foreach (var node in _nodes)
        {
            try
            {
                await node.Rebalancer.WhenSettledAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException("Not settled: " + Describe());
            }
        }
    }

    /// <summary>Per node: address, slots served, slots due elsewhere, rebalance progress (for failure messages).</summary>
    public string Describe() => string.Join("; ", _nodes.Select(n =>
    {
        var served = Enumerable.Range(0, PepperCache.Core.Cluster.HashSlot.SlotCount).Count(s => Membership.OwnerOf(s).Id == n.Node.Id);
        var due = Enumerable.Range(0, PepperCache.Core.Cluster.HashSlot.SlotCount)
            .Count(s => Membership.OwnerOf(s).Id == n.Node.Id && Membership.DesiredOwnerOf(s).Id != n.Node.Id);
        return $"{n.Node.Host}:{n.Node.Port} serves {served}, due elsewhere {due}, frozen {n.Server.Migration.AnyFrozen}, failed {n.Rebalancer.FailedMoves}, {n.Rebalancer.Progress}";
    }));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.App.DisposeAsync();
        }
    }

    private async Task<ClusterMember> StartNodeAsync()
    {
        var id = TestMembership.NewNodeId();
        var view = Membership.CreateView(id);
        var settings = new Dictionary<string, string?>();
        if (Environment.GetEnvironmentVariable("PEPPER_TEST_REBALANCE_LOG") is { Length: > 0 } level)
        {
            settings["Serilog:MinimumLevel:Override:PepperCache.Server.Cluster"] = level;
        }

        var app = new PepperCacheApplication(settings, services =>
        {
            services.AddSingleton<IClusterView>(view);
            services.AddSingleton(_ => new CommandDispatcher(TestClusterCommand.CreateTable()));
        });
        var resp = app.RespEndPoint;
        var admin = app.AdminEndPoint;
        var node = view.Bind(resp.Address.ToString(), resp.Port, admin.Port);
        var member = new ClusterMember(node, app, view);
        _nodes.Add(member);
        await Task.CompletedTask;
        return member;
    }
}

internal sealed record ClusterMember(PepperCache.Server.Cluster.ClusterNode Node, PepperCacheApplication App, TestClusterView View)
{
    public RebalanceService Rebalancer => App.Services.GetRequiredService<RebalanceService>();

    public ServerState Server => App.Services.GetRequiredService<ServerState>();
}
