using PepperCache.Server.Hosting;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The node's background expiry cycle reclaims keys nobody touches. Time is a fake clock: advancing it fires the
/// cycle's timer, and each step waits for the cycle that tick ran (<see cref="ExpiryService.Cycles"/>), never for
/// real time to pass.
/// </summary>
public sealed class ActiveExpiryIntegrationTests : FakeClockNode
{
    [Fact]
    public async Task ExpiredKeysNobodyTouchesAreReclaimed()
    {
        await using var redis = await App.ConnectAsync();
        var db = redis.GetDatabase();
        for (var i = 0; i < 100; i++)
        {
            await db.ExecuteAsync("SET", $"active:{i}", "v", "PX", "500");
        }

        await db.ExecuteAsync("SET", "active:stays", "v");
        Assert.Equal(101L, (long)await db.ExecuteAsync("DBSIZE"));

        // Past the keys' expiry, a tick (hz 10: one every 100 ms) at a time, each waited for, over several cycles
        // at most. DBSIZE counts keys not yet reclaimed, as Redis's does, so it falls only when a cycle removes them.
        await StepAsync(TimeSpan.FromMilliseconds(600));
        for (var step = 0; step < 10 && (long)await db.ExecuteAsync("DBSIZE") != 1; step++)
        {
            await StepAsync(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(1L, (long)await db.ExecuteAsync("DBSIZE"));
        Assert.Equal("v", (string?)await db.StringGetAsync("active:stays"));
    }

    [Fact]
    public async Task ConfigSetHzChangesTheCycleRate()
    {
        await using var redis = await App.ConnectAsync(o => o.AllowAdmin = true);
        var db = redis.GetDatabase();
        await db.ExecuteAsync("CONFIG", "SET", "hz", "100");

        // One tick at the old rate (100 ms) lets the service see the new one; once its cycle ran, the period is 10 ms.
        await StepAsync(TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 20; i++)
        {
            await db.ExecuteAsync("SET", $"hz:{i}", "v", "PX", "5");
        }

        // 10 ms of fake time: a tenth of a tick at the default hz 10, a whole one at hz 100. Only the new rate fires
        // a cycle here (at the old one StepAsync times out), and that cycle finds the keys expired.
        await StepAsync(TimeSpan.FromMilliseconds(10));

        Assert.Equal(0L, (long)await db.ExecuteAsync("DBSIZE"));
    }

    /// <summary>Moves the fake clock on by <paramref name="by"/> (at least one tick) and waits until a cycle has run since.</summary>
    private async Task StepAsync(TimeSpan by)
    {
        var before = Expiry.Cycles;
        Clock.Advance(by);
        await Eventually.UntilAsync(() => Expiry.Cycles > before, Bound, $"an expiry cycle runs after the clock moved {by.TotalMilliseconds} ms");
    }
}
