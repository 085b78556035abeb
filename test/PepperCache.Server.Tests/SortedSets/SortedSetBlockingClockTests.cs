using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.SortedSets;

/// <summary>Sorted-set blocking timeouts on the store's clock: a fake one is stepped, so the exact deadline is checked without waiting.</summary>
public sealed class SortedSetBlockingClockTests(FakeClockNodeFixture node) : IClassFixture<FakeClockNodeFixture>
{
    [Fact]
    public async Task FractionalTimeoutsEndTheWaitAtTheirDeadlineAndZeroWaitsForever()
    {
        var server = TestCluster.Server(node.App);
        await using var client = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);

        // 0.25 s is 250 ms, as Redis reads it; a wake-up with nothing to take does not extend it.
        await client.SendAsync(["BZPOPMIN", "zclock:a", "zclock:b", "0.25"]);
        await UntilBlockedAsync(1);
        node.Clock.Advance(TimeSpan.FromMilliseconds(100));
        server.Blocking.WakeSlot(HashSlot.Of("zclock:a"u8));
        await UntilBlockedAsync(1);
        node.Clock.Advance(TimeSpan.FromMilliseconds(149));
        Assert.Equal(1, server.Blocking.BlockedCount);
        node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("*-1\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        Assert.Equal(0, server.Blocking.BlockedCount);

        await client.SendAsync(["BZMPOP", "1.5", "1", "zclock:m", "MAX"]);
        await UntilBlockedAsync(1);
        node.Clock.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.Equal(1, server.Blocking.BlockedCount);
        node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("*-1\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));

        // 0 waits forever: ten minutes later the client is still blocked, and a ZADD serves it. (Not a day: stepping
        // the fake clock fires every periodic timer of the node on the way, which takes minutes on a busy machine.)
        await client.SendAsync(["BZPOPMAX", "zclock:f", "0"]);
        await UntilBlockedAsync(1);
        node.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, server.Blocking.BlockedCount);
        await using var writer = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal(":2\r\n", Encoding.UTF8.GetString(await writer.ExecuteAsync("ZADD", "zclock:f", "1", "a", "2", "b")));
        Assert.Equal("*3\r\n$8\r\nzclock:f\r\n$1\r\nb\r\n$1\r\n2\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        Assert.Equal(0, server.Blocking.BlockedCount);

        async Task UntilBlockedAsync(int count) =>
            await Eventually.UntilAsync(() => server.Blocking.BlockedCount == count, TimeSpan.FromSeconds(10), $"{count} blocked");
    }
}
