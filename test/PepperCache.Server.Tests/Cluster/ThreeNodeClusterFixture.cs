using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>Three in-process nodes whose slots are spread by the slot map, shared by a test class.</summary>
public sealed class ThreeNodeClusterFixture : IAsyncLifetime
{
    internal TestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await TestCluster.StartAsync(3);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
