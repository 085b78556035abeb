using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests;

/// <summary>
/// The real tools, unmodified, against a node: StackExchange.Redis's handshake, redis-cli one-shot, piped and on
/// a terminal (where it loads COMMAND DOCS for its hints), and redis-benchmark with and without pipelining.
/// </summary>
public sealed class RedisToolsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private string Port => node.App.RespEndPoint.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task StackExchangeRedisHandshakeConfiguresFromHelloClientConfigAndInfo()
    {
        var log = new StringWriter();
        var options = new ConfigurationOptions
        {
            EndPoints = { node.App.RespEndPoint },
            AbortOnConnectFail = true,
            AllowAdmin = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
        };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options, log);
        var text = log.ToString();
        Assert.Contains("Auto-configured (CLIENT) connection-id:", text, StringComparison.Ordinal);
        Assert.Contains("Auto-configured (CONFIG) databases: 1", text, StringComparison.Ordinal);
        Assert.Contains("Auto-configured (INFO) role: primary", text, StringComparison.Ordinal);
        Assert.Contains("Auto-configured (INFO) version: 7.0.15", text, StringComparison.Ordinal);

        var server = redis.GetServer(node.App.RespEndPoint);
        Assert.Equal(new Version(7, 0, 15), server.Version);
        Assert.Equal(ServerType.Standalone, server.ServerType);
        Assert.False(server.IsReplica);

        var clients = await server.ClientListAsync();
        var mine = Assert.Single(clients, c => c.LastCommand == "client|list");
        Assert.Equal("SE.Redis", mine.LibraryName);
        Assert.Equal(redis.ClientName, mine.Name);

        var save = Assert.Single(await server.ConfigGetAsync("save"));
        Assert.Equal(("save", ""), (save.Key, save.Value));
        Assert.Contains(await server.InfoAsync("server"), g => g.Key == "Server" && g.Any(f => f.Key == "redis_version" && f.Value == "7.0.15"));
        var time = await server.TimeAsync();
        Assert.Equal(DateTimeKind.Utc, time.Kind);
        Assert.True(await server.DatabaseSizeAsync() >= 0);
        Assert.True((await redis.GetDatabase().PingAsync()) >= TimeSpan.Zero);
    }

    [Fact]
    public async Task StackExchangeRedisNegotiatesResp3AndWorksInIt()
    {
        await using var redis = await node.App.ConnectAsync(o =>
        {
            o.Protocol = RedisProtocol.Resp3;
            o.AllowAdmin = true;
        });
        var server = redis.GetServer(node.App.RespEndPoint);
        Assert.Equal(RedisProtocol.Resp3, server.Protocol);
        var db = redis.GetDatabase();

        // Strings and nulls.
        await db.StringSetAsync("se3:s", "value");
        Assert.Equal("value", (string?)await db.StringGetAsync("se3:s"));
        Assert.True((await db.StringGetAsync("se3:missing")).IsNull);
        Assert.Equal(2.5, await db.StringIncrementAsync("se3:f", 2.5));

        // Hashes: HGETALL is a map in RESP3.
        await db.HashSetAsync("se3:h", [new("a", "1"), new("b", "2")]);
        var hash = (await db.HashGetAllAsync("se3:h")).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
        Assert.Equal(new Dictionary<string, string?> { ["a"] = "1", ["b"] = "2" }, hash);
        Assert.True((await db.HashGetAsync("se3:h", "zz")).IsNull);
        Assert.Equal(3.5, await db.HashIncrementAsync("se3:h", "a", 2.5));

        // Sorted sets: scores are RESP3 doubles, WITHSCORES pairs nested.
        await db.SortedSetAddAsync("se3:z", [new("one", 1), new("half", 0.5), new("big", 1e100)]);
        Assert.Equal(0.5, await db.SortedSetScoreAsync("se3:z", "half"));
        Assert.Null(await db.SortedSetScoreAsync("se3:z", "none"));
        Assert.Equal(2.5, await db.SortedSetIncrementAsync("se3:z", "one", 1.5));
        var ranked = await db.SortedSetRangeByRankWithScoresAsync("se3:z");
        Assert.Equal([("half", 0.5), ("one", 2.5), ("big", 1e100)], ranked.Select(e => ((string)e.Element!, e.Score)));
        var scores = await db.SortedSetScoresAsync("se3:z", ["one", "none"]);
        Assert.Equal([2.5, null], scores);
        var popped = await db.SortedSetPopAsync("se3:z", 2);
        Assert.Equal([("half", 0.5), ("one", 2.5)], popped.Select(e => ((string)e.Element!, e.Score)));

        // Sets (~), lists and a blocking-free pop of nothing.
        await db.SetAddAsync("se3:set", ["x", "y"]);
        Assert.Equal(["x", "y"], (await db.SetMembersAsync("se3:set")).Select(v => (string)v!).Order());
        Assert.True((await db.ListLeftPopAsync("se3:list")).IsNull);

        // Server replies: CONFIG GET map, INFO verbatim text, CLIENT LIST.
        Assert.Equal(("save", ""), Assert.Single(await server.ConfigGetAsync("save")) is var save ? (save.Key, save.Value) : default);
        Assert.Contains(await server.InfoAsync("server"), g => g.Key == "Server" && g.Any(f => f.Key == "redis_version"));
        Assert.Contains(await server.ClientListAsync(), c => c.LastCommand == "client|list" && c.Protocol == RedisProtocol.Resp3);
    }

    [Fact]
    public async Task RedisCliRunsOneShotCommands()
    {
        Assert.Equal("PONG\n", await CliAsync("PING"));
        Assert.Equal("hello world\n", await CliAsync("ECHO", "hello world"));
        Assert.Equal("appendonly\nyes\n", await CliAsync("CONFIG", "GET", "appendonly"));
        Assert.Equal("save\n\n", await CliAsync("CONFIG", "GET", "save"));
        Assert.Equal("OK\n", await CliAsync("CONFIG", "SET", "timeout", "0"));
        Assert.Matches(@"^\d+\n$", await CliAsync("CLIENT", "ID"));
        Assert.Matches(@"^\d+\n\d+\n$", await CliAsync("TIME"));
        Assert.Matches(@"^\d+\n$", await CliAsync("COMMAND", "COUNT"));
        Assert.Contains("ERR DB index is out of range", await CliAsync("SELECT", "1"), StringComparison.Ordinal);

        var info = await CliAsync("INFO");
        Assert.Contains("# Server\r\nredis_version:7.0.15\r\n", info, StringComparison.Ordinal);
        Assert.Contains("# Keyspace\r\n", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisCliRunsCommandsPipedOnStdin()
    {
        // redis-cli follows an error with a blank line, against Redis too.
        var result = await ToolProcess.RunAsync(
            "redis-cli",
            ["-p", Port],
            "PING\nECHO piped\nCONFIG GET save\nCLIENT SETNAME piped-client\nCLIENT GETNAME\nSELECT 0\nHELLO 3\nDBSIZE\n");
        Assert.Equal(0, result.ExitCode);
        // HELLO 3 switches to RESP3: redis-cli prints its map one "key value" line per field, as against Redis.
        Assert.Matches(
            @"^PONG\npiped\nsave\n\nOK\npiped-client\nOK\nserver redis\nversion [0-9.]+\nproto 3\nid \d+\nmode standalone\nrole master\nmodules \n\d+\n$",
            result.Output);
    }

    [Fact]
    public async Task RedisCliOnATerminalBuildsItsHelpFromCommandDocs()
    {
        // On a terminal redis-cli fetches COMMAND DOCS at start and asserts on its shape; `help` then prints our
        // entry (CLIENT SETINFO is not in redis-cli 7.0's own help table). TERM=dumb keeps linenoise simple.
        var result = await ToolProcess.RunAsync(
            "script",
            ["-q", "-e", "-c", $"redis-cli -p {Port}", "/dev/null"],
            "help CLIENT SETINFO\nPING\nCONFIG GET appendonly\nquit\n",
            new Dictionary<string, string> { ["TERM"] = "dumb" },
            TimeSpan.FromSeconds(60));
        var output = Regex.Replace(result.Output, @"\x1b\[[0-9;]*m", "");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("CLIENT SETINFO LIB-NAME libname|LIB-VER libver", output, StringComparison.Ordinal);
        Assert.Contains("summary: Sets information specific to the client or connection.", output, StringComparison.Ordinal);
        Assert.Contains("since: 7.2.0", output, StringComparison.Ordinal);
        Assert.Contains("PONG", output, StringComparison.Ordinal);
        Assert.Contains("1) \"appendonly\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Assert", output, StringComparison.Ordinal);
        Assert.DoesNotContain("ERR", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task RedisBenchmarkCompletesEveryTestWithoutErrors(int pipeline)
    {
        // The brief's set is ping,set,get,incr,mset; those this node does not implement yet are left out.
        var table = node.App.Services.GetRequiredService<ServerState>().Commands;
        var tests = new[] { "ping", "set", "get", "incr", "mset" }.Where(t => table.TryGet(t, out _)).ToList();
        Assert.Superset(new HashSet<string> { "ping", "set", "get" }, tests.ToHashSet());

        var result = await ToolProcess.RunAsync(
            "redis-benchmark",
            ["-p", Port, "-t", string.Join(',', tests), "-n", "20000", "-c", "20", "-q", "-P", pipeline.ToString(CultureInfo.InvariantCulture)]);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var labels = tests.SelectMany(t => t switch
        {
            "ping" => new[] { "PING_INLINE", "PING_MBULK" },
            "mset" => ["MSET (10 keys)"],
            _ => [t.ToUpperInvariant()],
        });
        foreach (var label in labels)
        {
            Assert.Contains(lines, line => Regex.IsMatch(line, $@"^{Regex.Escape(label)}: \d+(\.\d+)? requests per second"));
        }

        var all = result.Output + result.Error;
        Assert.DoesNotContain("ERR", all, StringComparison.Ordinal);
        Assert.DoesNotContain("rror", all, StringComparison.Ordinal);
        Assert.DoesNotContain("WARN", all, StringComparison.Ordinal);
    }

    private async Task<string> CliAsync(params string[] command)
    {
        var result = await ToolProcess.RunAsync("redis-cli", ["-p", Port, .. command]);
        Assert.Equal(0, result.ExitCode);
        return result.Output + result.Error;
    }
}
