using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The node's background expiry cycle reclaims keys nobody touches. Time is a fake clock: advancing it fires the
/// cycle's timer, so these tests wait only for the cycle to run, never for real seconds to pass.
/// </summary>
public sealed class ActiveExpiryIntegrationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
    private readonly PepperCacheApplication _app;

    public ActiveExpiryIntegrationTests() =>
        _app = new PepperCacheApplication(configureServices: services => services.AddSingleton<TimeProvider>(_clock));

    public ValueTask InitializeAsync()
    {
        _ = _app.RespEndPoint;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ExpiredKeysNobodyTouchesAreReclaimed()
    {
        await using var redis = await _app.ConnectAsync();
        var db = redis.GetDatabase();
        for (var i = 0; i < 100; i++)
        {
            await db.ExecuteAsync("SET", $"active:{i}", "v", "PX", "500");
        }

        await db.ExecuteAsync("SET", "active:stays", "v");
        Assert.Equal(101L, (long)await db.ExecuteAsync("DBSIZE"));

        // Past the keys' expiry and over several cycles (hz 10: one every 100 ms). DBSIZE counts keys not yet
        // reclaimed, as Redis's does, so it falls only when the background cycle removes them.
        for (var step = 0; step < 50 && (long)await db.ExecuteAsync("DBSIZE") != 1; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1L, (long)await db.ExecuteAsync("DBSIZE"));
        Assert.Equal("v", (string?)await db.StringGetAsync("active:stays"));
    }

    [Fact]
    public async Task ConfigSetHzChangesTheCycleRate()
    {
        await using var redis = await _app.ConnectAsync(o => o.AllowAdmin = true);
        var db = redis.GetDatabase();
        await db.ExecuteAsync("CONFIG", "SET", "hz", "100");
        // One tick at the old rate lets the service see the new one; then let it settle on the new period.
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        await Task.Delay(200, TestContext.Current.CancellationToken);

        for (var i = 0; i < 20; i++)
        {
            await db.ExecuteAsync("SET", $"hz:{i}", "v", "PX", "5");
        }

        // 50 ms of fake time in all: less than one tick at the default hz 10, five ticks at hz 100.
        for (var step = 0; step < 5 && (long)await db.ExecuteAsync("DBSIZE") != 0; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            for (var wait = 0; wait < 10 && (long)await db.ExecuteAsync("DBSIZE") != 0; wait++)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal(0L, (long)await db.ExecuteAsync("DBSIZE"));
    }
}
