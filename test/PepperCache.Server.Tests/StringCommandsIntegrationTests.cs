using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests;

public sealed class StringCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    public static TheoryData<string> Transcripts => new(StringCommandsTranscripts.All.Keys);

    [Theory]
    [MemberData(nameof(Transcripts))]
    public Task TranscriptRepliesMatchRedisByteForByte(string transcript) =>
        RespTranscript.RunAsync(node.App.RespEndPoint, StringCommandsTranscripts.All[transcript]);

    [Fact]
    public async Task KeysAndValuesAreBinarySafe()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        byte[] key = [(byte)'b', 0, (byte)'\r', (byte)'\n', 0xFF, (byte)'k'];
        byte[] otherKey = [(byte)'b', 0, 0xFE];
        byte[] value = [0, (byte)'\r', (byte)'\n', 0x80, 0xFF, (byte)'$', (byte)'*', 0];

        Assert.True(await db.StringSetAsync(key, value));
        Assert.Equal(value, (byte[]?)await db.StringGetAsync(key));
        Assert.Equal(value.Length, await db.StringLengthAsync(key));
        Assert.Equal(value[1..4], (byte[]?)await db.StringGetRangeAsync(key, 1, 3));

        byte[] tail = [(byte)'\n', 0];
        Assert.Equal(value.Length + 2, await db.StringAppendAsync(key, tail));
        Assert.Equal(value.Concat(tail).ToArray(), (byte[]?)await db.StringGetAsync(key));

        Assert.Equal(value.Length + 2, (long)await db.StringSetRangeAsync(key, 0, new byte[] { 0xFF }));
        var values = await db.StringGetAsync([key, otherKey]);
        Assert.Equal(0xFF, ((byte[]?)values[0])![0]);
        Assert.True(values[1].IsNull);

        Assert.True(await db.KeyRenameAsync(key, otherKey));
        Assert.False(await db.KeyExistsAsync(key));
        Assert.Equal(value.Length + 2, await db.StringLengthAsync(otherKey));
        Assert.True(await db.KeyDeleteAsync(otherKey));
    }

    [Fact]
    public async Task BinaryValueRoundTripsExactlyOverRawResp()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync("*3\r\n$3\r\nSET\r\n$6\r\nraw\0\r\n\r\n$5\r\na\r\n\0b\r\n", "+OK\r\n");
        await client.AssertReplyAsync("*2\r\n$3\r\nGET\r\n$6\r\nraw\0\r\n\r\n", "$5\r\na\r\n\0b\r\n");
        await client.AssertReplyAsync("*2\r\n$6\r\nSTRLEN\r\n$6\r\nraw\0\r\n\r\n", ":5\r\n");
    }

    [Fact]
    public async Task StackExchangeRedisStringApiWorks()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        const string Key = "se:strings:k";

        Assert.True(await db.StringSetAsync(Key, "v1", TimeSpan.FromSeconds(100)));
        var ttl = await db.KeyTimeToLiveAsync(Key);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(100));

        Assert.False(await db.StringSetAsync(Key, "v2", when: When.NotExists));
        Assert.True(await db.StringSetAsync(Key, "v2", expiry: null, keepTtl: true, when: When.Exists));
        Assert.NotNull(await db.KeyTimeToLiveAsync(Key));
        Assert.Equal("v2", (string?)await db.StringSetAndGetAsync(Key, "v3"));
        Assert.Null(await db.KeyTimeToLiveAsync(Key));

        Assert.Equal("v3", (string?)await db.StringGetSetExpiryAsync(Key, TimeSpan.FromSeconds(50)));
        Assert.NotNull(await db.KeyTimeToLiveAsync(Key));
        Assert.Equal("v3", (string?)await db.StringGetSetExpiryAsync(Key, null));
        Assert.Null(await db.KeyTimeToLiveAsync(Key));
        Assert.Equal("v3", (string?)await db.StringGetDeleteAsync(Key));
        Assert.False(await db.KeyExistsAsync(Key));

        Assert.Equal(5, await db.StringIncrementAsync("se:strings:n", 5));
        Assert.Equal(3, await db.StringDecrementAsync("se:strings:n", 2));
        Assert.Equal(3.5, await db.StringIncrementAsync("se:strings:n", 0.5));

        Assert.True(await db.StringSetAsync([new("se:strings:a", "1"), new("se:strings:b", "2")]));
        Assert.False(await db.StringSetAsync([new("se:strings:b", "x"), new("se:strings:c", "3")], When.NotExists));
        var values = await db.StringGetAsync(["se:strings:a", "se:strings:b", "se:strings:c"]);
        Assert.Equal(["1", "2", null], values.Select(v => (string?)v));
    }

    [Fact]
    public async Task AppendAndSetRangeRefuseToGrowPastTheLiveProtoMaxBulkLen()
    {
        // Its own node with a small limit; Redis 7.0.15 answers the same at its 1mb minimum (1048571 + 5 fits, +1 does not).
        await using var app = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:ProtoMaxBulkLen"] = "100" });
        await using var client = await app.ConnectRawAsync();
        const string TooBig = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";

        await client.AssertReplyAsync(Command("SETRANGE", "big", "95", "12345"), ":100\r\n");
        await client.AssertReplyAsync(Command("SETRANGE", "big", "96", "12345"), TooBig);
        await client.AssertReplyAsync(Command("APPEND", "big", "x"), TooBig);
        await client.AssertReplyAsync(Command("APPEND", "small", new string('a', 99)), ":99\r\n");
        await client.AssertReplyAsync(Command("APPEND", "small", "bb"), TooBig);
        await client.AssertReplyAsync(Command("STRLEN", "small"), ":99\r\n");

        // Raised as CONFIG SET proto-max-bulk-len does (by replacing the server's limits; its 1mb minimum is above
        // this test's sizes); the commands read the limits on every call.
        var server = app.Services.GetRequiredService<ServerState>();
        server.Config.Limits = server.Limits with { MaxBulkLength = 200 };
        await client.AssertReplyAsync(Command("APPEND", "big", "x"), ":101\r\n");
        await client.AssertReplyAsync(Command("SETRANGE", "big", "195", "12345"), ":200\r\n");
    }

    [Fact]
    public async Task ReadCommandsCountKeyspaceHitsAndMissesAsRedisDoes()
    {
        var clients = node.App.Services.GetRequiredService<ClientRegistry>();
        await using var client = await node.App.ConnectRawAsync();
        string[][] commands =
        [
            ["SET", "stats:s", "hello"], ["GET", "stats:s"], ["GET", "stats:nope"], ["MGET", "stats:s", "stats:nope", "stats:s"],
            ["STRLEN", "stats:s"], ["STRLEN", "stats:nope"], ["GETRANGE", "stats:s", "0", "1"], ["GETRANGE", "stats:nope", "0", "1"],
            ["SET", "stats:s", "hello", "GET"], ["SET", "stats:nope2", "x", "GET"], ["GETSET", "stats:s", "hello"],
            ["GETEX", "stats:s"], ["GETEX", "stats:nope"], ["GETEX", "stats:s", "EX", "0"], ["GETDEL", "stats:nope"],
            ["GETDEL", "stats:nope2"], ["INCR", "stats:n"], ["APPEND", "stats:s", "x"], ["SETRANGE", "stats:s", "0", "y"],
            ["SETNX", "stats:s", "v"], ["MSET", "stats:a", "1"], ["INCRBYFLOAT", "stats:f", "1"], ["DEL", "stats:s"],
            ["SET", "stats:s", "v"], ["PING"],
        ];
        var before = clients.Totals();

        await SendAllAsync(client, commands);

        // The same sequence on Redis 7.0.15 moves keyspace_hits by 10 and keyspace_misses by 7.
        var after = clients.Totals();
        Assert.Equal(10, after.Hits - before.Hits);
        Assert.Equal(7, after.Misses - before.Misses);
    }

    private static string Command(params string[] args) =>
        System.Text.Encoding.UTF8.GetString(RespTranscript.EncodeCommand(args.Select(System.Text.Encoding.UTF8.GetBytes).ToList()));

    /// <summary>Sends each command and waits for the reply to the final PING, so all have run.</summary>
    internal static async Task SendAllAsync(RawRespClient client, string[][] commands)
    {
        var bytes = commands.SelectMany(c => RespTranscript.EncodeCommand(c.Select(System.Text.Encoding.UTF8.GetBytes).ToList())).ToArray();
        await client.SendAsync(bytes);
        var text = string.Empty;
        for (var reads = 0; reads < 1000 && !text.EndsWith("+PONG\r\n", StringComparison.Ordinal); reads++)
        {
            text += await client.ReadExactlyAsync(1);
        }

        Assert.EndsWith("+PONG\r\n", text, StringComparison.Ordinal);
    }
}
