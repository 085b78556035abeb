using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// OBJECT, TYPE, TOUCH and SCAN ... TYPE: scripts replayed against a real redis-server 7.0.15 and a node with the
/// replies compared byte for byte, then what only the node's fake clock can show exactly (idle time and the LFU
/// counter over minutes, and which commands count as a use).
/// </summary>
/// <remarks>
/// Redis shares one object among keys holding small integers (0-9999) while no limit is set, and that object's
/// access bits are everyone's: FREQ and IDLETIME are only compared on other values. Redis's clock moves during a
/// script, so LFU counters are compared with lfu-decay-time 0 and idle times by type only.
/// </remarks>
public sealed class ObjectCommandsIntegrationTests(FakeClockNodeFixture node, RedisServerProcess redis)
    : IClassFixture<FakeClockNodeFixture>, IClassFixture<RedisServerProcess>
{
    [Fact]
    public async Task ObjectEncodingAndRefcountAnswerAsRedis()
    {
        var x44 = new string('x', 44);
        var x45 = new string('x', 45);
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, $"""
            SET obj:int 12345
            OBJECT ENCODING obj:int
            SET obj:min -9223372036854775808
            OBJECT ENCODING obj:min
            SET obj:over 9223372036854775808
            OBJECT ENCODING obj:over
            SET obj:minus0 -0
            OBJECT ENCODING obj:minus0
            SET obj:lead0 01
            OBJECT ENCODING obj:lead0
            SET obj:plus +1
            OBJECT ENCODING obj:plus
            SET obj:empty ""
            OBJECT ENCODING obj:empty
            SET obj:e44 {x44}
            OBJECT ENCODING obj:e44
            SET obj:r45 {x45}
            OBJECT ENCODING obj:r45
            APPEND obj:e44 y
            OBJECT ENCODING obj:e44
            APPEND obj:new-int 123
            OBJECT ENCODING obj:new-int
            APPEND obj:new-text abc
            OBJECT ENCODING obj:new-text
            SET obj:append-nothing 12
            APPEND obj:append-nothing ""
            OBJECT ENCODING obj:append-nothing
            SET obj:float 1
            INCRBYFLOAT obj:float 1
            OBJECT ENCODING obj:float
            INCRBYFLOAT obj:float 0.5
            OBJECT ENCODING obj:float
            INCR obj:counter
            OBJECT ENCODING obj:counter
            MSET obj:m-int 77 obj:m-text seventy
            OBJECT ENCODING obj:m-int
            OBJECT ENCODING obj:m-text
            SETRANGE obj:range 0 12
            OBJECT ENCODING obj:range
            GETSET obj:getset 42
            OBJECT ENCODING obj:getset
            SETEX obj:setex 100 42
            OBJECT ENCODING obj:setex
            SET obj:ex 4242 EX 100
            OBJECT ENCODING obj:ex
            OBJECT ENCODING obj:missing
            # REFCOUNT: Redis shares small integers while no limit is set or the policy keeps no access bits.
            OBJECT REFCOUNT obj:m-int
            OBJECT REFCOUNT obj:counter
            OBJECT REFCOUNT obj:int
            OBJECT REFCOUNT obj:m-text
            OBJECT REFCOUNT obj:float
            OBJECT REFCOUNT obj:new-int
            OBJECT REFCOUNT obj:missing
            CONFIG SET maxmemory-policy allkeys-lru
            SET obj:lru-shared 6
            OBJECT REFCOUNT obj:lru-shared
            CONFIG SET maxmemory 1gb
            SET obj:lru-own 7
            OBJECT REFCOUNT obj:lru-own
            CONFIG SET maxmemory-policy volatile-ttl
            SET obj:ttl-shared 8
            OBJECT REFCOUNT obj:ttl-shared
            CONFIG SET maxmemory 0
            CONFIG SET maxmemory-policy noeviction
            """);
    }

    [Fact]
    public async Task ObjectFreqAndIdletimeAnswerAsRedisUnderEachPolicy()
    {
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            SET obj:text value
            OBJECT FREQ obj:text
            OBJECT FREQ obj:missing
            ? OBJECT IDLETIME obj:text
            OBJECT IDLETIME obj:missing
            CONFIG SET lfu-decay-time 0
            # Log factor 0: every use counts, so the counters are exact on both servers rather than random past 6.
            CONFIG SET lfu-log-factor 0
            CONFIG SET maxmemory-policy allkeys-lfu
            OBJECT IDLETIME obj:text
            OBJECT IDLETIME obj:missing
            OBJECT FREQ obj:missing
            SET obj:lfu value
            OBJECT FREQ obj:lfu
            GET obj:lfu
            OBJECT FREQ obj:lfu
            # Not uses: OBJECT itself, TYPE, EXISTS, TTL, MEMORY USAGE.
            SET obj:quiet value
            OBJECT ENCODING obj:quiet
            OBJECT REFCOUNT obj:quiet
            TYPE obj:quiet
            EXISTS obj:quiet
            TTL obj:quiet
            ? MEMORY USAGE obj:quiet
            OBJECT FREQ obj:quiet
            # Uses: TOUCH, and writing over the key (the new value keeps the counter).
            SET obj:touched value
            TOUCH obj:touched
            OBJECT FREQ obj:touched
            SET obj:rewritten v1
            SET obj:rewritten v2
            OBJECT FREQ obj:rewritten
            SET obj:msetted v1
            MSET obj:msetted v2
            OBJECT FREQ obj:msetted
            SET obj:setexed v1
            SETEX obj:setexed 100 v2
            OBJECT FREQ obj:setexed
            SET obj:appended v1
            APPEND obj:appended v2
            OBJECT FREQ obj:appended
            # With a limit set, integers are not shared, and REFCOUNT is not a use either.
            CONFIG SET maxmemory 1gb
            SET obj:lfu-int 5
            OBJECT REFCOUNT obj:lfu-int
            OBJECT FREQ obj:lfu-int
            SET obj:lfu-big 123456
            OBJECT REFCOUNT obj:lfu-big
            OBJECT FREQ obj:lfu-big
            CONFIG SET maxmemory-policy volatile-lfu
            OBJECT FREQ obj:lfu-big
            OBJECT IDLETIME obj:lfu-big
            CONFIG SET maxmemory 0
            CONFIG SET maxmemory-policy noeviction
            CONFIG SET lfu-decay-time 1
            CONFIG SET lfu-log-factor 10
            """);
    }

    [Fact]
    public async Task ObjectArityHelpAndUnknownSubcommandsAnswerAsRedis()
        => await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            OBJECT
            OBJECT foo
            OBJECT foo bar
            OBJECT ENCODING
            OBJECT ENCODING a b
            OBJECT FREQ
            OBJECT IDLETIME a b
            OBJECT REFCOUNT
            OBJECT HELP extra
            OBJECT HELP
            object help
            """);

    [Fact]
    public async Task TypeTouchAndScanTypeAnswerAsRedis()
        => await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            SET typ:a 1
            SET typ:b hello
            TYPE typ:a
            TYPE typ:b
            TYPE typ:missing
            TYPE
            TYPE typ:a typ:b
            TOUCH typ:a
            TOUCH typ:a typ:missing typ:a typ:b
            TOUCH typ:missing
            TOUCH
            SCAN 0 MATCH typ:a* TYPE string COUNT 1000
            SCAN 0 MATCH typ:b* TYPE STRING COUNT 1000
            SCAN 0 MATCH typ:b* TYPE String COUNT 1000
            SCAN 0 MATCH typ:* TYPE list COUNT 1000
            SCAN 0 MATCH typ:* TYPE hash COUNT 1000
            SCAN 0 MATCH typ:* TYPE zset COUNT 1000
            SCAN 0 MATCH typ:* TYPE set COUNT 1000
            SCAN 0 MATCH typ:* TYPE stream COUNT 1000
            SCAN 0 MATCH typ:* TYPE nosuchtype COUNT 1000
            SCAN 0 MATCH typ:* TYPE strings COUNT 1000
            SCAN 0 MATCH typ:* COUNT 1000 TYPE
            SCAN 0 TYPE
            DEL typ:a typ:b
            SCAN 0 MATCH typ:* TYPE string COUNT 1000
            """);

    [Fact]
    public async Task IdleTimeFollowsTheNodesClockAndOnlyUsesResetIt()
    {
        await using var client = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("SET", "idle:text", "value"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("SET", "idle:int", "5"));
        node.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(":10\r\n", await client.ExecuteTextAsync("OBJECT", "IDLETIME", "idle:text"));

        foreach (var key in new[] { "idle:text", "idle:int" })
        {
            // None of these is a use of the key.
            await client.ExecuteAsync("TYPE", key);
            await client.ExecuteAsync("EXISTS", key);
            await client.ExecuteAsync("TTL", key);
            await client.ExecuteAsync("PTTL", key);
            await client.ExecuteAsync("OBJECT", "ENCODING", key);
            await client.ExecuteAsync("OBJECT", "REFCOUNT", key);
            await client.ExecuteAsync("OBJECT", "FREQ", key);
            await client.ExecuteAsync("MEMORY", "USAGE", key);
            await client.ExecuteAsync("SCAN", "0", "MATCH", key, "TYPE", "string");
            await client.ExecuteAsync("KEYS", key);
            Assert.Equal(":10\r\n", await client.ExecuteTextAsync("OBJECT", "IDLETIME", key));
        }

        node.Clock.Advance(TimeSpan.FromMilliseconds(2900));
        Assert.Equal(":12\r\n", await client.ExecuteTextAsync("OBJECT", "IDLETIME", "idle:text"));
        await client.ExecuteAsync("GET", "idle:text");
        Assert.Equal(":0\r\n", await client.ExecuteTextAsync("OBJECT", "IDLETIME", "idle:text"));
        await client.ExecuteAsync("TOUCH", "idle:int");
        Assert.Equal(":0\r\n", await client.ExecuteTextAsync("OBJECT", "IDLETIME", "idle:int"));
        node.Clock.Advance(TimeSpan.FromSeconds(5));
        await client.ExecuteAsync("MGET", "idle:text");
        Assert.Equal(":0\r\n", await client.ExecuteTextAsync("OBJECT", "IDLETIME", "idle:text"));
        Assert.Equal(":5\r\n", await client.ExecuteTextAsync("OBJECT", "IDLETIME", "idle:int"));
    }

    [Fact]
    public async Task TheLfuCounterDecaysWithTheNodesClock()
    {
        await using var client = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-decay-time", "2"));
        try
        {
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("SET", "lfu:decay", "value"));
            Assert.Equal(":5\r\n", await client.ExecuteTextAsync("OBJECT", "FREQ", "lfu:decay"));
            node.Clock.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(":4\r\n", await client.ExecuteTextAsync("OBJECT", "FREQ", "lfu:decay"));
            node.Clock.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(":2\r\n", await client.ExecuteTextAsync("OBJECT", "FREQ", "lfu:decay"));

            // A read decays first, then counts (always, at or below the initial 5).
            await client.ExecuteAsync("GET", "lfu:decay");
            Assert.Equal(":3\r\n", await client.ExecuteTextAsync("OBJECT", "FREQ", "lfu:decay"));
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "lfu-decay-time", "0"));
            node.Clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(":3\r\n", await client.ExecuteTextAsync("OBJECT", "FREQ", "lfu:decay"));
        }
        finally
        {
            await client.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "noeviction", "lfu-decay-time", "1");
        }
    }
}
