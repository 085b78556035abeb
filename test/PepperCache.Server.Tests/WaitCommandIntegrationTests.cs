using System.Diagnostics;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.BlockingScenario;

namespace PepperCache.Server.Tests;

/// <summary>
/// WAIT for more replicas than there are (none on a node, none on the reference redis-server), across connections:
/// it blocks until its timeout and answers 0, a timeout of 0 blocks until CLIENT UNBLOCK or a disconnect. Each
/// scenario runs on redis-server 7.0.15 and on a node; a client is known to be blocked from INFO (a bounded poll).
/// </summary>
public sealed class WaitCommandIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public Task AWaitForAReplicaBlocksUntilItsTimeoutAndAnswersZero() => BothAsync(servers, async server =>
    {
        await using var waiter = await RespFrameClient.ConnectAsync(server);
        await using var other = await RespFrameClient.ConnectAsync(server);
        var id = (await Text(waiter, "CLIENT", "ID"))[1..^2];
        var started = Stopwatch.StartNew();
        await waiter.SendAsync(["WAIT", "1", "400"]);
        await WaitForBlockedAsync(other, 1);
        List<string> seen = [ClientFlags(await Text(other, "CLIENT", "LIST", "ID", id))];
        seen.Add(await Read(waiter));
        // The timeout is Redis's to keep: not answered before it (a scheduler may only make it later).
        seen.Add(started.ElapsedMilliseconds >= 350 ? "waited" : $"answered after {started.ElapsedMilliseconds} ms");
        await WaitForBlockedAsync(other, 0);
        seen.Add(await Text(waiter, "WAIT", "0", "0"));
        return seen;
    }, "flags=b", ":0\r\n", "waited", ":0\r\n");

    [Fact]
    public Task ClientUnblockEndsAWaitWithoutTimeout() => BothAsync(servers, async server =>
    {
        await using var waiter = await RespFrameClient.ConnectAsync(server);
        await using var other = await RespFrameClient.ConnectAsync(server);
        var id = (await Text(waiter, "CLIENT", "ID"))[1..^2];
        await waiter.SendAsync(["WAIT", "1", "0"]);
        await WaitForBlockedAsync(other, 1);
        List<string> seen = [await Text(other, "CLIENT", "UNBLOCK", id)];
        seen.Add(await Read(waiter));
        await waiter.SendAsync(["WAIT", "3", "0"]);
        await WaitForBlockedAsync(other, 1);
        seen.Add(await Text(other, "CLIENT", "UNBLOCK", id, "ERROR"));
        seen.Add(await Read(waiter));
        seen.Add(await Text(other, "CLIENT", "UNBLOCK", id));
        seen.Add(await Text(waiter, "PING"));
        return seen;
    }, ":1\r\n", ":0\r\n", ":1\r\n", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", ":0\r\n", "+PONG\r\n");

    [Fact]
    public Task AWaiterThatDisconnectsLeaves() => BothAsync(servers, async server =>
    {
        await using var other = await RespFrameClient.ConnectAsync(server);
        var waiter = await RespFrameClient.ConnectAsync(server);
        await waiter.SendAsync(["WAIT", "1", "0"]);
        await WaitForBlockedAsync(other, 1);
        await waiter.DisposeAsync();
        await WaitForBlockedAsync(other, 0);
        return [await Text(other, "PING")];
    }, "+PONG\r\n");
}
