using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>
/// HybridCache (Microsoft.Extensions.Caching.Hybrid) with PepperCache as its L2 through AddStackExchangeRedisCache:
/// the same steps against one node and against a 3-node cluster. Each "application instance" is a service provider of
/// its own, so it has its own L1 (memory) and shares only the L2 (PepperCache); a value one instance created reaching
/// another without its factory running is the L2 at work.
/// </summary>
internal static class HybridCacheScenario
{
    /// <param name="seed">The node the Redis cache connects to (any member of a cluster).</param>
    /// <param name="holds">Whether PepperCache holds a key (on the member serving it).</param>
    public static async Task RunAsync(PepperCacheApplication seed, string prefix, Func<string, bool> holds)
    {
        var token = TestContext.Current.CancellationToken;
        await using var first = Instance(seed, prefix);
        await using var second = Instance(seed, prefix);
        var a = first.GetRequiredService<HybridCache>();
        var b = second.GetRequiredService<HybridCache>();
        var calls = 0;
        ValueTask<string> Create(string value)
        {
            calls++;
            return ValueTask.FromResult(value);
        }

        // HybridCache holds an L1 entry whose tags' invalidation times it has not read from L2 yet for invalid (its
        // IsTagExpired: "assume invalid until completed"), so under load the second call below could run its factory
        // again. Each instance reads a tag once: read "products" before counting.
        await TagLoadedAsync(a, "products");

        // GetOrCreateAsync: the factory runs once; the value lands in L1 and in PepperCache.
        Assert.Equal("pepper #1", await a.GetOrCreateAsync("product:1", _ => Create("pepper #1"), tags: ["products"], cancellationToken: token));
        Assert.Equal("pepper #1", await a.GetOrCreateAsync("product:1", _ => Create("other"), tags: ["products"], cancellationToken: token));
        Assert.Equal(1, calls);
        // HybridCache hands the value back as soon as the factory returns and writes L2 alongside: wait for the write.
        await LandsAsync(holds, prefix + "product:1");

        // Another instance finds it in PepperCache without running its factory.
        Assert.Equal("pepper #1", await b.GetOrCreateAsync("product:1", _ => Create("from b"), cancellationToken: token));
        Assert.Equal(1, calls);

        // Entry options: the L2 entry gets the expiration asked for.
        var options = new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(3), LocalCacheExpiration = TimeSpan.FromMinutes(1) };
        Assert.Equal(42, await a.GetOrCreateAsync("answer", _ => ValueTask.FromResult(42), options, cancellationToken: token));
        await LandsAsync(holds, prefix + "answer");
        Assert.Equal(42, await b.GetOrCreateAsync("answer", _ => ValueTask.FromResult(-1), options, cancellationToken: token));

        // RemoveAsync: gone from PepperCache and from the caller's L1; the next GetOrCreate runs the factory again.
        await a.RemoveAsync("product:1", token);
        Assert.False(holds(prefix + "product:1"));
        Assert.Equal("pepper #2", await a.GetOrCreateAsync("product:1", _ => Create("pepper #2"), tags: ["products"], cancellationToken: token));
        Assert.Equal(2, calls);

        // SetAsync with tags, then RemoveByTagAsync: every entry with the tag is invalid for this instance at once, and
        // for an instance that comes later (the invalidation is kept in PepperCache).
        await a.SetAsync("product:3", "pepper #3", tags: ["products", "spicy"], cancellationToken: token);
        await LandsAsync(holds, prefix + "product:3");
        await a.RemoveByTagAsync("spicy", token);
        Assert.Equal("fresh #3", await a.GetOrCreateAsync("product:3", _ => Create("fresh #3"), tags: ["products", "spicy"], cancellationToken: token));
        Assert.Equal(3, calls);
        await a.RemoveByTagAsync("products", token);
        await using var third = Instance(seed, prefix);
        var c = third.GetRequiredService<HybridCache>();
        Assert.Equal("fresh #1", await c.GetOrCreateAsync("product:1", _ => Create("fresh #1"), tags: ["products"], cancellationToken: token));
        Assert.Equal(4, calls);
        Assert.Equal(42, await c.GetOrCreateAsync("answer", _ => ValueTask.FromResult(-1), options, cancellationToken: token));
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="cache"/> has read <paramref name="tag"/>'s invalidation time from L2: then a
    /// tagged entry it just created is served from L1 instead of being created again.
    /// </summary>
    private static Task TagLoadedAsync(HybridCache cache, string tag)
    {
        var token = TestContext.Current.CancellationToken;
        var key = "tag-warm-up:" + tag;
        return Eventually.UntilAsync(
            async () =>
            {
                var created = await cache.GetOrCreateAsync(key, _ => ValueTask.FromResult(Guid.NewGuid().ToString()), tags: [tag], cancellationToken: token);
                return await cache.GetOrCreateAsync(key, _ => ValueTask.FromResult("created again"), tags: [tag], cancellationToken: token) == created;
            },
            TimeSpan.FromSeconds(10),
            $"HybridCache has read tag {tag} from PepperCache");
    }

    /// <summary>Waits (bounded) until PepperCache holds <paramref name="key"/>.</summary>
    private static Task LandsAsync(Func<string, bool> holds, string key) =>
        Eventually.UntilAsync(() => holds(key), TimeSpan.FromSeconds(10), $"PepperCache holds {key}");

    /// <summary>One application instance: its own HybridCache (L1) over PepperCache (L2).</summary>
    public static ServiceProvider Instance(PepperCacheApplication seed, string prefix) =>
        DistributedCacheClusterIntegrationTests.DistributedCacheProvider(seed, prefix, services => services.AddHybridCache());

    public static byte[] Utf8(string key) => Encoding.UTF8.GetBytes(key);
}
