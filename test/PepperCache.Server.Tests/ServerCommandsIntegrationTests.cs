using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>DBSIZE, FLUSHDB/FLUSHALL, TIME, LASTSAVE. Tests in this class share a node and run one at a time.</summary>
public sealed class ServerCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task DbSizeCountsKeysAndFlushClearsThem()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("FLUSHALL"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("DBSIZE"), ":0\r\n");
        await client.AssertReplyAsync(Encode("SET", "dbsize:a", "1"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("SET", "dbsize:b", "2"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("DBSIZE"), ":2\r\n");
        await client.AssertReplyAsync(Encode("FLUSHDB", "SYNC"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("DBSIZE"), ":0\r\n");
        await client.AssertReplyAsync(Encode("SET", "dbsize:c", "3"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("FLUSHALL", "async"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("DBSIZE"), ":0\r\n");
    }

    [Fact]
    public async Task ServerCommandsCheckTheirArguments()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("FLUSHALL", "NOW"), "-ERR syntax error\r\n");
        await client.AssertReplyAsync(Encode("FLUSHDB", "SYNC", "ASYNC"), "-ERR syntax error\r\n");
        await client.AssertReplyAsync(Encode("DBSIZE", "x"), "-ERR wrong number of arguments for 'dbsize' command\r\n");
        await client.AssertReplyAsync(Encode("TIME", "x"), "-ERR wrong number of arguments for 'time' command\r\n");
        await client.AssertReplyAsync(Encode("LASTSAVE", "x"), "-ERR wrong number of arguments for 'lastsave' command\r\n");
    }

    [Fact]
    public async Task TimeAndLastSaveFollowTheNodeClock()
    {
        var clock = new JumpClock(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_560));
        await using var app = new PepperCacheApplication(configureServices: services => services.AddSingleton<TimeProvider>(clock));
        await using var client = await app.ConnectRawAsync();

        // 2026-01-02T03:04:05.123456Z
        await client.AssertReplyAsync(Encode("TIME"), "*2\r\n$10\r\n1767323045\r\n$6\r\n123456\r\n");
        await client.AssertReplyAsync(Encode("LASTSAVE"), ":1767323045\r\n");

        clock.Advance(TimeSpan.FromSeconds(90061.5));
        await client.AssertReplyAsync(Encode("TIME"), "*2\r\n$10\r\n1767413106\r\n$6\r\n623456\r\n");
        await client.AssertReplyAsync(Encode("LASTSAVE"), ":1767323045\r\n");
        var server = Assert.IsType<string>(await client.CommandAsync("INFO", "server"));
        Assert.Contains("\r\nuptime_in_seconds:90061\r\nuptime_in_days:1\r\n", server, StringComparison.Ordinal);
        Assert.Contains("\r\nserver_time_usec:1767413106623456\r\n", server, StringComparison.Ordinal);
    }
}
