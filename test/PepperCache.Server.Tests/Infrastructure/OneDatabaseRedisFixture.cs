using System.Net;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A redis-server started with <c>--databases 1</c>, beside a node: the reference for the commands that name another
/// database (MOVE, SWAPDB), as the node has one (CONFIG GET databases is 1).
/// </summary>
public sealed class OneDatabaseRedisFixture : IAsyncLifetime
{
    private RedisServer? _redis;

    public IPEndPoint RedisEndPoint => _redis?.EndPoint ?? throw new InvalidOperationException("not started");

    public PepperCacheApplication Node { get; } = new();

    public async ValueTask InitializeAsync()
    {
        _ = Node.RespEndPoint;
        _redis = await RedisServer.StartAsync(["--databases", "1"]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        await Node.DisposeAsync();
    }
}
