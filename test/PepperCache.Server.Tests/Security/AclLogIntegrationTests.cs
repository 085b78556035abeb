using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// ACL LOG, ACL GENPASS and the security CONFIG parameters against redis-server 7.0.15. Where replies carry what
/// cannot match (an entry's age, CLIENT LIST's fields, random passwords), the shape is compared: field names and
/// order, counts, reasons, objects, users, the client-info's cmd= and user=, lengths.
/// </summary>
public sealed class AclLogIntegrationTests(NodeFixture node, RedisServerProcess redis)
    : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>, IAsyncLifetime
{
    public async ValueTask InitializeAsync()
    {
        await AclTestSupport.ResetAsync(redis.EndPoint);
        await AclTestSupport.ResetAsync(node.App.RespEndPoint);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task LogEntriesHaveRedisFieldsCountsAndObjects()
    {
        var expected = await ProvokeDenialsAsync(redis.EndPoint);
        var actual = await ProvokeDenialsAsync(node.App.RespEndPoint);

        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(5, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (redisEntry, nodeEntry) = (expected[i], actual[i]);
            Assert.Equal(redisEntry.Select(f => f.Key), nodeEntry.Select(f => f.Key));
            foreach (var field in new[] { "count", "reason", "context", "object", "username" })
            {
                Assert.Equal(Field(redisEntry, field), Field(nodeEntry, field));
            }

            var age = double.Parse((string)Field(nodeEntry, "age-seconds")!, CultureInfo.InvariantCulture);
            Assert.InRange(age, 0, 60);
            Assert.Equal(ClientField((string)Field(redisEntry, "client-info")!, "cmd"), ClientField((string)Field(nodeEntry, "client-info")!, "cmd"));
            Assert.Equal(ClientField((string)Field(redisEntry, "client-info")!, "user"), ClientField((string)Field(nodeEntry, "client-info")!, "user"));
        }
    }

    [Fact]
    public async Task LogKeepsAtMostAclLogMaxLenEntriesNewestFirst()
    {
        foreach (var server in new[] { redis.EndPoint, node.App.RespEndPoint })
        {
            await using var client = await RawRespClient.ConnectAsync(server);
            Assert.Equal("OK", await client.CommandAsync("CONFIG", "SET", "acllog-max-len", "2"));
            foreach (var user in new[] { "one", "two", "three" })
            {
                Assert.IsType<RespError>(await client.CommandAsync("AUTH", user, "nope"));
            }

            var entries = (List<object?>)(await client.CommandAsync("ACL", "LOG"))!;
            Assert.Equal(["three", "two"], entries.Select(e => (string)Field(AsEntry(e), "username")!));
            Assert.Equal("OK", await client.CommandAsync("CONFIG", "SET", "acllog-max-len", "128"));
        }
    }

    [Fact]
    public async Task GenPassGivesAsManyHexCharactersAsRedis()
    {
        await using var redisClient = await RawRespClient.ConnectAsync(redis.EndPoint);
        await using var nodeClient = await RawRespClient.ConnectAsync(node.App.RespEndPoint);
        foreach (var bits in new[] { null, "1", "2", "3", "4", "5", "8", "63", "64", "65", "255", "256", "4096" })
        {
            string[] command = bits is null ? ["ACL", "GENPASS"] : ["ACL", "GENPASS", bits];
            var expected = (string)(await redisClient.CommandAsync(command))!;
            var actual = (string)(await nodeClient.CommandAsync(command))!;
            Assert.Equal(expected.Length, actual.Length);
            Assert.Matches("^[0-9a-f]+$", actual);
        }

        Assert.NotEqual(await nodeClient.CommandAsync("ACL", "GENPASS"), await nodeClient.CommandAsync("ACL", "GENPASS"));
    }

    [Fact]
    public async Task SecurityConfigParametersAnswerAsRedis()
    {
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            CONFIG GET requirepass
            CONFIG GET protected-mode
            CONFIG GET aclfile
            CONFIG GET acllog-max-len
            CONFIG SET protected-mode maybe
            CONFIG SET protected-mode no
            CONFIG GET protected-mode
            CONFIG SET protected-mode YES
            CONFIG GET protected-mode
            CONFIG SET aclfile /tmp/users.acl
            CONFIG SET acllog-max-len -1
            CONFIG SET acllog-max-len x
            CONFIG SET acllog-max-len 5
            CONFIG GET acllog-max-len
            CONFIG SET acllog-max-len 128
            CONFIG SET requirepass "two words"
            CONFIG GET requirepass
            AUTH "two words"
            CONFIG SET requirepass ""
            CONFIG GET requirepass
            """);
    }

    /// <summary>A command, a key and an AUTH denied (twice for one of them), then ACL LOG as parsed entries.</summary>
    private static async Task<List<List<KeyValuePair<string, object?>>>> ProvokeDenialsAsync(System.Net.IPEndPoint server)
    {
        await using var client = await RawRespClient.ConnectAsync(server);
        Assert.Equal("OK", await client.CommandAsync("ACL", "SETUSER", "logged", "on", ">p", "-@all", "+get", "~k*"));
        Assert.Equal("OK", await client.CommandAsync("AUTH", "logged", "p"));
        Assert.IsType<RespError>(await client.CommandAsync("GET", "x"));
        Assert.IsType<RespError>(await client.CommandAsync("SET", "k", "v"));
        Assert.IsType<RespError>(await client.CommandAsync("SET", "k", "v"));
        Assert.IsType<RespError>(await client.CommandAsync("CONFIG", "GET", "x"));
        Assert.IsType<RespError>(await client.CommandAsync("AUTH", "logged", "wrong"));
        Assert.IsType<RespError>(await client.CommandAsync("HELLO", "2", "AUTH", "nobody", "wrong"));
        Assert.Equal("OK", await client.CommandAsync("AUTH", "default", "anything"));
        var log = (List<object?>)(await client.CommandAsync("ACL", "LOG"))!;
        Assert.Equal(2, ((List<object?>)(await client.CommandAsync("ACL", "LOG", "2"))!).Count);
        Assert.Equal("OK", await client.CommandAsync("ACL", "LOG", "RESET"));
        Assert.Empty((List<object?>)(await client.CommandAsync("ACL", "LOG"))!);
        return [.. log.Select(AsEntry)];
    }

    private static List<KeyValuePair<string, object?>> AsEntry(object? entry)
    {
        var fields = (List<object?>)entry!;
        return [.. Enumerable.Range(0, fields.Count / 2).Select(i => new KeyValuePair<string, object?>((string)fields[2 * i]!, fields[(2 * i) + 1]))];
    }

    private static object? Field(List<KeyValuePair<string, object?>> entry, string name) => entry.Single(f => f.Key == name).Value;

    /// <summary>The value of <c>name=</c> in a CLIENT LIST line.</summary>
    private static string ClientField(string line, string name) =>
        line.Split(' ').Single(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
}
