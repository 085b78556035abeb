using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>COMMAND and its subcommands, generated from the command table in Redis 7's shapes.</summary>
public sealed class CommandCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private CommandTable Table => node.App.Services.GetRequiredService<ServerState>().Commands;

    [Fact]
    public async Task CountAndListCoverTheWholeTable()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("COMMAND", "COUNT"), $":{Table.Count.ToString(CultureInfo.InvariantCulture)}\r\n");

        var all = Assert.IsType<List<object?>>(await client.CommandAsync("COMMAND"));
        Assert.Equal(Table.Count, all.Count);
        Assert.All(all, entry => Assert.Equal(10, Assert.IsType<List<object?>>(entry).Count));

        var names = Assert.IsType<List<object?>>(await client.CommandAsync("COMMAND", "LIST")).Cast<string>().ToList();
        Assert.Equal(Table.Count + Table.All.Sum(c => c.Subcommands.Count), names.Count);
        Assert.Contains("config|get", names);
        Assert.Contains("client|setinfo", names);
        Assert.Contains("ping", names);
    }

    [Fact]
    public async Task InfoDescribesACommandInRedis7Format()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(
            Encode("COMMAND", "INFO", "DBSIZE", "no-such-command"),
            "*2\r\n*10\r\n$6\r\ndbsize\r\n:1\r\n*2\r\n+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" +
            "*2\r\n$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:agg_sum\r\n*0\r\n*0\r\n$-1\r\n");
        await client.AssertReplyAsync(
            Encode("COMMAND", "INFO", "config|get"),
            "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n" +
            "*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n");
    }

    [Fact]
    public async Task InfoCarriesKeySpecsAndSubcommands()
    {
        await using var client = await node.App.ConnectRawAsync();
        var get = Assert.IsType<List<object?>>(Assert.Single(Assert.IsType<List<object?>>(await client.CommandAsync("COMMAND", "INFO", "get"))));
        Assert.Equal(["get", 2L], get.Take(2));
        Assert.Equal([1L, 1L, 1L], get.Skip(3).Take(3));
        var spec = AsMap(Assert.Single(Assert.IsType<List<object?>>(get[8])));
        Assert.Equal(["RO", "access"], Assert.IsType<List<object?>>(spec["flags"]));
        Assert.Equal("index", AsMap(spec["begin_search"])["type"]);
        Assert.Equal(1L, AsMap(AsMap(spec["begin_search"])["spec"])["index"]);
        Assert.Equal("range", AsMap(spec["find_keys"])["type"]);
        Assert.Equal(0L, AsMap(AsMap(spec["find_keys"])["spec"])["lastkey"]);

        var config = Assert.IsType<List<object?>>(Assert.Single(Assert.IsType<List<object?>>(await client.CommandAsync("COMMAND", "INFO", "config"))));
        var subcommands = Assert.IsType<List<object?>>(config[9]).Select(s => Assert.IsType<List<object?>>(s)[0]).ToList();
        Assert.Equal(["config|get", "config|set", "config|resetstat", "config|rewrite", "config|help"], subcommands);
    }

    [Fact]
    public async Task ListFiltersByPatternAndCategory()
    {
        await using var client = await node.App.ConnectRawAsync();
        var config = Assert.IsType<List<object?>>(await client.CommandAsync("COMMAND", "LIST", "FILTERBY", "PATTERN", "conf*"));
        Assert.Equal(["config", "config|get", "config|set", "config|resetstat", "config|rewrite", "config|help"], config);

        var connection = Assert.IsType<List<object?>>(await client.CommandAsync("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"));
        Assert.Contains("ping", connection);
        Assert.Contains("client|setname", connection);
        Assert.DoesNotContain("get", connection);

        await client.AssertReplyAsync(Encode("COMMAND", "LIST", "FILTERBY", "MODULE", "search"), "*0\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "LIST", "FILTERBY", "COLOUR", "red"), "-ERR syntax error\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "LIST", "x"), "-ERR syntax error\r\n");
    }

    [Fact]
    public async Task DocsDescribeArgumentsAsRedisCliReadsThem()
    {
        await using var client = await node.App.ConnectRawAsync();
        var expected = "*2\r\n" + Bulk("config|set") + "*8\r\n" +
                       Bulk("summary") + Bulk("Sets configuration parameters in-flight.") + Bulk("since") + Bulk("2.0.0") +
                       Bulk("group") + Bulk("server") + Bulk("arguments") +
                       "*1\r\n*8\r\n" + Bulk("name") + Bulk("data") + Bulk("type") + Bulk("block") + Bulk("flags") + "*1\r\n+multiple\r\n" +
                       Bulk("arguments") + "*2\r\n" +
                       "*4\r\n" + Bulk("name") + Bulk("parameter") + Bulk("type") + Bulk("string") +
                       "*4\r\n" + Bulk("name") + Bulk("value") + Bulk("type") + Bulk("string");
        await client.AssertReplyAsync(Encode("COMMAND", "DOCS", "config|set"), expected);
        await client.AssertReplyAsync(Encode("COMMAND", "DOCS", "no-such-command"), "*0\r\n");
    }

    [Fact]
    public async Task DocsWithoutNamesCoverEveryCommandAndNestSubcommands()
    {
        await using var client = await node.App.ConnectRawAsync();
        var docs = AsMap(await client.CommandAsync("COMMAND", "DOCS"));
        Assert.Equal(Table.All.Select(c => c.Name).Order(), docs.Keys.Order());
        Assert.All(docs.Values, doc => Assert.Superset(new HashSet<string> { "summary", "since", "group" }, AsMap(doc).Keys.ToHashSet()));

        var client_ = AsMap(docs["client"]);
        var subcommands = AsMap(client_["subcommands"]);
        Assert.Contains("client|kill", subcommands.Keys);
        var setName = AsMap(subcommands["client|setname"]);
        var argument = AsMap(Assert.Single(Assert.IsType<List<object?>>(setName["arguments"])));
        Assert.Equal("connection-name", argument["name"]);
        Assert.Equal("string", argument["type"]);

        var set = Assert.IsType<List<object?>>(AsMap(docs["set"])["arguments"]).Select(AsMap).ToList();
        Assert.Equal(["key", "value", "condition", "get", "expiration"], set.Select(a => a["name"]));
        Assert.Equal(0L, set[0]["key_spec_index"]);
        Assert.Equal("oneof", set[2]["type"]);
        Assert.Equal(["optional"], Assert.IsType<List<object?>>(set[2]["flags"]));
        var expiration = Assert.IsType<List<object?>>(set[4]["arguments"]).Select(AsMap).ToList();
        Assert.Equal(["EX", "PX", "EXAT", "PXAT", "KEEPTTL"], expiration.Select(a => a["token"]));
        Assert.Equal("integer", expiration[0]["type"]);
        Assert.Equal("pure-token", expiration[4]["type"]);
    }

    [Fact]
    public async Task GetKeysAppliesTheDeclaredKeyPositions()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("COMMAND", "GETKEYS", "SET", "k1", "v"), "*1\r\n$2\r\nk1\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "GETKEYS", "DEL", "a", "b", "c"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "GETKEYS", "PING", "x"), "-ERR The command has no key arguments\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "GETKEYS", "NOPE", "x"), "-ERR Invalid command specified\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "GETKEYS", "GET", "a", "b"), "-ERR Invalid number of arguments specified for command\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "GETKEYS", "GET"), "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
    }

    [Fact]
    public async Task HelpAndUnknownSubcommands()
    {
        await using var client = await node.App.ConnectRawAsync();
        var help = Assert.IsType<List<object?>>(await client.CommandAsync("COMMAND", "HELP"));
        Assert.Equal("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help[0]);
        Assert.Equal("    Prints this help.", help[^1]);
        await client.AssertReplyAsync(Encode("COMMAND", "FOO"), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
        await client.AssertReplyAsync(Encode("COMMAND", "COUNT", "x"), "-ERR wrong number of arguments for 'command|count' command\r\n");
    }

    private static string Bulk(string text) => $"${text.Length}\r\n{text}\r\n";
}
