using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The small commands PepperCache answers as Redis 7.0.15 does, against a redis-server with one database (as the
/// node has): MOVE and SWAPDB for every database index, DEBUG refused under <c>enable-debug-command no</c>, and the
/// argument errors of WAIT and CLIENT PAUSE, REPLY and NO-EVICT. Replies byte for byte, in RESP2 and RESP3.
/// </summary>
public sealed class DatabaseCommandsDifferentialTests(OneDatabaseRedisFixture servers) : IClassFixture<OneDatabaseRedisFixture>
{
    [Fact]
    public Task MoveAnswersAsRedisWithOneDatabase() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        SET move:k v
        MOVE move:k 0
        MOVE move:k 1
        MOVE move:k 15
        MOVE move:k -1
        MOVE move:k x
        MOVE move:k 1.5
        MOVE move:k 2147483647
        MOVE move:k 2147483648
        MOVE move:k -2147483649
        MOVE move:k 99999999999999999999
        MOVE move:missing 0
        MOVE move:missing 1
        MOVE move:k
        MOVE move:k 0 1
        GET move:k
        COMMAND GETKEYS MOVE move:k 0
        COMMAND INFO move
        DEL move:k
        """);

    [Fact]
    public Task SelectAnswersAsRedisWithOneDatabase() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        SELECT 0
        SELECT 1
        SELECT -1
        SELECT x
        SELECT 1.5
        SELECT 2147483648
        SELECT -2147483649
        SELECT 99999999999999999999
        SELECT
        SELECT 0 0
        """);

    [Fact]
    public Task SwapDbAnswersAsRedisWithOneDatabase() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        SET swap:k v
        SWAPDB 0 0
        SWAPDB 0 1
        SWAPDB 1 0
        SWAPDB 1 1
        SWAPDB -1 0
        SWAPDB 0 -1
        SWAPDB x 0
        SWAPDB 0 x
        SWAPDB x y
        SWAPDB 2147483648 0
        SWAPDB 0 99999999999999999999
        SWAPDB 0
        SWAPDB 0 0 0
        GET swap:k
        COMMAND INFO swapdb
        DEL swap:k
        """);

    [Fact]
    public Task DebugIsRefusedAsUnderRedisDefaultConfig() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        DEBUG
        DEBUG HELP
        DEBUG OBJECT k
        DEBUG SLEEP 0
        debug jmap
        CONFIG GET enable-debug-command
        CONFIG SET enable-debug-command yes
        CONFIG SET enable-debug-command local
        COMMAND INFO debug
        """);

    /// <summary>As Redis's rejectCommand: a rejected call in commandstats, not a call that failed.</summary>
    [Fact]
    public async Task DebugCountsAsARejectedCall()
    {
        List<string> lines = [];
        foreach (var server in new[] { servers.RedisEndPoint, servers.Node.RespEndPoint })
        {
            await using var client = await RespFrameClient.ConnectAsync(server);
            await client.ExecuteAsync("CONFIG", "RESETSTAT");
            await client.ExecuteAsync("DEBUG", "OBJECT", "k");
            var stats = await client.ExecuteTextAsync("INFO", "commandstats");
            lines.Add(stats.Split("\r\n").Single(l => l.StartsWith("cmdstat_debug:", StringComparison.Ordinal)));
        }

        Assert.Equal("cmdstat_debug:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0", lines[0]);
        Assert.Equal(lines[0], lines[1]);
    }

    [Fact]
    public Task WaitAnswersZeroAtOnceAndRefusesBadArguments() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        WAIT 0 0
        WAIT 0 100
        WAIT -1 0
        WAIT -5 1000000
        WAIT 0 9223372036854775807
        WAIT x 0
        WAIT 1.5 0
        WAIT 99999999999999999999 0
        WAIT 0 x
        WAIT 0 1.5
        WAIT 0 -1
        WAIT x -1
        WAIT 1 -1
        WAIT 0
        WAIT 0 0 0
        COMMAND INFO wait
        """);

    [Fact]
    public Task ClientSubcommandsRefuseBadArgumentsAsRedis() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        CLIENT PAUSE
        CLIENT PAUSE x
        CLIENT PAUSE 1.5
        CLIENT PAUSE -1
        CLIENT PAUSE 99999999999999999999
        CLIENT PAUSE 0 foo
        CLIENT PAUSE x foo
        CLIENT PAUSE -1 write
        CLIENT PAUSE x ALL
        CLIENT PAUSE 1 all extra
        CLIENT Pause 1 all extra
        CLIENT UNPAUSE x
        CLIENT REPLY
        CLIENT REPLY foo
        CLIENT REPLY on extra
        CLIENT REPLY on
        CLIENT REPLY ON
        CLIENT NO-EVICT
        CLIENT NO-EVICT foo
        CLIENT NO-EVICT on
        CLIENT NO-EVICT OFF
        CLIENT NO-EVICT on extra
        CLIENT UNPAUSE
        COMMAND INFO client|pause client|unpause client|reply client|no-evict
        """);

    /// <summary>
    /// A pause whose end is past LLONG_MAX ms wraps into the past in Redis 7.0 and ends at once; one of 0 ms ends at
    /// once too. Neither holds the write after it.
    /// </summary>
    [Fact]
    public Task APauseThatEndsAtOnceHoldsNothing() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        CLIENT PAUSE 9223372036854775807 WRITE
        SET pause:k 1
        CLIENT PAUSE 0 WRITE
        INCR pause:k
        CLIENT PAUSE 0
        GET pause:k
        CLIENT UNPAUSE
        DEL pause:k
        """);
}
