using PepperCache.Testing;

namespace PepperCache.Benchmark.Tests;

/// <summary>A real three-master Redis Cluster (<see cref="RedisClusterServers"/>) for --cluster runs; ended with the class.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private RedisClusterServers? _cluster;

    public IReadOnlyList<int> Ports => _cluster?.Ports ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => _cluster = await RedisClusterServers.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
