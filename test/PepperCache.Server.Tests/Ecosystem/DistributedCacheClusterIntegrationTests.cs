using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>
/// .NET's IDistributedCache over Redis (Microsoft.Extensions.Caching.StackExchangeRedis) against a 3-node cluster:
/// configured with one member, StackExchange.Redis finds the others and sends each entry's HSET/HGETALL/EXPIRE to the
/// member serving its slot. The single-node test with a clock the test moves is HashClientIntegrationTests; here the
/// clock is real, so expiry times are checked against the wall clock read around each call.
/// </summary>
public sealed class DistributedCacheClusterIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private List<PepperCacheApplication> Nodes => fixture.Cluster.Nodes;

    [Fact]
    public async Task SetGetRefreshRemoveWorkAcrossTheMembersWithSlidingAndAbsoluteExpiry()
    {
        await using var provider = DistributedCacheProvider(Nodes[0], "dcc:");
        var cache = provider.GetRequiredService<IDistributedCache>();
        var token = TestContext.Current.CancellationToken;

        // Entries spread over the members by slot, each stored as a hash on the member that serves it.
        for (var i = 0; i < 30; i++)
        {
            await cache.SetStringAsync($"spread:{i}", $"value {i}", token);
        }

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal($"value {i}", await cache.GetStringAsync($"spread:{i}", token));
            Assert.Equal(Core.Storage.DataType.Hash, Owner($"dcc:spread:{i}").Store.TypeOf(Encoding.UTF8.GetBytes($"dcc:spread:{i}")));
        }

        Assert.Equal(3, Enumerable.Range(0, 30).Select(i => Owner($"dcc:spread:{i}")).Distinct().Count());

        // Sliding: each read or refresh sets the full window again on the owning member.
        byte[] value = [1, 2, 0, 255];
        var slide = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) };
        var before = Now();
        await cache.SetAsync("slide", value, slide, token);
        AssertExpiresWithin("dcc:slide", before + 300_000, Now() + 300_000);
        before = Now();
        Assert.Equal(value, await cache.GetAsync("slide", token));
        AssertExpiresWithin("dcc:slide", before + 300_000, Now() + 300_000);
        before = Now();
        await cache.RefreshAsync("slide", token);
        AssertExpiresWithin("dcc:slide", before + 300_000, Now() + 300_000);

        // Absolute, with a sliding window that would outlive it: never past the absolute time.
        var absolute = DateTimeOffset.UtcNow.AddMinutes(2);
        await cache.SetAsync("both", value, new DistributedCacheEntryOptions { AbsoluteExpiration = absolute, SlidingExpiration = TimeSpan.FromMinutes(10) }, token);
        AssertExpiresWithin("dcc:both", absolute.ToUnixTimeMilliseconds() - 1000, absolute.ToUnixTimeMilliseconds() + 1000);
        await cache.RefreshAsync("both", token);
        AssertExpiresWithin("dcc:both", absolute.ToUnixTimeMilliseconds() - 1000, absolute.ToUnixTimeMilliseconds() + 1000);

        // An absolute expiry that passes: the entry goes (waited for, bounded).
        await cache.SetAsync("short", value, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(1500) }, token);
        Assert.Equal(value, await cache.GetAsync("short", token));
        await Eventually.UntilAsync(async () => await cache.GetAsync("short", token) is null, TimeSpan.FromSeconds(10), "the entry expires", interval: TimeSpan.FromMilliseconds(100));
        Assert.False(Owner("dcc:short").Store.Exists("dcc:short"u8));

        // Remove, sync and async.
        cache.Set("gone", value);
        Assert.Equal(value, cache.Get("gone"));
        cache.Remove("gone");
        Assert.Null(cache.Get("gone"));
        await cache.SetAsync("gone2", value, token);
        await cache.RemoveAsync("gone2", token);
        Assert.Null(await cache.GetAsync("gone2", token));
        Assert.False(Owner("dcc:gone2").Store.Exists("dcc:gone2"u8));
    }

    internal static ServiceProvider DistributedCacheProvider(PepperCacheApplication seed, string instanceName, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = seed.RespEndPoint.ToString();
            o.InstanceName = instanceName;
        });
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>The member whose slot map gives it <paramref name="key"/>.</summary>
    internal PepperCacheApplication Owner(string key)
    {
        var slot = Protocol.HashSlot.Of(Encoding.UTF8.GetBytes(key));
        return Nodes.Single(n => TestCluster.State(n) is var state && state.OwnerOf(slot).Id == state.MyId);
    }

    private void AssertExpiresWithin(string key, long earliest, long latest)
    {
        var at = Owner(key).Store.GetExpiresAt(Encoding.UTF8.GetBytes(key));
        Assert.InRange(at, earliest, latest);
    }
}
