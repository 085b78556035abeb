using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests;

/// <summary>
/// Expiry round trips on a node whose clock the tests move (the clock only goes forward, and tests in a class run
/// one at a time, so each can read "now" and assert exact values).
/// </summary>
public sealed class ExpiryIntegrationTests(FakeClockNodeFixture node) : IClassFixture<FakeClockNodeFixture>, IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    private IDatabase Db => _redis.GetDatabase();

    // Admin mode, because StackExchange.Redis sends KEYS only on an admin connection.
    public async ValueTask InitializeAsync() => _redis = await node.App.ConnectAsync(o => o.AllowAdmin = true);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task TtlCountsDownWithTheClockAndTheKeyVanishesAtItsExpiry()
    {
        Assert.Equal("OK", await Run("SET", "exp:down", "v", "EX", "100"));
        Assert.Equal(100, await Int("TTL", "exp:down"));
        Assert.Equal(100_000, await Int("PTTL", "exp:down"));

        node.Clock.Advance(TimeSpan.FromMilliseconds(30_400));
        Assert.Equal(70, await Int("TTL", "exp:down"));
        Assert.Equal(69_600, await Int("PTTL", "exp:down"));

        node.Clock.Advance(TimeSpan.FromMilliseconds(69_599));
        Assert.Equal(1, await Int("PTTL", "exp:down"));
        Assert.Equal(0, await Int("TTL", "exp:down"));
        Assert.Equal("v", await Run("GET", "exp:down"));

        node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(-2, await Int("PTTL", "exp:down"));
        Assert.Equal(-2, await Int("TTL", "exp:down"));
        Assert.Null(await Run("GET", "exp:down"));
        Assert.Equal(0, await Int("EXISTS", "exp:down"));
    }

    [Theory]
    [InlineData(499, 0)]
    [InlineData(500, 1)]
    [InlineData(1499, 1)]
    [InlineData(1500, 2)]
    public async Task TtlRoundsMillisecondsToTheNearestSecond(int milliseconds, int expectedSeconds)
    {
        var key = $"exp:round:{milliseconds}";
        Assert.Equal("OK", await Run("PSETEX", key, milliseconds.ToString(), "v"));
        Assert.Equal(expectedSeconds, await Int("TTL", key));
        Assert.Equal(milliseconds, await Int("PTTL", key));
    }

    [Fact]
    public async Task KeepTtlKeepsTheRemainingTimeAndAPlainSetDropsIt()
    {
        Assert.Equal("OK", await Run("SET", "exp:keep", "v1", "EX", "100"));
        node.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("OK", await Run("SET", "exp:keep", "v2", "KEEPTTL"));
        Assert.Equal(90_000, await Int("PTTL", "exp:keep"));
        Assert.Equal("v2", await Run("SET", "exp:keep", "v3", "GET", "KEEPTTL"));
        Assert.Equal(90_000, await Int("PTTL", "exp:keep"));
        Assert.Equal("v3", await Run("GET", "exp:keep"));

        Assert.Equal("OK", await Run("SET", "exp:keep", "v4"));
        Assert.Equal(-1, await Int("TTL", "exp:keep"));
    }

    [Fact]
    public async Task RelativeExpiryTimesAreAddedToTheStoreClock()
    {
        var now = node.NowMs;
        const string Key = "exp:relative";
        async Task AssertExpiresAt(long expected) => Assert.Equal(expected, await Int("PEXPIRETIME", Key));

        await Run("SET", Key, "v", "EX", "10");
        await AssertExpiresAt(now + 10_000);
        await Run("SET", Key, "v", "PX", "1234");
        await AssertExpiresAt(now + 1234);
        await Run("SETEX", Key, "7", "v");
        await AssertExpiresAt(now + 7000);
        await Run("PSETEX", Key, "5", "v");
        await AssertExpiresAt(now + 5);
        Assert.Equal("v", await Run("GETEX", Key, "EX", "3"));
        await AssertExpiresAt(now + 3000);
        Assert.Equal("v", await Run("GETEX", Key, "PX", "9"));
        await AssertExpiresAt(now + 9);
        Assert.Equal(1, await Int("EXPIRE", Key, "20"));
        await AssertExpiresAt(now + 20_000);
        Assert.Equal(1, await Int("PEXPIRE", Key, "30"));
        await AssertExpiresAt(now + 30);
        Assert.Equal(1, await Int("EXPIREAT", Key, ((now / 1000) + 100).ToString()));
        await AssertExpiresAt(((now / 1000) + 100) * 1000);
        Assert.Equal((now / 1000) + 100, await Int("EXPIRETIME", Key));
    }

    [Fact]
    public async Task ExpiryAtOrBeforeNowDeletesTheKey()
    {
        var now = node.NowMs;
        await Db.StringSetAsync([new("exp:past:a", "v"), new("exp:past:b", "v"), new("exp:past:c", "v")]);

        Assert.Equal(1, await Int("PEXPIREAT", "exp:past:a", now.ToString()));
        Assert.Equal(0, await Int("EXISTS", "exp:past:a"));

        Assert.Equal(1, await Int("PEXPIREAT", "exp:past:b", (now + 1).ToString()));
        Assert.Equal(1, await Int("EXISTS", "exp:past:b"));
        node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await Int("EXISTS", "exp:past:b"));

        Assert.Equal("v", await Run("GETEX", "exp:past:c", "PXAT", node.NowMs.ToString()));
        Assert.Equal(0, await Int("EXISTS", "exp:past:c"));
    }

    [Fact]
    public async Task ExpiryOverflowLimitsAreMeasuredFromNow()
    {
        var now = node.NowMs;
        var lastMs = long.MaxValue - now;
        var lastSeconds = (long.MaxValue - now) / 1000;

        Assert.Equal("OK", await Run("SET", "exp:edge", "v", "PX", lastMs.ToString()));
        Assert.Equal(long.MaxValue, await Int("PEXPIRETIME", "exp:edge"));
        await AssertError("ERR invalid expire time in 'set' command", "SET", "exp:edge", "v", "PX", (lastMs + 1).ToString());
        await AssertError("ERR invalid expire time in 'getex' command", "GETEX", "exp:edge", "PX", (lastMs + 1).ToString());

        Assert.Equal(1, await Int("PEXPIRE", "exp:edge", lastMs.ToString()));
        await AssertError("ERR invalid expire time in 'pexpire' command", "PEXPIRE", "exp:edge", (lastMs + 1).ToString());
        Assert.Equal(1, await Int("EXPIRE", "exp:edge", lastSeconds.ToString()));
        Assert.Equal((lastSeconds * 1000) + now, await Int("PEXPIRETIME", "exp:edge"));
        await AssertError("ERR invalid expire time in 'expire' command", "EXPIRE", "exp:edge", (lastSeconds + 1).ToString());
    }

    [Fact]
    public async Task ExpireConditionsCompareWithTheCurrentExpiry()
    {
        Assert.Equal("OK", await Run("SET", "exp:cond", "v", "EX", "100"));
        Assert.Equal(0, await Int("EXPIRE", "exp:cond", "50", "GT"));
        Assert.Equal(1, await Int("EXPIRE", "exp:cond", "150", "GT"));
        Assert.Equal(0, await Int("EXPIRE", "exp:cond", "200", "LT"));
        Assert.Equal(1, await Int("EXPIRE", "exp:cond", "120", "LT"));
        Assert.Equal(0, await Int("EXPIRE", "exp:cond", "10", "NX"));
        Assert.Equal(1, await Int("EXPIRE", "exp:cond", "10", "XX"));
        Assert.Equal(10, await Int("TTL", "exp:cond"));
    }

    [Fact]
    public async Task AnExpiredKeyIsGoneForEveryCommand()
    {
        const string Key = "exp:gone";
        async Task Expire()
        {
            Assert.Equal("OK", await Run("SET", Key, "41", "PX", "100"));
            node.Clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        await Expire();
        Assert.Null(await Run("GET", Key));
        Assert.Equal(0, await Int("EXISTS", Key));
        Assert.Equal("none", await Run("TYPE", Key));
        Assert.Equal(0, await Int("STRLEN", Key));
        Assert.Equal(-2, await Int("PTTL", Key));
        Assert.Equal(string.Empty, await Run("GETRANGE", Key, "0", "-1"));
        Assert.True(((RedisResult[])(await Db.ExecuteAsync("MGET", Key))!)[0].IsNull);
        Assert.Empty((RedisResult[])(await Db.ExecuteAsync("KEYS", Key))!);
        Assert.Equal(0, await Int("EXPIRE", Key, "100"));
        Assert.Equal(0, await Int("PERSIST", Key));
        await AssertError("ERR no such key", "RENAME", Key, "exp:gone:target");
        Assert.Null(await Run("SET", Key, "v", "XX"));

        await Expire();
        Assert.Equal(1, await Int("INCR", Key));
        Assert.Equal(-1, await Int("TTL", Key));
        await Expire();
        Assert.Equal(1, await Int("APPEND", Key, "x"));
        Assert.Equal(-1, await Int("TTL", Key));
        await Expire();
        Assert.Equal(1, await Int("SETNX", Key, "v"));
        await Expire();
        Assert.Null(await Run("GETDEL", Key));
        Assert.Null(await Run("GETSET", Key, "fresh"));
        Assert.Equal(-1, await Int("TTL", Key));
    }

    private async Task<string?> Run(string command, params string[] args) =>
        (string?)await Db.ExecuteAsync(command, [.. args]);

    private async Task<long> Int(string command, params string[] args) =>
        (long)await Db.ExecuteAsync(command, [.. args]);

    private async Task AssertError(string expected, string command, params string[] args)
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(() => Db.ExecuteAsync(command, [.. args]));
        Assert.Equal(expected, error.Message);
    }
}
