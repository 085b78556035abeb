using System.Net;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.BlockingScenario;

namespace PepperCache.Server.Tests.SortedSets;

/// <summary>
/// BZPOPMIN, BZPOPMAX and BZMPOP across connections, each scenario played on redis-server 7.0.15 and on a node: the
/// replies every client sees must be the same on both (and what the scenario expects). A client is known to be blocked
/// when INFO's <c>blocked_clients</c> says so (a bounded poll), never by waiting a while.
/// </summary>
public sealed class SortedSetBlockingIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private const string Nil = "*-1\r\n";

    [Fact]
    public Task WaitersAreServedInArrivalOrder() => BothAsync(async server =>
    {
        await using var first = await RespFrameClient.ConnectAsync(server);
        await using var second = await RespFrameClient.ConnectAsync(server);
        await using var writer = await RespFrameClient.ConnectAsync(server);
        await first.SendAsync(["BZPOPMIN", "zfifo:k", "0"]);
        await WaitForBlockedAsync(writer, 1);
        await second.SendAsync(["BZPOPMAX", "zfifo:other", "zfifo:k", "0"]);
        await WaitForBlockedAsync(writer, 2);
        List<string> seen = [await Text(writer, "ZADD", "zfifo:k", "1.5", "a")];
        seen.Add(await Read(first));
        await WaitForBlockedAsync(writer, 1);
        seen.Add(await Text(writer, "ZADD", "zfifo:k", "2", "b"));
        seen.Add(await Read(second));
        seen.Add(await Text(writer, "EXISTS", "zfifo:k"));
        return seen;
    }, ":1\r\n", "*3\r\n$7\r\nzfifo:k\r\n$1\r\na\r\n$3\r\n1.5\r\n", ":1\r\n", "*3\r\n$7\r\nzfifo:k\r\n$1\r\nb\r\n$1\r\n2\r\n", ":0\r\n");

    [Fact]
    public Task OneZaddOfSeveralMembersServesSeveralWaitersInOrder() => BothAsync(async server =>
    {
        await using var first = await RespFrameClient.ConnectAsync(server);
        await using var second = await RespFrameClient.ConnectAsync(server);
        await using var third = await RespFrameClient.ConnectAsync(server);
        await using var writer = await RespFrameClient.ConnectAsync(server);
        await first.SendAsync(["BZPOPMIN", "zmulti:k", "0"]);
        await WaitForBlockedAsync(writer, 1);
        await second.SendAsync(["BZPOPMAX", "zmulti:k", "0"]);
        await WaitForBlockedAsync(writer, 2);
        await third.SendAsync(["BZMPOP", "0", "2", "zmulti:x", "zmulti:k", "MIN", "COUNT", "5"]);
        await WaitForBlockedAsync(writer, 3);
        List<string> seen = [await Text(writer, "ZADD", "zmulti:k", "1", "a", "2", "b", "3", "c", "4", "d")];
        seen.Add(await Read(first));
        seen.Add(await Read(second));
        seen.Add(await Read(third));
        await WaitForBlockedAsync(writer, 0);
        seen.Add(await Text(writer, "EXISTS", "zmulti:k"));
        return seen;
    },
    ":4\r\n",
    "*3\r\n$8\r\nzmulti:k\r\n$1\r\na\r\n$1\r\n1\r\n",
    "*3\r\n$8\r\nzmulti:k\r\n$1\r\nd\r\n$1\r\n4\r\n",
    "*2\r\n$8\r\nzmulti:k\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    ":0\r\n");

    [Fact]
    public Task WritesThatLeaveASortedSetWakeWaitersAndOtherTypesDoNot() => BothAsync(async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await using var lister = await RespFrameClient.ConnectAsync(server);
        await using var other = await RespFrameClient.ConnectAsync(server);
        List<string> seen = [];

        // A list waiter queued first on the key is skipped by a sorted set, and a list wakes only it.
        await lister.SendAsync(["BLPOP", "{zw}k", "0"]);
        await WaitForBlockedAsync(other, 1);
        await client.SendAsync(["BZPOPMIN", "{zw}k", "0"]);
        await WaitForBlockedAsync(other, 2);
        seen.Add(await Text(other, "ZINCRBY", "{zw}k", "2.5", "m"));
        seen.Add(await Read(client));
        await WaitForBlockedAsync(other, 1);
        await client.SendAsync(["BZPOPMAX", "{zw}k", "0"]);
        await WaitForBlockedAsync(other, 2);
        seen.Add(await Text(other, "RPUSH", "{zw}k", "e"));
        seen.Add(await Read(lister));
        await WaitForBlockedAsync(other, 1);
        seen.Add(await Text(other, "SET", "{zw}k", "x"));
        seen.Add(await Text(other, "SADD", "{zw}s", "a"));
        seen.Add(await Text(other, "RENAME", "{zw}s", "{zw}k"));
        seen.Add(BlockedClients(await Text(other, "INFO", "clients")));
        seen.Add(await Text(other, "DEL", "{zw}k"));

        // The STORE commands and RENAME put a sorted set there (the BZPOPMAX above still waits).
        seen.Add(await Text(other, "ZADD", "{zw}a", "1", "x", "2", "y"));
        seen.Add(await Text(other, "SADD", "{zw}b", "y", "z"));
        seen.Add(await Text(other, "ZUNIONSTORE", "{zw}k", "2", "{zw}a", "{zw}b", "WEIGHTS", "2", "3"));
        seen.Add(await Read(client));
        foreach (var store in new[]
        {
            new[] { "ZINTERSTORE", "{zw}k", "2", "{zw}a", "{zw}b" },
            ["ZDIFFSTORE", "{zw}k", "2", "{zw}a", "{zw}b"],
            ["ZRANGESTORE", "{zw}k", "{zw}a", "0", "0"],
        })
        {
            seen.Add(await Text(other, "DEL", "{zw}k"));
            await client.SendAsync(["BZMPOP", "0", "1", "{zw}k", "MAX", "COUNT", "10"]);
            await WaitForBlockedAsync(other, 1);
            seen.Add(await Text(other, store));
            seen.Add(await Read(client));
        }

        await client.SendAsync(["BZPOPMIN", "{zw}none", "{zw}k", "0"]);
        await WaitForBlockedAsync(other, 1);
        seen.Add(await Text(other, "RENAME", "{zw}a", "{zw}k"));
        seen.Add(await Read(client));
        seen.Add(await Text(other, "ZRANGE", "{zw}k", "0", "-1", "WITHSCORES"));
        seen.Add(await Text(other, "DEL", "{zw}k", "{zw}b"));
        return seen;
    },
    "$3\r\n2.5\r\n",
    "*3\r\n$5\r\n{zw}k\r\n$1\r\nm\r\n$3\r\n2.5\r\n",
    ":1\r\n",
    "*2\r\n$5\r\n{zw}k\r\n$1\r\ne\r\n",
    "+OK\r\n",
    ":1\r\n",
    "+OK\r\n",
    "blocked_clients:1",
    ":1\r\n",
    ":2\r\n",
    ":2\r\n",
    ":3\r\n",
    "*3\r\n$5\r\n{zw}k\r\n$1\r\ny\r\n$1\r\n7\r\n",
    ":1\r\n",
    ":1\r\n",
    "*2\r\n$5\r\n{zw}k\r\n*1\r\n*2\r\n$1\r\ny\r\n$1\r\n3\r\n",
    ":0\r\n",
    ":1\r\n",
    "*2\r\n$5\r\n{zw}k\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n",
    ":0\r\n",
    ":1\r\n",
    "*2\r\n$5\r\n{zw}k\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n",
    "+OK\r\n",
    "*3\r\n$5\r\n{zw}k\r\n$1\r\nx\r\n$1\r\n1\r\n",
    "*2\r\n$1\r\ny\r\n$1\r\n2\r\n",
    ":2\r\n");

    [Fact]
    public Task TimeoutsAnswerNilAndCommandsAfterABlockWaitForIt() => BothAsync(async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await using var writer = await RespFrameClient.ConnectAsync(server);
        List<string> seen = [];
        foreach (var command in new[] { "BZPOPMIN zto:k 0.05", "BZPOPMAX zto:a zto:b 0.01", "BZMPOP 0.02 2 zto:k zto:x MAX COUNT 3", "BZMPOP 0.001 1 zto:k MIN", "BZPOPMIN zto:k 0.0001" })
        {
            seen.Add(await client.ExecuteTextAsync(command.Split(' ')));
        }

        // A command pipelined behind a blocked one is answered after it, in order.
        await client.SendAsync(["BZPOPMAX", "zto:p", "0"], ["PING"], ["ZCARD", "zto:p"]);
        await WaitForBlockedAsync(writer, 1);
        seen.Add(await Text(writer, "ZADD", "zto:p", "7", "v"));
        seen.Add(await Read(client));
        seen.Add(await Read(client));
        seen.Add(await Read(client));
        return seen;
    }, Nil, Nil, Nil, Nil, Nil, ":1\r\n", "*3\r\n$5\r\nzto:p\r\n$1\r\nv\r\n$1\r\n7\r\n", "+PONG\r\n", ":0\r\n");

    [Fact]
    public Task ClientUnblockEndsAWaitAsATimeoutOrAnError() => BothAsync(async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await using var admin = await RespFrameClient.ConnectAsync(server);
        var id = (await Text(client, "CLIENT", "ID"))[1..^2];
        List<string> seen = [];
        await client.SendAsync(["BZPOPMIN", "zub:k", "0"]);
        await WaitForBlockedAsync(admin, 1);
        seen.Add(ClientFlags(await Text(admin, "CLIENT", "LIST", "ID", id)));
        seen.Add(await Text(admin, "CLIENT", "UNBLOCK", id, "TIMEOUT"));
        seen.Add(await Read(client));
        await client.SendAsync(["BZMPOP", "0", "1", "zub:k", "MIN"]);
        await WaitForBlockedAsync(admin, 1);
        seen.Add(await Text(admin, "CLIENT", "UNBLOCK", id, "ERROR"));
        seen.Add(await Read(client));
        seen.Add(ClientFlags(await Text(admin, "CLIENT", "LIST", "ID", id)));
        // The client is usable again, and a member added later stays in the set.
        seen.Add(await Text(client, "ZADD", "zub:k", "1", "v"));
        seen.Add(await Text(admin, "ZPOPMIN", "zub:k"));
        return seen;
    }, "flags=b", ":1\r\n", Nil, ":1\r\n", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", "flags=N", ":1\r\n", "*2\r\n$1\r\nv\r\n$1\r\n1\r\n");

    [Fact]
    public Task AClientThatLeavesWhileBlockedIsForgotten() => BothAsync(async server =>
    {
        await using var other = await RespFrameClient.ConnectAsync(server);
        await using (var leaving = await RespFrameClient.ConnectAsync(server))
        {
            await leaving.SendAsync(["BZPOPMAX", "zgone:k", "0"]);
            await WaitForBlockedAsync(other, 1);
        }

        await WaitForBlockedAsync(other, 0);
        List<string> seen = [await Text(other, "ZADD", "zgone:k", "1", "a")];
        seen.Add(await Text(other, "ZCARD", "zgone:k"));
        seen.Add(await Text(other, "DEL", "zgone:k"));
        return seen;
    }, ":1\r\n", ":1\r\n", ":1\r\n");

    private Task BothAsync(Func<IPEndPoint, Task<List<string>>> scenario, params string[] expected) =>
        BlockingScenario.BothAsync(servers, scenario, expected);
}
