using System.Net;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Migrate;

/// <summary>
/// MIGRATE moving real keys over loopback: from a node to redis-server, from a node to a node, and from redis-server to
/// a node (Redis's MIGRATE exercising our RESTORE); values and TTLs arrive, COPY keeps, REPLACE overwrites, BUSYKEY
/// and AUTH errors come back as Redis words them.
/// </summary>
public sealed class MigrateIntegrationTests(MigrateFixture servers) : IClassFixture<MigrateFixture>
{
    private static string Port(IPEndPoint endPoint) => endPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task KeysMoveFromANodeToRedisWithTheirValuesAndTtls()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await node.ExecuteManyAsync([["SET", "n2r:s", "text"], ["PEXPIRE", "n2r:s", "100000"], ["HSET", "n2r:h", "a", "1", "b", "2"], ["RPUSH", "n2r:l", "x", "y"], ["ZADD", "n2r:z", "1.5", "m"], ["SADD", "n2r:set", "p", "q"]]);
        await redis.ExecuteAsync("DEL", "n2r:s", "n2r:h", "n2r:l", "n2r:z", "n2r:set");

        Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(servers.RedisEndPoint), "", "0", "5000", "KEYS", "n2r:s", "n2r:h", "n2r:missing", "n2r:l", "n2r:z", "n2r:set"));

        Assert.Equal(":0\r\n", await node.ExecuteTextAsync("EXISTS", "n2r:s", "n2r:h", "n2r:l", "n2r:z", "n2r:set"));
        Assert.Equal("$4\r\ntext\r\n", await redis.ExecuteTextAsync("GET", "n2r:s"));
        var ttl = long.Parse((await redis.ExecuteTextAsync("PTTL", "n2r:s"))[1..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 90_000, 100_000);
        Assert.Equal("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", await redis.ExecuteTextAsync("HGETALL", "n2r:h"));
        Assert.Equal("*2\r\n$1\r\nx\r\n$1\r\ny\r\n", await redis.ExecuteTextAsync("LRANGE", "n2r:l", "0", "-1"));
        Assert.Equal("$3\r\n1.5\r\n", await redis.ExecuteTextAsync("ZSCORE", "n2r:z", "m"));
        Assert.Equal(":2\r\n", await redis.ExecuteTextAsync("SCARD", "n2r:set"));
        Assert.Equal(":-1\r\n", await redis.ExecuteTextAsync("PTTL", "n2r:h"));
    }

    [Fact]
    public async Task CopyKeepsTheKeyReplaceOverwritesAndBusyKeyComesBack()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        var port = Port(servers.RedisEndPoint);
        await node.ExecuteAsync("SET", "busy:k", "mine");
        await redis.ExecuteAsync("SET", "busy:k", "theirs");

        Assert.Equal("-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n",
            await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "busy:k", "0", "5000"));
        Assert.Equal("$4\r\nmine\r\n", await node.ExecuteTextAsync("GET", "busy:k"));

        Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "busy:k", "0", "5000", "COPY", "REPLACE"));
        Assert.Equal("$4\r\nmine\r\n", await node.ExecuteTextAsync("GET", "busy:k"));
        Assert.Equal("$4\r\nmine\r\n", await redis.ExecuteTextAsync("GET", "busy:k"));

        Assert.Equal("+NOKEY\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "busy:missing", "0", "5000"));
        Assert.Equal("+NOKEY\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS", "busy:missing", "busy:gone"));
    }

    [Fact]
    public async Task OnlyTheKeysTheTargetAcceptedAreDeleted()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await node.ExecuteManyAsync([["SET", "part:a", "1"], ["SET", "part:b", "2"], ["SET", "part:c", "3"]]);
        await redis.ExecuteManyAsync([["DEL", "part:a", "part:c"], ["SET", "part:b", "old"]]);

        Assert.Equal("-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n",
            await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", Port(servers.RedisEndPoint), "", "0", "5000", "KEYS", "part:a", "part:b", "part:c"));

        Assert.Equal("*3\r\n$-1\r\n$1\r\n2\r\n$-1\r\n", await node.ExecuteTextAsync("MGET", "part:a", "part:b", "part:c"));
        Assert.Equal("*3\r\n$1\r\n1\r\n$3\r\nold\r\n$1\r\n3\r\n", await redis.ExecuteTextAsync("MGET", "part:a", "part:b", "part:c"));
    }

    [Fact]
    public async Task AuthAndAuth2LetItIntoATargetWithAPassword()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        var port = Port(servers.LockedRedisEndPoint);
        await node.ExecuteAsync("SET", "auth:k", "v");

        Assert.Equal("-ERR Target instance replied with error: NOAUTH Authentication required.\r\n",
            await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "auth:k", "0", "5000", "COPY"));
        Assert.Equal("-ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.\r\n",
            await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "auth:k", "0", "5000", "AUTH2", "default", "wrong"));
        Assert.Equal("$1\r\nv\r\n", await node.ExecuteTextAsync("GET", "auth:k"));
        Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "auth:k", "0", "5000", "COPY", "REPLACE", "AUTH", MigrateFixture.Password));
        Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "auth:k", "0", "5000", "REPLACE", "AUTH2", "default", MigrateFixture.Password));
        Assert.Equal(":0\r\n", await node.ExecuteTextAsync("EXISTS", "auth:k"));

        await using var locked = await RespFrameClient.ConnectAsync(servers.LockedRedisEndPoint);
        Assert.Equal("+OK\r\n", await locked.ExecuteTextAsync("AUTH", MigrateFixture.Password));
        Assert.Equal("$1\r\nv\r\n", await locked.ExecuteTextAsync("GET", "auth:k"));
    }

    [Fact]
    public async Task KeysMoveFromANodeToAnotherNode()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var other = await RespFrameClient.ConnectAsync(servers.OtherNode.RespEndPoint);
        await node.ExecuteManyAsync([["SET", "n2n:s", "v"], ["PEXPIRE", "n2n:s", "60000"], ["RPUSH", "n2n:l", "a", "b", "c"]]);
        var port = Port(servers.OtherNode.RespEndPoint);

        // A node has database 0 only: its SELECT refuses the rest, so nothing is deleted here (though, as with Redis,
        // the RESTOREs after the refused SELECT ran in the target's database 0).
        Assert.Equal("-ERR Target instance replied with error: ERR DB index is out of range\r\n",
            await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "", "3", "5000", "KEYS", "n2n:s", "n2n:l"));
        Assert.Equal(":2\r\n", await node.ExecuteTextAsync("EXISTS", "n2n:s", "n2n:l"));

        Assert.Equal("+OK\r\n", await node.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "", "0", "5000", "REPLACE", "KEYS", "n2n:s", "n2n:l"));

        Assert.Equal(":0\r\n", await node.ExecuteTextAsync("EXISTS", "n2n:s", "n2n:l"));
        Assert.Equal("$1\r\nv\r\n", await other.ExecuteTextAsync("GET", "n2n:s"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", await other.ExecuteTextAsync("LRANGE", "n2n:l", "0", "-1"));
        var ttl = long.Parse((await other.ExecuteTextAsync("PTTL", "n2n:s"))[1..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 50_000, 60_000);
    }

    [Fact]
    public async Task RedisMigratesKeysIntoANode()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await node.ExecuteAsync("DEL", "r2n:h", "r2n:z", "r2n:s");
        await redis.ExecuteManyAsync([["HSET", "r2n:h", "f", "v"], ["ZADD", "r2n:z", "2", "b", "1", "a"], ["SET", "r2n:s", "x"], ["PEXPIRE", "r2n:s", "60000"]]);
        var port = Port(servers.Node.RespEndPoint);

        Assert.Equal("+OK\r\n", await redis.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "", "0", "5000", "COPY", "KEYS", "r2n:h", "r2n:z", "r2n:s"));
        Assert.Equal("-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n",
            await redis.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "r2n:h", "0", "5000"));
        Assert.Equal("+OK\r\n", await redis.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "r2n:h", "0", "5000", "REPLACE"));

        Assert.Equal(":0\r\n", await redis.ExecuteTextAsync("EXISTS", "r2n:h"));
        Assert.Equal("$1\r\nv\r\n", await node.ExecuteTextAsync("HGET", "r2n:h", "f"));
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\nb\r\n", await node.ExecuteTextAsync("ZRANGE", "r2n:z", "0", "-1"));
        var ttl = long.Parse((await node.ExecuteTextAsync("PTTL", "r2n:s"))[1..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 50_000, 60_000);
    }
}
