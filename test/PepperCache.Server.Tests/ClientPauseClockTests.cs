using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.BlockingScenario;

namespace PepperCache.Server.Tests;

/// <summary>
/// CLIENT PAUSE on a node whose clock is fake: the pause ends when its time has come and not a millisecond before,
/// and while it lasts the expiry cycle reclaims nothing, as Redis keeps the dataset still during a pause. Each step
/// moves the clock and waits for what that fires (an expiry cycle, a held reply), never for real time.
/// </summary>
public sealed class ClientPauseClockTests : FakeClockNode
{
    [Fact]
    public async Task APauseEndsAtItsTimeoutAndTheHeldWriteRuns()
    {
        await using var pauser = await RespFrameClient.ConnectAsync(App.RespEndPoint);
        await using var writer = await RespFrameClient.ConnectAsync(App.RespEndPoint);
        Assert.Equal("+OK\r\n", await Text(pauser, "CLIENT", "PAUSE", "1000", "WRITE"));
        await writer.SendAsync(["SET", "clock:k", "v"]);
        await WaitForBlockedAsync(pauser, 1);

        Clock.Advance(TimeSpan.FromMilliseconds(999));
        // One ms short of the end the write is still held (the clock fires timers as it moves, synchronously).
        Assert.Equal("$-1\r\n", await Text(pauser, "GET", "clock:k"));
        Assert.Equal("blocked_clients:1", BlockedClients(await Text(pauser, "INFO", "clients")));

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("+OK\r\n", await Read(writer));
        Assert.Equal("$1\r\nv\r\n", await Text(pauser, "GET", "clock:k"));
    }

    [Fact]
    public async Task NoKeyExpiresInTheBackgroundWhileClientsArePaused()
    {
        await using var client = await RespFrameClient.ConnectAsync(App.RespEndPoint);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("+OK\r\n", await Text(client, "SET", $"still:{i}", "v", "PX", "500"));
        }

        Assert.Equal("+OK\r\n", await Text(client, "CLIENT", "PAUSE", "60000", "WRITE"));
        // Well past the keys' expiry, a tick at a time, each tick's cycle waited for: DBSIZE counts keys not reclaimed.
        for (var step = 0; step < 10; step++)
        {
            await StepAsync(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(":50\r\n", await Text(client, "DBSIZE"));

        Assert.Equal("+OK\r\n", await Text(client, "CLIENT", "UNPAUSE"));
        for (var step = 0; step < 10 && await Text(client, "DBSIZE") != ":0\r\n"; step++)
        {
            await StepAsync(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(":0\r\n", await Text(client, "DBSIZE"));
    }

    /// <summary>Moves the fake clock on by <paramref name="by"/> (a tick) and waits until a cycle has run since.</summary>
    private async Task StepAsync(TimeSpan by)
    {
        var before = Expiry.Cycles;
        Clock.Advance(by);
        await Eventually.UntilAsync(() => Expiry.Cycles > before, Bound, $"an expiry cycle runs after the clock moved {by.TotalMilliseconds} ms");
    }
}
