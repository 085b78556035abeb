using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>Three in-process nodes whose slots are spread by the slot map, shared by a test class.</summary>
public sealed class ThreeNodeClusterFixture : IAsyncLifetime
{
    internal TestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await TestCluster.StartAsync(3);

    public async ValueTask DisposeAsync()
    {
        // Null when InitializeAsync failed (StartAsync stopped its nodes): xunit still disposes the fixture.
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
