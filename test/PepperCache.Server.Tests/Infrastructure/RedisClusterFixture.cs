using System.Net;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A real 3-master Redis Cluster (<see cref="RedisClusterServers"/>: redis-server 7.0.15, every node up), for comparing
/// CLUSTER replies with a node's. Ended with it.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private RedisClusterServers? _cluster;

    public IReadOnlyList<IPEndPoint> EndPoints => [.. (_cluster ?? throw new InvalidOperationException("not started")).Servers.Select(s => s.EndPoint)];

    public async ValueTask InitializeAsync() => _cluster = await RedisClusterServers.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
