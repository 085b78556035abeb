using System.Net;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.BlockingScenario;

namespace PepperCache.Server.Tests.Lists;

/// <summary>
/// Blocking pops across connections, each scenario played on redis-server 7.0.15 and on a node: the replies every
/// client sees must be the same on both (and what the scenario expects). A client is known to be blocked when INFO's
/// <c>blocked_clients</c> says so (a bounded poll), never by waiting a while.
/// </summary>
public sealed class ListBlockingIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private const string Nil = "*-1\r\n";

    [Fact]
    public Task WaitersAreServedInArrivalOrder() => BothAsync(async server =>
    {
        await using var first = await RespFrameClient.ConnectAsync(server);
        await using var second = await RespFrameClient.ConnectAsync(server);
        await using var pusher = await RespFrameClient.ConnectAsync(server);
        await first.SendAsync(["BLPOP", "fifo:k", "0"]);
        await WaitForBlockedAsync(pusher, 1);
        await second.SendAsync(["BRPOP", "fifo:other", "fifo:k", "0"]);
        await WaitForBlockedAsync(pusher, 2);
        List<string> seen = [await Text(pusher, "RPUSH", "fifo:k", "a")];
        seen.Add(Encoding.UTF8.GetString(await first.ReadReplyAsync()));
        await WaitForBlockedAsync(pusher, 1);
        seen.Add(await Text(pusher, "RPUSH", "fifo:k", "b"));
        seen.Add(Encoding.UTF8.GetString(await second.ReadReplyAsync()));
        seen.Add(await Text(pusher, "EXISTS", "fifo:k"));
        return seen;
    }, ":1\r\n", "*2\r\n$6\r\nfifo:k\r\n$1\r\na\r\n", ":1\r\n", "*2\r\n$6\r\nfifo:k\r\n$1\r\nb\r\n", ":0\r\n");

    [Fact]
    public Task ATimeoutPastATimersReachWaitsAndIsServed() => BothAsync(async server =>
    {
        // 2^32 s is past what one timer can wait (about 49.7 days of ms); Redis takes it, and so must the node
        // (it once failed the connection). 1e300 s overflows Redis's milliseconds into a negative timeout.
        await using var waiter = await RespFrameClient.ConnectAsync(server);
        await using var pusher = await RespFrameClient.ConnectAsync(server);
        await waiter.SendAsync(["BLPOP", "far:k", "4294967296"]);
        await WaitForBlockedAsync(pusher, 1);
        List<string> seen = [await Text(pusher, "RPUSH", "far:k", "a")];
        seen.Add(Encoding.UTF8.GetString(await waiter.ReadReplyAsync()));
        seen.Add(await Text(pusher, "BLPOP", "far:k", "1e300"));
        return seen;
    }, ":1\r\n", "*2\r\n$5\r\nfar:k\r\n$1\r\na\r\n", "-ERR timeout is negative\r\n");

    [Fact]
    public Task OnePushOfSeveralElementsServesSeveralWaitersOneEach() => BothAsync(async server =>
    {
        await using var first = await RespFrameClient.ConnectAsync(server);
        await using var second = await RespFrameClient.ConnectAsync(server);
        await using var third = await RespFrameClient.ConnectAsync(server);
        await using var pusher = await RespFrameClient.ConnectAsync(server);
        await first.SendAsync(["BLPOP", "multi:k", "0"]);
        await WaitForBlockedAsync(pusher, 1);
        await second.SendAsync(["BLPOP", "multi:k", "0"]);
        await WaitForBlockedAsync(pusher, 2);
        await third.SendAsync(["BLMPOP", "0", "1", "multi:k", "LEFT", "COUNT", "5"]);
        await WaitForBlockedAsync(pusher, 3);
        List<string> seen = [await Text(pusher, "LPUSH", "multi:k", "a", "b", "c", "d")];
        seen.Add(Encoding.UTF8.GetString(await first.ReadReplyAsync()));
        seen.Add(Encoding.UTF8.GetString(await second.ReadReplyAsync()));
        seen.Add(Encoding.UTF8.GetString(await third.ReadReplyAsync()));
        await WaitForBlockedAsync(pusher, 0);
        seen.Add(await Text(pusher, "EXISTS", "multi:k"));
        return seen;
    },
    ":4\r\n",
    "*2\r\n$7\r\nmulti:k\r\n$1\r\nd\r\n",
    "*2\r\n$7\r\nmulti:k\r\n$1\r\nc\r\n",
    "*2\r\n$7\r\nmulti:k\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n",
    ":0\r\n");

    [Fact]
    public Task MovesAndPopsFromSeveralKeysWakeUp() => BothAsync(async server =>
    {
        await using var mover = await RespFrameClient.ConnectAsync(server);
        await using var popper = await RespFrameClient.ConnectAsync(server);
        await using var other = await RespFrameClient.ConnectAsync(server);
        // BLMOVE waits on its source; its push to the destination then wakes the BLPOP waiting there.
        await popper.SendAsync(["BLPOP", "mv:a", "mv:dst", "0"]);
        await WaitForBlockedAsync(other, 1);
        await mover.SendAsync(["BLMOVE", "mv:src", "mv:dst", "RIGHT", "LEFT", "0"]);
        await WaitForBlockedAsync(other, 2);
        List<string> seen = [await Text(other, "RPUSH", "mv:src", "x", "y")];
        seen.Add(Encoding.UTF8.GetString(await mover.ReadReplyAsync()));
        seen.Add(Encoding.UTF8.GetString(await popper.ReadReplyAsync()));
        seen.Add(await Text(other, "LRANGE", "mv:src", "0", "-1"));
        seen.Add(await Text(other, "EXISTS", "mv:dst"));
        await mover.SendAsync(["BRPOPLPUSH", "mv:none", "mv:dst2", "0"]);
        await WaitForBlockedAsync(other, 1);
        seen.Add(await Text(other, "LMOVE", "mv:src", "mv:none", "LEFT", "LEFT"));
        seen.Add(Encoding.UTF8.GetString(await mover.ReadReplyAsync()));
        seen.Add(await Text(other, "LRANGE", "mv:dst2", "0", "-1"));
        seen.Add(await Text(other, "DEL", "mv:dst2"));
        return seen;
    },
    ":2\r\n",
    "$1\r\ny\r\n",
    "*2\r\n$6\r\nmv:dst\r\n$1\r\ny\r\n",
    "*1\r\n$1\r\nx\r\n",
    ":0\r\n",
    "$1\r\nx\r\n",
    "$1\r\nx\r\n",
    "*1\r\n$1\r\nx\r\n",
    ":1\r\n");

    [Fact]
    public Task TimeoutsAnswerNilAndCommandsAfterABlockWaitForIt() => BothAsync(async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await using var pusher = await RespFrameClient.ConnectAsync(server);
        List<string> seen = [];
        foreach (var command in new[] { "BLPOP to:k 0.05", "BRPOP to:a to:b 0.01", "BLMOVE to:k to:d LEFT LEFT 0.02", "BRPOPLPUSH to:k to:d 0.02", "BLMPOP 0.02 2 to:k to:x RIGHT", "BLPOP to:k 0.001", "BRPOP to:k 0.0001" })
        {
            seen.Add(Encoding.UTF8.GetString(await client.ExecuteAsync(command.Split(' '))));
        }

        // A command pipelined behind a blocked one is answered after it, in order.
        await client.SendAsync(["BLPOP", "to:p", "0"], ["PING"], ["LLEN", "to:p"]);
        await WaitForBlockedAsync(pusher, 1);
        seen.Add(await Text(pusher, "RPUSH", "to:p", "v"));
        seen.Add(Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        seen.Add(Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        seen.Add(Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        return seen;
    }, Nil, Nil, Nil, Nil, Nil, Nil, Nil, ":1\r\n", "*2\r\n$4\r\nto:p\r\n$1\r\nv\r\n", "+PONG\r\n", ":0\r\n");

    [Fact]
    public Task ClientUnblockEndsAWaitAsATimeoutOrAnError() => BothAsync(async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await using var admin = await RespFrameClient.ConnectAsync(server);
        var id = (await Text(client, "CLIENT", "ID"))[1..^2];
        List<string> seen = [await Text(admin, "CLIENT", "UNBLOCK", id)];
        await client.SendAsync(["BLPOP", "ub:k", "0"]);
        await WaitForBlockedAsync(admin, 1);
        seen.Add(ClientFlags(await Text(admin, "CLIENT", "LIST", "ID", id)));
        seen.Add(await Text(admin, "CLIENT", "UNBLOCK", id, "TIMEOUT"));
        seen.Add(Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        await client.SendAsync(["BLMOVE", "ub:k", "ub:d", "LEFT", "LEFT", "0"]);
        await WaitForBlockedAsync(admin, 1);
        seen.Add(await Text(admin, "CLIENT", "UNBLOCK", id, "error"));
        seen.Add(Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        seen.Add(await Text(admin, "CLIENT", "UNBLOCK", id, "ERROR"));
        seen.Add(ClientFlags(await Text(admin, "CLIENT", "LIST", "ID", id)));
        // The client is usable again, and an element pushed later stays in the list.
        seen.Add(await Text(client, "RPUSH", "ub:k", "v"));
        seen.Add(await Text(admin, "LPOP", "ub:k"));
        return seen;
    }, ":0\r\n", "flags=b", ":1\r\n", Nil, ":1\r\n", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", ":0\r\n", "flags=N", ":1\r\n", "$1\r\nv\r\n");

    [Fact]
    public Task AClientThatLeavesWhileBlockedIsForgotten() => BothAsync(async server =>
    {
        await using var other = await RespFrameClient.ConnectAsync(server);
        await using (var leaving = await RespFrameClient.ConnectAsync(server))
        {
            await leaving.SendAsync(["BLPOP", "gone:k", "0"]);
            await WaitForBlockedAsync(other, 1);
        }

        await WaitForBlockedAsync(other, 0);
        await using var killed = await RespFrameClient.ConnectAsync(server);
        var id = (await Text(killed, "CLIENT", "ID"))[1..^2];
        await killed.SendAsync(["BRPOP", "gone:k", "0"]);
        await WaitForBlockedAsync(other, 1);
        List<string> seen = [await Text(other, "CLIENT", "KILL", "ID", id)];
        await WaitForBlockedAsync(other, 0);
        seen.Add(await Text(other, "RPUSH", "gone:k", "a", "b"));
        seen.Add(await Text(other, "LRANGE", "gone:k", "0", "-1"));
        seen.Add(await Text(other, "DEL", "gone:k"));
        return seen;
    }, ":1\r\n", ":2\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", ":1\r\n");

    [Fact]
    public Task AKeyOfAnotherTypeDoesNotWakeAWaiter() => BothAsync(async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await using var other = await RespFrameClient.ConnectAsync(server);
        await client.SendAsync(["BLPOP", "wt:k", "0"]);
        await WaitForBlockedAsync(other, 1);
        List<string> seen = [await Text(other, "SET", "wt:k", "x")];
        seen.Add(await Text(other, "HSET", "wt:h", "f", "v"));
        seen.Add(await Text(other, "RENAME", "wt:h", "wt:k"));
        seen.Add(BlockedClients(await Text(other, "INFO", "clients")));
        seen.Add(await Text(other, "DEL", "wt:k"));
        seen.Add(await Text(other, "RPUSH", "wt:src", "v"));
        // A list arriving by RENAME serves the waiter too.
        seen.Add(await Text(other, "RENAME", "wt:src", "wt:k"));
        seen.Add(Encoding.UTF8.GetString(await client.ReadReplyAsync()));
        seen.Add(await Text(other, "EXISTS", "wt:k"));
        return seen;
    }, "+OK\r\n", ":1\r\n", "+OK\r\n", "blocked_clients:1", ":1\r\n", ":1\r\n", "+OK\r\n", "*2\r\n$4\r\nwt:k\r\n$1\r\nv\r\n", ":0\r\n");

    private Task BothAsync(Func<IPEndPoint, Task<List<string>>> scenario, params string[] expected) =>
        BlockingScenario.BothAsync(servers, scenario, expected);
}
