using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>CONFIG GET/SET/RESETSTAT/REWRITE/HELP, with Redis 7.0.15's reply shapes and error texts.</summary>
public sealed class ConfigCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task BenchmarkStartUpQuestionsGetRealAnswers()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "save"), "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "appendonly"), "*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n");
    }

    [Fact]
    public async Task GetLooksUpNamesExactlyAndPatternsByGlob()
    {
        await using var client = await node.App.ConnectRawAsync();
        var port = node.App.RespEndPoint.Port.ToString(CultureInfo.InvariantCulture);
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "port"), $"*2\r\n$4\r\nport\r\n${port.Length}\r\n{port}\r\n");
        // An exact name is echoed as typed; a repeated one is answered once.
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "PORT", "port"), $"*2\r\n$4\r\nPORT\r\n${port.Length}\r\n{port}\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "no-such-parameter"), "*0\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "slave-read-only"), "*2\r\n$15\r\nslave-read-only\r\n$3\r\nyes\r\n");

        var max = AsMap(await client.CommandAsync("CONFIG", "GET", "max*"));
        Assert.Equal("0", max["maxmemory"]);
        Assert.Equal("noeviction", max["maxmemory-policy"]);
        Assert.Equal("10000", max["maxclients"]);
        Assert.All(max.Keys, name => Assert.StartsWith("max", name, StringComparison.Ordinal));

        var several = AsMap(await client.CommandAsync("CONFIG", "GET", "databases", "p?rt", "*bulk*", "cluster-enabled", "app*"));
        Assert.Equal("1", several["databases"]);
        Assert.Equal(port, several["port"]);
        Assert.Equal("536870912", several["proto-max-bulk-len"]);
        Assert.Equal("no", several["cluster-enabled"]);
        Assert.Equal("yes", several["appendonly"]);
        Assert.Equal("everysec", several["appendfsync"]);

        var all = AsMap(await client.CommandAsync("CONFIG", "GET", "*"));
        Assert.Superset(
            new HashSet<string> { "bind", "dir", "dbfilename", "hz", "timeout", "tcp-keepalive", "save", "replica-read-only", "slave-read-only" },
            all.Keys.ToHashSet());
    }

    [Fact]
    public async Task SetChangesSettingsThatGetAndInfoThenReport()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CONFIG", "SET", "hz", "20", "timeout", "30", "maxmemory", "1gb", "maxmemory-policy", "ALLKEYS-LRU"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "hz"), "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "timeout"), "*2\r\n$7\r\ntimeout\r\n$2\r\n30\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "maxmemory"), "*2\r\n$9\r\nmaxmemory\r\n$10\r\n1073741824\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "maxmemory-policy"), "*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n");
        var memory = Assert.IsType<string>(await client.CommandAsync("INFO", "memory"));
        Assert.Contains("\r\nmaxmemory:1073741824\r\nmaxmemory_human:1.00G\r\nmaxmemory_policy:allkeys-lru\r\n", memory, StringComparison.Ordinal);
        Assert.Contains("\r\nhz:20\r\n", Assert.IsType<string>(await client.CommandAsync("INFO", "server")), StringComparison.Ordinal);

        // hz is kept within 1-500, as Redis keeps it.
        await client.AssertReplyAsync(Encode("CONFIG", "SET", "hz", "1000"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "hz"), "*2\r\n$2\r\nhz\r\n$3\r\n500\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "SET", "save", "3600 1 300 100"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "save"), "*2\r\n$4\r\nsave\r\n$14\r\n3600 1 300 100\r\n");

        await client.AssertReplyAsync(
            Encode("CONFIG", "SET", "hz", "10", "timeout", "0", "maxmemory", "0", "maxmemory-policy", "noeviction", "save", ""), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "save"), "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    }

    [Theory]
    [InlineData("foo bar", "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData("hz 5 foo 1", "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData("hz x", "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")]
    [InlineData("timeout -1", "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive")]
    [InlineData("maxmemory 1.5gb", "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")]
    [InlineData("maxmemory -5", "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")]
    [InlineData("proto-max-bulk-len 10", "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive")]
    [InlineData("maxmemory-policy foo", "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")]
    [InlineData("appendfsync sometimes", "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no")]
    [InlineData("replica-read-only maybe", "ERR CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'")]
    [InlineData("save 0 1", "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")]
    [InlineData("save 60", "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")]
    [InlineData("databases 4", "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")]
    [InlineData("hz x databases 4", "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")]
    [InlineData("dir /tmp", "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")]
    [InlineData("hz 10 HZ 11", "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter")]
    [InlineData("hz 10 timeout", "ERR syntax error")]
    [InlineData("hz", "ERR wrong number of arguments for 'config|set' command")]
    public async Task SetRefusesWithRedisErrors(string arguments, string error)
    {
        await using var client = await node.App.ConnectRawAsync();
        var words = arguments.Split(' ');
        if (arguments.StartsWith("save ", StringComparison.Ordinal))
        {
            words = ["save", arguments["save ".Length..]];
        }

        await client.AssertReplyAsync(Encode(["CONFIG", "SET", .. words]), $"-{error}\r\n");
    }

    [Fact]
    public async Task SetIsAllOrNothing()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(
            Encode("CONFIG", "SET", "timeout", "77", "maxmemory", "bad"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET", "timeout"), "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
    }

    [Fact]
    public async Task OtherSubcommandsAnswerAsRedis()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CONFIG", "RESETSTAT"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "REWRITE"), "-ERR The server is running without a config file\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "FOO"), "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "GET"), "-ERR wrong number of arguments for 'config|get' command\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "RESETSTAT", "x"), "-ERR wrong number of arguments for 'config|resetstat' command\r\n");
        await client.AssertReplyAsync(Encode("CONFIG"), "-ERR wrong number of arguments for 'config' command\r\n");

        var help = Assert.IsType<List<object?>>(await client.CommandAsync("CONFIG", "HELP"));
        Assert.Equal(
            [
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>",
                "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>",
                "    Set the configuration <directive> to <value>.",
                "RESETSTAT",
                "    Reset statistics reported by the INFO command.",
                "REWRITE",
                "    Rewrite the configuration file.",
                "HELP",
                "    Prints this help.",
            ],
            help);
    }
}
