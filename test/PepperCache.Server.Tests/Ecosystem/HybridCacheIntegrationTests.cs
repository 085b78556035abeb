using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>HybridCache over PepperCache (<see cref="HybridCacheScenario"/>) on one node.</summary>
public sealed class HybridCacheIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public Task GetOrCreateRemoveAndRemoveByTagWorkOnOneNode() =>
        HybridCacheScenario.RunAsync(node.App, "hc1:", key => node.App.Store.Exists(HybridCacheScenario.Utf8(key)));
}

/// <summary>HybridCache over PepperCache (<see cref="HybridCacheScenario"/>) on a 3-node cluster.</summary>
public sealed class HybridCacheClusterIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    [Fact]
    public Task GetOrCreateRemoveAndRemoveByTagWorkOnACluster() =>
        HybridCacheScenario.RunAsync(fixture.Cluster.Nodes[0], "hc3:", key => fixture.Cluster.Nodes.Any(n => n.Store.Exists(HybridCacheScenario.Utf8(key))));
}
