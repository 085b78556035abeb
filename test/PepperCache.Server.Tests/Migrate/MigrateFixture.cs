using System.Net;
using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Migrate;

/// <summary>Both ends MIGRATE tests move keys between: two nodes, a redis-server, and one with requirepass.</summary>
public sealed class MigrateFixture : IAsyncLifetime
{
    public const string Password = "migrate-secret";

    private RedisServer? _redis;
    private RedisServer? _lockedRedis;

    public PepperCacheApplication Node { get; } = new();

    public PepperCacheApplication OtherNode { get; } = new();

    public IPEndPoint RedisEndPoint => _redis?.EndPoint ?? throw new InvalidOperationException("not started");

    /// <summary>A redis-server with requirepass <see cref="Password"/>.</summary>
    public IPEndPoint LockedRedisEndPoint => _lockedRedis?.EndPoint ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _ = Node.RespEndPoint;
        _ = OtherNode.RespEndPoint;
        _redis = await RedisServer.StartAsync();
        // The password is set once it answers: the start's probe does not authenticate.
        _lockedRedis = await RedisServer.StartAsync();
        await using var client = await RespFrameClient.ConnectAsync(_lockedRedis.EndPoint);
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "requirepass", Password));
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_lockedRedis is not null)
        {
            await _lockedRedis.DisposeAsync();
        }

        await Node.DisposeAsync();
        await OtherNode.DisposeAsync();
    }
}
