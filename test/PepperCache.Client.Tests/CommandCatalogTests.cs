using PepperCache.Cli;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>Hints and completion from the COMMAND DOCS of real servers.</summary>
public sealed class CommandCatalogTests(PepperCacheNode node) : IClassFixture<PepperCacheNode>
{
    [Fact]
    public async Task Redis_command_docs_give_the_synopses_its_documentation_shows()
    {
        await using var redis = new RedisServerProcess();
        await redis.InitializeAsync();

        var catalog = await LoadAsync(redis.Port);

        Assert.Equal("key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]", catalog.SynopsisOf("set"));
        Assert.Equal("key [key ...]", catalog.SynopsisOf("DEL"));
        Assert.Equal("key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]", catalog.SynopsisOf("zadd"));
        Assert.Contains("CLIENT KILL", catalog.Names);
        Assert.Equal(["GET", "GETBIT", "GETDEL", "GETEX", "GETRANGE", "GETSET"], catalog.Complete("get"));
        Assert.Equal(" key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]", catalog.HintFor("SET"));
        Assert.Equal("[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]", catalog.HintFor("set k v "));
    }

    [Fact]
    public async Task PepperCache_command_docs_give_hints_for_its_commands()
    {
        var catalog = await LoadAsync(node.Port);

        Assert.Equal(" key", catalog.HintFor("get"));
        Assert.StartsWith("key value", catalog.SynopsisOf("set"), StringComparison.Ordinal);
        Assert.Contains("GET", catalog.Complete("g"));
    }

    private static async Task<CommandCatalog> LoadAsync(int port)
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        return CommandCatalog.Parse(await connection.ExecuteAsync("COMMAND", "DOCS"));
    }
}
