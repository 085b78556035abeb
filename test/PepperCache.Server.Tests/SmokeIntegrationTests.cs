using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

public sealed class SmokeIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task PingOverRawSocketAnswersPong()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync("*1\r\n$4\r\nPING\r\n", "+PONG\r\n");
        await client.AssertReplyAsync("PING\r\n", "+PONG\r\n");
    }

    [Fact]
    public async Task StackExchangeRedisCanSetAndGet()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        Assert.True(await db.StringSetAsync("smoke:key", "value"));
        Assert.Equal("value", (string?)await db.StringGetAsync("smoke:key"));
    }

    [Fact]
    public async Task AdminClusterListsThisNode()
    {
        using var http = node.App.CreateAdminClient();
        var body = await http.GetStringAsync("/cluster", TestContext.Current.CancellationToken);
        Assert.StartsWith("[\"127.0.0.1", body, StringComparison.Ordinal);
    }
}
