using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Lists;

/// <summary>Blocking timeouts on the store's clock: a fake one is stepped, so the exact deadline is checked without waiting.</summary>
public sealed class ListBlockingClockTests(FakeClockNodeFixture node) : IClassFixture<FakeClockNodeFixture>
{
    [Fact]
    public async Task ATimeoutEndsTheWaitExactlyAtItsDeadlineAndAWakeUpDoesNotExtendIt()
    {
        var server = TestCluster.Server(node.App);
        await using var client = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        await client.SendAsync(["BLPOP", "clock:k", "10"]);
        await UntilBlockedAsync(1);

        node.Clock.Advance(TimeSpan.FromMilliseconds(6000));
        // Woken with nothing to take (as when another client was faster): it waits again, with its first deadline.
        server.Blocking.WakeSlot(HashSlot.Of("clock:k"u8));
        await UntilBlockedAsync(1);
        node.Clock.Advance(TimeSpan.FromMilliseconds(3999));
        Assert.Equal(1, server.Blocking.BlockedCount);
        node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("*-1\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        Assert.Equal(0, server.Blocking.BlockedCount);

        // Fractional seconds, as Redis reads them (0.25 s is 250 ms).
        await client.SendAsync(["BRPOP", "clock:a", "clock:b", "0.25"]);
        await UntilBlockedAsync(1);
        node.Clock.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Equal(1, server.Blocking.BlockedCount);
        node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("*-1\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));

        // 0 waits forever: a day later the client is still blocked, and a push serves it.
        await client.SendAsync(["BLMPOP", "0", "1", "clock:f", "LEFT"]);
        await UntilBlockedAsync(1);
        node.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, server.Blocking.BlockedCount);
        await using var pusher = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal(":1\r\n", Encoding.UTF8.GetString(await pusher.ExecuteAsync("RPUSH", "clock:f", "v")));
        Assert.Equal("*2\r\n$7\r\nclock:f\r\n*1\r\n$1\r\nv\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));

        async Task UntilBlockedAsync(int count) =>
            await Eventually.UntilAsync(() => server.Blocking.BlockedCount == count, TimeSpan.FromSeconds(10), $"{count} blocked");
    }
}
