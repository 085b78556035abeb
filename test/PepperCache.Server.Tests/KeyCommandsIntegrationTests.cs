using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests;

public sealed class KeyCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    public static TheoryData<string> Transcripts => new(KeyCommandsTranscripts.All.Keys);

    [Theory]
    [MemberData(nameof(Transcripts))]
    public Task TranscriptRepliesMatchRedisByteForByte(string transcript) =>
        RespTranscript.RunAsync(node.App.RespEndPoint, KeyCommandsTranscripts.All[transcript]);

    [Fact]
    public async Task ScanWalksToCursorZeroAndReturnsEveryMatchingKey()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        var expected = Enumerable.Range(0, 500).Select(i => $"scan:full:{i}").ToHashSet();
        await db.StringSetAsync([.. expected.Select(k => new KeyValuePair<RedisKey, RedisValue>(k, "v"))]);
        await db.StringSetAsync([new("scan:fullx:1", "v"), new("scan:other", "v")]);

        var seen = await ScanAllAsync(db, "MATCH", "scan:full:*", "COUNT", "20");

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task ScanReplyIsACursorBulkStringAndAnArrayOfKeys()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync("*3\r\n$3\r\nSET\r\n$9\r\nscan:only\r\n$1\r\nv\r\n", "+OK\r\n");
        var keys = new List<string>();
        var cursor = "0";
        for (var calls = 0; calls < 10_000; calls++)
        {
            await client.SendAsync($"*6\r\n$4\r\nSCAN\r\n${cursor.Length}\r\n{cursor}\r\n$5\r\nMATCH\r\n$9\r\nscan:only\r\n$5\r\nCOUNT\r\n$4\r\n1000\r\n");
            Assert.Equal("*2\r\n$", await client.ReadExactlyAsync(5));
            var cursorLength = int.Parse(await ReadLineAsync(client));
            cursor = (await client.ReadExactlyAsync(cursorLength + 2))[..^2];
            Assert.Equal("*", await client.ReadExactlyAsync(1));
            var count = int.Parse(await ReadLineAsync(client));
            for (var i = 0; i < count; i++)
            {
                Assert.Equal("$9\r\n", await client.ReadExactlyAsync(4));
                keys.Add((await client.ReadExactlyAsync(11))[..9]);
            }

            if (cursor == "0")
            {
                break;
            }
        }

        Assert.Equal("0", cursor);
        Assert.Equal(["scan:only"], keys);
    }

    [Fact]
    public async Task ScanCursorsBeyondWhatTheStoreHandsOutEndTheScan()
    {
        // Redis reads the cursor with strtoul, so "-1" is 2^64-1: valid, and past every key.
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync("*2\r\n$4\r\nSCAN\r\n$2\r\n-1\r\n", "*2\r\n$1\r\n0\r\n*0\r\n");
        await client.AssertReplyAsync("*2\r\n$4\r\nSCAN\r\n$20\r\n18446744073709551615\r\n", "*2\r\n$1\r\n0\r\n*0\r\n");
        await client.AssertReplyAsync("*2\r\n$4\r\nSCAN\r\n$19\r\n9223372036854775807\r\n", "*2\r\n$1\r\n0\r\n*0\r\n");
    }

    [Fact]
    public async Task ScanTypeKeepsStringKeysAndFiltersEveryOtherType()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        await db.StringSetAsync([new("scan:type:a", "1"), new("scan:type:b", "2")]);

        Assert.Equal(["scan:type:a", "scan:type:b"], (await ScanAllAsync(db, "MATCH", "scan:type:*", "TYPE", "STRING")).Order());
        Assert.Empty(await ScanAllAsync(db, "MATCH", "scan:type:*", "COUNT", "1", "TYPE", "hash"));
    }

    [Fact]
    public async Task KeysAndScanReturnBinaryKeysIntact()
    {
        // StackExchange.Redis sends KEYS only on an admin connection.
        await using var redis = await node.App.ConnectAsync(o => o.AllowAdmin = true);
        var db = redis.GetDatabase();
        byte[] key = [.. "bin:keys:"u8, 0, (byte)'\r', (byte)'\n', 0xFF];
        await db.StringSetAsync(key, "v");

        var keys = (RedisResult[])(await db.ExecuteAsync("KEYS", "bin:keys:*"))!;
        Assert.Equal(key, (byte[]?)Assert.Single(keys));
        var scanned = (RedisResult[])(await db.ExecuteAsync("SCAN", "0", "MATCH", "bin:keys:*", "COUNT", "100000"))![1]!;
        Assert.Equal(key, (byte[]?)Assert.Single((RedisResult[])scanned!));
    }

    [Fact]
    public async Task StackExchangeRedisServerKeysEnumeratesEveryKey()
    {
        await using var redis = await node.App.ConnectAsync(o => o.AllowAdmin = true);
        var db = redis.GetDatabase();
        var expected = Enumerable.Range(0, 300).Select(i => $"se:keys:{i}").ToHashSet();
        await db.StringSetAsync([.. expected.Select(k => new KeyValuePair<RedisKey, RedisValue>(k, "v"))]);

        var server = redis.GetServer(node.App.RespEndPoint);
        var seen = new HashSet<string>();
        await foreach (var key in server.KeysAsync(pattern: "se:keys:*", pageSize: 25))
        {
            seen.Add(key!);
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task StackExchangeRedisKeyApiWorks()
    {
        await using var redis = await node.App.ConnectAsync();
        var db = redis.GetDatabase();
        await db.StringSetAsync([new("se:key:a", "1"), new("se:key:b", "2")]);

        Assert.Equal(RedisType.String, await db.KeyTypeAsync("se:key:a"));
        Assert.Equal(RedisType.None, await db.KeyTypeAsync("se:key:missing"));
        Assert.Equal(2, await db.KeyExistsAsync(["se:key:a", "se:key:b", "se:key:missing"]));
        Assert.True(await db.KeyTouchAsync("se:key:a"));

        Assert.True(await db.KeyExpireAsync("se:key:a", TimeSpan.FromSeconds(100), ExpireWhen.HasNoExpiry));
        Assert.False(await db.KeyExpireAsync("se:key:a", TimeSpan.FromSeconds(200), ExpireWhen.HasNoExpiry));
        Assert.True(await db.KeyExpireAsync("se:key:a", TimeSpan.FromSeconds(200), ExpireWhen.GreaterThanCurrentExpiry));
        Assert.InRange((await db.KeyTimeToLiveAsync("se:key:a"))!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(200));
        var at = new DateTime(3000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.True(await db.KeyExpireAsync("se:key:a", at));
        Assert.Equal(at, await db.KeyExpireTimeAsync("se:key:a"));
        Assert.True(await db.KeyPersistAsync("se:key:a"));
        Assert.Null(await db.KeyTimeToLiveAsync("se:key:a"));

        Assert.False(await db.KeyRenameAsync("se:key:a", "se:key:b", When.NotExists));
        Assert.True(await db.KeyRenameAsync("se:key:a", "se:key:c", When.NotExists));
        Assert.True(await db.KeyRenameAsync("se:key:c", "se:key:b"));
        Assert.Equal("1", (string?)await db.StringGetAsync("se:key:b"));
        Assert.Equal(1, await db.KeyDeleteAsync(["se:key:a", "se:key:b", "se:key:c"]));
    }

    [Fact]
    public async Task RandomKeyIsNullWhenEmptyAndOtherwiseALiveKey()
    {
        // Its own node: RANDOMKEY sees the whole keyspace.
        await using var app = new PepperCacheApplication();
        await using var client = await app.ConnectRawAsync();
        await client.AssertReplyAsync("*1\r\n$9\r\nRANDOMKEY\r\n", "$-1\r\n");

        await client.AssertReplyAsync("*3\r\n$3\r\nSET\r\n$4\r\nlive\r\n$1\r\nv\r\n", "+OK\r\n");
        await client.AssertReplyAsync("*5\r\n$3\r\nSET\r\n$4\r\ngone\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$1\r\n1\r\n", "+OK\r\n");
        for (var i = 0; i < 50; i++)
        {
            await client.AssertReplyAsync("*1\r\n$9\r\nRANDOMKEY\r\n", "$4\r\nlive\r\n");
        }
    }

    [Fact]
    public async Task KeyReadCommandsCountKeyspaceHitsAndMissesAsRedisDoes()
    {
        var clients = node.App.Services.GetRequiredService<ClientRegistry>();
        await using var client = await node.App.ConnectRawAsync();
        string[][] commands =
        [
            ["SET", "kstats:s", "v"], ["EXISTS", "kstats:s", "kstats:nope", "kstats:s"], ["TYPE", "kstats:s"], ["TYPE", "kstats:nope"],
            ["TTL", "kstats:s"], ["PTTL", "kstats:nope"], ["EXPIRETIME", "kstats:s"], ["PEXPIRETIME", "kstats:nope"],
            ["TOUCH", "kstats:s", "kstats:nope"], ["EXPIRE", "kstats:s", "100"], ["PERSIST", "kstats:s"],
            ["RENAME", "kstats:s", "kstats:t"], ["DEL", "kstats:t", "kstats:nope"], ["KEYS", "kstats:*"],
            ["SET", "kstats:a", "1"], ["SET", "kstats:b", "2"], ["SCAN", "0", "MATCH", "kstats:*", "COUNT", "100000", "TYPE", "hash"],
            ["SCAN", "0", "MATCH", "kstats:a", "COUNT", "100000", "TYPE", "string"], ["SCAN", "0", "MATCH", "kstats:*", "COUNT", "1000"], ["RANDOMKEY"],
            ["UNLINK", "kstats:a"], ["PING"],
        ];
        var before = clients.Totals();

        await StringCommandsIntegrationTests.SendAllAsync(client, commands);

        // The same sequence on Redis 7.0.15 moves keyspace_hits by 9 and keyspace_misses by 5.
        var after = clients.Totals();
        Assert.Equal(9, after.Hits - before.Hits);
        Assert.Equal(5, after.Misses - before.Misses);
    }

    private static async Task<HashSet<string>> ScanAllAsync(IDatabase db, params string[] options)
    {
        var seen = new HashSet<string>();
        var cursor = "0";
        for (var calls = 0; calls < 100_000; calls++)
        {
            var reply = (RedisResult[])(await db.ExecuteAsync("SCAN", [cursor, .. options]))!;
            Assert.Equal(ResultType.BulkString, reply[0].Resp2Type);
            cursor = (string)reply[0]!;
            foreach (var key in (RedisResult[])reply[1]!)
            {
                seen.Add((string)key!);
            }

            if (cursor == "0")
            {
                return seen;
            }
        }

        Assert.Fail("SCAN did not return to cursor 0");
        return seen;
    }

    private static async Task<string> ReadLineAsync(RawRespClient client)
    {
        var line = string.Empty;
        for (var i = 0; i < 64 && !line.EndsWith("\r\n", StringComparison.Ordinal); i++)
        {
            line += await client.ReadExactlyAsync(1);
        }

        return line[..^2];
    }
}
