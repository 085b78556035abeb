using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Hashes;

/// <summary>
/// Hashes through real clients: StackExchange.Redis's hash API, and .NET's IDistributedCache
/// (Microsoft.Extensions.Caching.StackExchangeRedis 10.0.15, which sends HSET or HMSET, HMGET, EXPIRE and UNLINK: no
/// Lua) with sliding and absolute expiry, on a node whose clock the test moves.
/// </summary>
public sealed class HashClientIntegrationTests(FakeClockNodeFixture node) : IClassFixture<FakeClockNodeFixture>
{
    [Fact]
    public async Task StackExchangeRedisHashApiWorks()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        await db.HashSetAsync("se:h", [new HashEntry("name", "pepper"), new HashEntry("count", 1), new HashEntry("bin", new byte[] { 0, 255 })]);
        Assert.True(await db.HashSetAsync("se:h", "new", "x"));
        Assert.False(await db.HashSetAsync("se:h", "new", "y"));
        Assert.False(await db.HashSetAsync("se:h", "name", "other", When.NotExists));
        Assert.Equal("pepper", (string?)await db.HashGetAsync("se:h", "name"));
        Assert.Equal(
            ["name=pepper", "count=1", "bin=\0\xff", "new=y"],
            (await db.HashGetAllAsync("se:h")).Select(e => e.Name + "=" + Encoding.Latin1.GetString((byte[])e.Value!)));
        Assert.Equal(11, await db.HashIncrementAsync("se:h", "count", 10));
        Assert.Equal(11.5, await db.HashIncrementAsync("se:h", "count", 0.5));
        Assert.Equal(4, await db.HashLengthAsync("se:h"));
        Assert.True(await db.HashExistsAsync("se:h", "bin"));
        Assert.Equal(2, await db.HashStringLengthAsync("se:h", "bin"));
        Assert.Equal(["pepper", RedisValue.Null], (await db.HashGetAsync("se:h", ["name", "missing"])).Select(v => (string?)v));
        Assert.Equal(["name", "count", "bin", "new"], (await db.HashKeysAsync("se:h")).Select(v => (string)v!));
        Assert.Equal(4, (await db.HashValuesAsync("se:h")).Length);
        Assert.Equal(4, db.HashScan("se:h", pageSize: 2).Count());
        Assert.Contains((string?)await db.HashRandomFieldAsync("se:h"), new[] { "name", "count", "bin", "new" });
        Assert.Equal(2, (await db.HashRandomFieldsWithValuesAsync("se:h", 2)).Length);
        Assert.Equal(2, await db.HashDeleteAsync("se:h", ["new", "bin", "missing"]));
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync("se:h"));
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => db.StringGetAsync("se:h"));
        Assert.StartsWith("WRONGTYPE", ex.Message, StringComparison.Ordinal);

        // MEMORY USAGE is the store's count for the key.
        Assert.True(node.App.Store.TryDescribe("se:h"u8, out var description));
        Assert.Equal(description.Bytes, (long)await db.ExecuteAsync("MEMORY", "USAGE", "se:h"));
    }

    [Fact]
    public async Task DistributedCacheSetGetRefreshRemoveWithSlidingAndAbsoluteExpiry()
    {
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = node.App.RespEndPoint.ToString();
            o.InstanceName = "dc:";
        });
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IDistributedCache>();
        var store = node.App.Store;
        var token = TestContext.Current.CancellationToken;

        // Sliding: each read or refresh gives the entry its full window again, counted on the node's clock.
        byte[] value = [1, 2, 0, 255];
        await cache.SetAsync("slide", value, new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(30) }, token);
        Assert.Equal(Core.Storage.DataType.Hash, store.TypeOf("dc:slide"u8));
        Assert.Equal(node.NowMs + 30_000, store.GetExpiresAt("dc:slide"u8));
        node.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(value, await cache.GetAsync("slide", token));
        Assert.Equal(node.NowMs + 30_000, store.GetExpiresAt("dc:slide"u8));
        node.Clock.Advance(TimeSpan.FromSeconds(20));
        await cache.RefreshAsync("slide", token);
        Assert.Equal(node.NowMs + 30_000, store.GetExpiresAt("dc:slide"u8));
        node.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await cache.GetAsync("slide", token));

        // Absolute: gone once its time has passed, whatever reads came before.
        await cache.SetAsync("abs", value, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30) }, token);
        Assert.Equal(node.NowMs + 30_000, store.GetExpiresAt("dc:abs"u8));
        node.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(value, await cache.GetAsync("abs", token));
        node.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await cache.GetAsync("abs", token));

        // Both: the sliding window, never past the absolute time.
        await cache.SetAsync("both", value, new DistributedCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10),
            SlidingExpiration = TimeSpan.FromSeconds(10),
        }, token);
        Assert.Equal(node.NowMs + 10_000, store.GetExpiresAt("dc:both"u8));
        node.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(value, await cache.GetAsync("both", token));
        node.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(value, await cache.GetAsync("both", token));
        node.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Null(await cache.GetAsync("both", token));

        // No expiry, synchronous API, and Remove.
        cache.Set("forever", [7]);
        Assert.Equal(-1, store.GetExpiresAt("dc:forever"u8));
        Assert.Equal([7], cache.Get("forever"));
        cache.Refresh("forever");
        cache.Remove("forever");
        Assert.Null(cache.Get("forever"));
        Assert.False(store.Exists("dc:forever"u8));
        await cache.SetAsync("gone", value, token);
        await cache.RemoveAsync("gone", token);
        Assert.Null(await cache.GetAsync("gone", token));
    }
}
