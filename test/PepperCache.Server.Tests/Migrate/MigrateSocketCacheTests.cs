using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PepperCache.Server.Commands;
using PepperCache.Server.Hosting;
using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Migrate;

/// <summary>
/// MIGRATE's connection cache against redis-server 7.0.15 as target and as the reference source: one connection per
/// target reused (the target counts one connection and one SELECT), INFO's migrate_cached_sockets, the 10 s idle close
/// (fake clock, swept each second), the one retry after the target closed the cached connection, and concurrent calls
/// that leave one connection behind. The target's INFO stats and commandstats are what is compared.
/// </summary>
public sealed class MigrateSocketCacheTests : FakeClockNode
{
    private MigrateSocketService Sweeper => App.Services.GetServices<IHostedService>().OfType<MigrateSocketService>().Single();

    [Fact]
    public async Task TwoMigratesShareOneConnectionAndOneSelectAsRedis()
    {
        await using var target = await RedisServer.StartAsync();
        await using var source = await RedisServer.StartAsync();

        var node = await ReuseScriptAsync(App.RespEndPoint, target.EndPoint);
        var redis = await ReuseScriptAsync(source.EndPoint, target.EndPoint);

        Assert.Equal([0, 1, 1], node.Cached);
        Assert.Equal((1L, 1L, 2L), (node.Connections, node.Selects, node.Restores));
        Assert.Equal(redis.Cached, node.Cached);
        Assert.Equal((redis.Connections, redis.Selects, redis.Restores), (node.Connections, node.Selects, node.Restores));
    }

    [Fact]
    public async Task MigrateCachedSocketsIsWhereRedisPrintsIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
        await using var node = await RespFrameClient.ConnectAsync(App.RespEndPoint);
        var expected = FieldNames(await redisClient.ExecuteTextAsync("INFO", "stats"));
        var actual = FieldNames(await node.ExecuteTextAsync("INFO", "stats"));

        // The node prints fewer fields than Redis (no replication, forks or defrag), but those it prints come in
        // Redis's order; the two that Redis 7.0 does not have (7.2 counters) are left out.
        Assert.Contains("migrate_cached_sockets", actual);
        Assert.Equal(expected.Where(actual.Contains), actual.Where(expected.Contains));
        Assert.Equal(["client_query_buffer_limit_disconnections", "client_output_buffer_limit_disconnections"], actual.Except(expected));
    }

    [Fact]
    public async Task AConnectionIdleMoreThanTenSecondsIsClosed()
    {
        await using var target = await RedisServer.StartAsync();
        await using var node = await RespFrameClient.ConnectAsync(App.RespEndPoint);
        await using var watcher = await RespFrameClient.ConnectAsync(target.EndPoint);
        await node.ExecuteAsync("SET", "idle:k", "v");
        Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(target.EndPoint), "idle:k", "0", "5000"));
        var id = Assert.Single(MigrateClientIds(await watcher.ExecuteTextAsync("CLIENT", "LIST")));

        // As Redis's server.unixtime arithmetic: idle 10 s is kept, more than 10 s is closed.
        for (var second = 0; second < 10; second++)
        {
            await StepAsync();
        }

        Assert.Equal(1, Field(await node.ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets"));
        await StepAsync();
        Assert.Equal(0, Field(await node.ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets"));
        await Eventually.UntilAsync(
            async () => !MigrateClientIds(await watcher.ExecuteTextAsync("CLIENT", "LIST")).Contains(id), Bound, "the target sees the cached connection close");
    }

    [Fact]
    public async Task AConnectionTheTargetKilledIsReplacedWithoutAnErrorAsRedis()
    {
        await using var target = await RedisServer.StartAsync();
        await using var source = await RedisServer.StartAsync();
        await using var watcher = await RespFrameClient.ConnectAsync(target.EndPoint);
        foreach (var endPoint in new[] { App.RespEndPoint, source.EndPoint })
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            await client.ExecuteManyAsync([["SET", "killed:a", "1"], ["SET", "killed:b", "2"]]);
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(target.EndPoint), "killed:a", "0", "5000", "REPLACE"));
            var before = Field(await watcher.ExecuteTextAsync("INFO", "stats"), "total_connections_received");
            Assert.Matches(@"^:[1-9]\d*\r\n$", await watcher.ExecuteTextAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"));

            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(target.EndPoint), "killed:b", "0", "5000", "REPLACE"));

            Assert.Equal("$1\r\n2\r\n", await watcher.ExecuteTextAsync("GET", "killed:b"));
            Assert.Equal(before + 1, Field(await watcher.ExecuteTextAsync("INFO", "stats"), "total_connections_received"));
            Assert.Equal(1, Field(await client.ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets"));
        }
    }

    [Fact]
    public async Task ConcurrentMigratesToOneTargetAllSucceedAndLeaveOneConnection()
    {
        const int Clients = 8;
        await using var target = await RedisServer.StartAsync();
        await using var watcher = await RespFrameClient.ConnectAsync(target.EndPoint);
        var clients = new RespFrameClient[Clients];
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                clients[i] = await RespFrameClient.ConnectAsync(App.RespEndPoint);
                // A value big enough that the calls overlap on the wire.
                await clients[i].ExecuteAsync("SET", $"many:{i}", new string('v', 256 * 1024));
            }

            for (var round = 0; round < 3; round++)
            {
                var migrates = clients.Select((c, i) => c.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(target.EndPoint), $"many:{i}", "0", "5000", "COPY", "REPLACE"));
                Assert.All(await Task.WhenAll(migrates), reply => Assert.Equal("+OK\r\n", reply));
            }

            Assert.Equal($":{Clients}\r\n", await watcher.ExecuteTextAsync(["EXISTS", .. Enumerable.Range(0, Clients).Select(i => $"many:{i}").ToArray()]));
            Assert.Equal(1, Field(await clients[0].ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets"));
            // The extra connections were closed as they came back: the target ends with the cached one only.
            await Eventually.UntilAsync(
                async () => MigrateClientIds(await watcher.ExecuteTextAsync("CLIENT", "LIST")).Count == 1, Bound, "one MIGRATE connection left on the target");
        }
        finally
        {
            foreach (var client in clients.Where(c => c is not null))
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AConnectionInUseIsNotSharedAndTheSecondBackIsClosed()
    {
        // A target scripted by hand, so the test decides when each call's replies come.
        using var target = ScriptedTarget.Listen(out var port);
        await using var first = await RespFrameClient.ConnectAsync(App.RespEndPoint);
        await using var second = await RespFrameClient.ConnectAsync(App.RespEndPoint);
        await first.ExecuteManyAsync([["SET", "held:a", "1"], ["SET", "held:b", "2"], ["SET", "held:c", "3"]]);
        var bound = TimeSpan.FromSeconds(10);

        var migrate = first.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "held:a", "0", "5000", "COPY");
        using var cached = await target.AcceptSocketAsync(TestContext.Current.CancellationToken);
        Assert.Contains("SELECT", Text(await ScriptedTarget.ReceiveUntilAsync(cached, "RESTORE"u8.ToArray(), 1, bound)), StringComparison.Ordinal);
        await cached.SendAsync("+OK\r\n+OK\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("+OK\r\n", await migrate.WaitAsync(bound, TestContext.Current.CancellationToken));

        // The cached connection, its database selected already: RESTORE alone. Its reply is held back...
        var held = first.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "held:b", "0", "5000", "COPY");
        Assert.DoesNotContain("SELECT", Text(await ScriptedTarget.ReceiveUntilAsync(cached, "RESTORE"u8.ToArray(), 1, bound)), StringComparison.Ordinal);

        // ...so a second MIGRATE meanwhile connects on its own, and comes back first.
        var other = second.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "held:c", "0", "5000", "COPY");
        using var extra = await target.AcceptSocketAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(bound, TestContext.Current.CancellationToken);
        Assert.Contains("SELECT", Text(await ScriptedTarget.ReceiveUntilAsync(extra, "RESTORE"u8.ToArray(), 1, bound)), StringComparison.Ordinal);
        await extra.SendAsync("+OK\r\n+OK\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("+OK\r\n", await other.WaitAsync(bound, TestContext.Current.CancellationToken));

        await cached.SendAsync("+OK\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("+OK\r\n", await held.WaitAsync(bound, TestContext.Current.CancellationToken));
        Assert.Equal(1, Field(await first.ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets"));
        // One per target: the one back second is closed, and the target reads the end of its stream.
        using var closing = new CancellationTokenSource(bound);
        Assert.Equal(0, await cached.ReceiveAsync(new byte[16], closing.Token));
    }

    [Fact]
    public async Task SixtyFiveTargetsKeepSixtyFourConnectionsAsRedis()
    {
        await using var target = await RedisServer.StartAsync();
        await using var source = await RedisServer.StartAsync();
        await using var watcher = await RespFrameClient.ConnectAsync(target.EndPoint);
        var open = 0;
        foreach (var endPoint in new[] { App.RespEndPoint, source.EndPoint })
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            await client.ExecuteAsync("SET", "full:k", "v");
            // One server, 65 cache entries: Redis names an entry by the port as written, and atoi skips the zeros.
            for (var zeros = 0; zeros <= MigrateSocketCache.MaxItems; zeros++)
            {
                Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("MIGRATE", "127.0.0.1", new string('0', zeros) + Port(target.EndPoint), "full:k", "0", "5000", "COPY", "REPLACE"));
            }

            Assert.Equal(64, Field(await client.ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets"));
            open += 64;
            await Eventually.UntilAsync(
                async () => MigrateClientIds(await watcher.ExecuteTextAsync("CLIENT", "LIST")).Count == open, Bound, $"{open} MIGRATE connections open on the target");
        }
    }

    [Fact]
    public async Task StoppingTheNodeClosesItsCachedConnections()
    {
        await using var target = await RedisServer.StartAsync();
        await using var watcher = await RespFrameClient.ConnectAsync(target.EndPoint);
        await using (var node = await RespFrameClient.ConnectAsync(App.RespEndPoint))
        {
            await node.ExecuteAsync("SET", "stop:k", "v");
            Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(target.EndPoint), "stop:k", "0", "5000"));
        }

        Assert.Single(MigrateClientIds(await watcher.ExecuteTextAsync("CLIENT", "LIST")));
        await App.DisposeAsync();
        await Eventually.UntilAsync(
            async () => MigrateClientIds(await watcher.ExecuteTextAsync("CLIENT", "LIST")).Count == 0, Bound, "the target sees the cached connection close");
    }

    /// <summary>
    /// Two MIGRATEs from <paramref name="source"/> to <paramref name="target"/>: migrate_cached_sockets before and
    /// after each, and what the target counted meanwhile (connections, SELECT and RESTORE calls).
    /// </summary>
    private static async Task<(long[] Cached, long Connections, long Selects, long Restores)> ReuseScriptAsync(IPEndPoint source, IPEndPoint target)
    {
        await using var client = await RespFrameClient.ConnectAsync(source);
        await using var watcher = await RespFrameClient.ConnectAsync(target);
        await client.ExecuteManyAsync([["SET", "reuse:a", "1"], ["SET", "reuse:b", "2"]]);
        var stats = await watcher.ExecuteTextAsync("INFO", "all");
        var cached = new List<long> { Field(await client.ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets") };
        foreach (var key in new[] { "reuse:a", "reuse:b" })
        {
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(target), key, "0", "5000", "REPLACE"));
            cached.Add(Field(await client.ExecuteTextAsync("INFO", "stats"), "migrate_cached_sockets"));
        }

        var after = await watcher.ExecuteTextAsync("INFO", "all");
        return ([.. cached], Field(after, "total_connections_received") - Field(stats, "total_connections_received"),
            Calls(after, "select") - Calls(stats, "select"), Calls(after, "restore") - Calls(stats, "restore"));
    }

    /// <summary>Moves the fake clock one second on and waits until a sweep has run since.</summary>
    private async Task StepAsync()
    {
        var before = Sweeper.Sweeps;
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.UntilAsync(() => Sweeper.Sweeps > before, Bound, "a MIGRATE socket sweep runs after the clock moved 1 s");
    }

    /// <summary>The ids of the target's clients whose last command was RESTORE: MIGRATE's connections.</summary>
    private static List<string> MigrateClientIds(string clientList) =>
        [.. Regex.Matches(clientList, @"^id=(\d+) [^\n]* cmd=restore ", RegexOptions.Multiline).Select(m => m.Groups[1].Value)];

    private static List<string> FieldNames(string info) =>
        [.. Regex.Matches(info, @"^([a-z_]+):", RegexOptions.Multiline).Select(m => m.Groups[1].Value)];

    private static long Field(string info, string name)
    {
        var match = Regex.Match(info, $@"\r\n{name}:(\d+)\r\n");
        Assert.True(match.Success, $"no {name} in:\n{info}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>A command's calls in INFO commandstats; 0 before its first.</summary>
    private static long Calls(string info, string command)
    {
        var match = Regex.Match(info, $@"\r\ncmdstat_{command}:calls=(\d+),");
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static string Text(byte[] bytes) => System.Text.Encoding.ASCII.GetString(bytes);

    private static string Port(IPEndPoint endPoint) => endPoint.Port.ToString(CultureInfo.InvariantCulture);
}
