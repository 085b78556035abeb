using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.BlockingScenario;

namespace PepperCache.Server.Tests;

/// <summary>
/// CLIENT REPLY ON|OFF|SKIP on redis-server 7.0.15 and on a node: each step pipelines commands and reads the one
/// reply that must come back, so any reply that should have been dropped (errors too) shows up as the wrong next one.
/// </summary>
public sealed class ClientReplyIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public Task OffAndSkipDropRepliesAndErrors(int protocol) => BothAsync(servers, async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        if (protocol == 3)
        {
            await Text(client, "HELLO", "3");
        }

        await client.SendAsync(
            ["CLIENT", "REPLY", "OFF"], ["SET", "reply:k", "1"], ["NOSUCHCOMMAND"], ["GET"], ["CLIENT", "REPLY", "SKIP"],
            ["GET", "reply:missing"], ["CLIENT", "REPLY", "ON"]);
        List<string> seen = [await Read(client)];
        await client.SendAsync(["CLIENT", "REPLY", "SKIP"], ["GET", "reply:k"], ["GET", "reply:missing"]);
        seen.Add(await Read(client));
        // The command after SKIP is silenced even when it is CLIENT REPLY SKIP again; ON's own reply is sent.
        await client.SendAsync(["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "SKIP"], ["PING", "a"], ["PING", "b"]);
        seen.Add(await Read(client));
        await client.SendAsync(["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "ON"], ["PING", "c"]);
        seen.Add(await Read(client));
        seen.Add(await Read(client));
        return seen;
    }, "+OK\r\n", protocol == 3 ? "_\r\n" : "$-1\r\n", "$1\r\nb\r\n", "+OK\r\n", "$1\r\nc\r\n");

    [Fact]
    public Task ResetEndsOffButNotASkipInForce() => BothAsync(servers, async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await client.SendAsync(["CLIENT", "REPLY", "OFF"], ["RESET"], ["PING", "a"]);
        List<string> seen = [await Read(client), await Read(client)];
        await client.SendAsync(["CLIENT", "REPLY", "SKIP"], ["RESET"], ["PING", "b"]);
        seen.Add(await Read(client));
        return seen;
    }, "+RESET\r\n", "$1\r\na\r\n", "$1\r\nb\r\n");

    [Fact]
    public Task ASkippedBlockingCommandStaysSilentWhenItTimesOut() => BothAsync(servers, async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        await client.SendAsync(["CLIENT", "REPLY", "SKIP"], ["BLPOP", "reply:list", "0.05"], ["PING", "after"]);
        return [await Read(client)];
    }, "$5\r\nafter\r\n");

    [Fact]
    public Task NoEvictIsShownInClientList() => BothAsync(servers, async server =>
    {
        await using var client = await RespFrameClient.ConnectAsync(server);
        List<string> seen = [await Text(client, "CLIENT", "NO-EVICT", "on")];
        seen.Add(ClientFlags(await Text(client, "CLIENT", "INFO")));
        seen.Add(await Text(client, "CLIENT", "NO-EVICT", "off"));
        seen.Add(ClientFlags(await Text(client, "CLIENT", "INFO")));
        return seen;
    }, "+OK\r\n", "flags=e", "+OK\r\n", "flags=N");
}
