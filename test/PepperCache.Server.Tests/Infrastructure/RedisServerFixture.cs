using System.Net;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A real redis-server (<see cref="RedisServer"/>, the reference for differential tests) and beside it a PepperCache
/// node, so one class fixture gives a test both ends to compare.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _redis;

    public IPEndPoint RedisEndPoint => _redis?.EndPoint ?? throw new InvalidOperationException("not started");

    public PepperCacheApplication Node { get; } = new();

    public async ValueTask InitializeAsync()
    {
        _ = Node.RespEndPoint;
        _redis = await RedisServer.StartAsync();
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
