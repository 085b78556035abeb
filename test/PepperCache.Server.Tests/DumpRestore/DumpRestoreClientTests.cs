using StackExchange.Redis;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>
/// StackExchange.Redis's KeyDump and KeyRestore (what migration tools built on it call) between a node and
/// redis-server 7.0.15, both ways, with an expiry.
/// </summary>
public sealed class DumpRestoreClientTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task KeyDumpOnOneServerRestoresOnTheOther()
    {
        await using var node = await servers.Node.ConnectAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { servers.RedisEndPoint },
            AbortOnConnectFail = true,
        });
        var nodeDb = node.GetDatabase();
        var redisDb = redis.GetDatabase();
        await nodeDb.KeyDeleteAsync(["se:hash", "se:copy"]);
        await redisDb.KeyDeleteAsync(["se:hash", "se:copy", "se:list"]);

        await nodeDb.HashSetAsync("se:hash", [new("a", "1"), new("b", "two")]);
        var fromNode = await nodeDb.KeyDumpAsync("se:hash");
        await redisDb.KeyRestoreAsync("se:copy", fromNode!, TimeSpan.FromMinutes(5));
        Assert.Equal("two", await redisDb.HashGetAsync("se:copy", "b"));
        Assert.InRange((await redisDb.KeyTimeToLiveAsync("se:copy"))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));

        await redisDb.ListRightPushAsync("se:list", ["x", "y", "z"]);
        var fromRedis = await redisDb.KeyDumpAsync("se:list");
        await nodeDb.KeyRestoreAsync("se:copy", fromRedis!, TimeSpan.FromMinutes(5));
        Assert.Equal(["x", "y", "z"], (await nodeDb.ListRangeAsync("se:copy")).Select(v => (string)v!));
        Assert.InRange((await nodeDb.KeyTimeToLiveAsync("se:copy"))!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Null(await nodeDb.KeyDumpAsync("se:missing"));

        var busy = await Assert.ThrowsAsync<RedisServerException>(() => nodeDb.KeyRestoreAsync("se:copy", fromRedis!));
        Assert.Equal("BUSYKEY Target key name already exists.", busy.Message);
    }
}
