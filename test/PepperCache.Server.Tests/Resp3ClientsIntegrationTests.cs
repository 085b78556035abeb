using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// RESP3 through a real client that prints what it parsed: <c>redis-cli -3</c> piped the same commands against
/// redis-server 7.0.15 and a node must print the same text (maps as "key value" lines, doubles, nulls as empty lines).
/// The byte-for-byte RESP3 comparison of every command family is the differential scripts' second pass
/// (<see cref="DifferentialScript"/>); StackExchange.Redis in RESP3 is in <see cref="RedisToolsIntegrationTests"/>.
/// </summary>
public sealed class Resp3ClientsIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private const string Commands = """
        ZADD cli3:z 1.5 a 2 b -inf c
        ZSCORE cli3:z a
        ZRANGE cli3:z 0 -1 WITHSCORES
        ZPOPMIN cli3:z 2
        ZSCORE cli3:z nosuch
        HSET cli3:h f v
        HGETALL cli3:h
        HGETALL cli3:nokey
        GET cli3:nokey
        SADD cli3:s m
        SMEMBERS cli3:s
        CONFIG GET maxmemory
        LPOP cli3:nokey
        GEOADD cli3:g 13.361389 38.115556 Palermo
        GEOPOS cli3:g Palermo nosuch
        """;

    [Fact]
    public async Task RedisCliInResp3PrintsWhatItPrintsAgainstRedis()
    {
        var expected = await RunAsync(servers.RedisEndPoint.Port);
        var actual = await RunAsync(servers.Node.RespEndPoint.Port);
        Assert.Equal(expected, actual);
        Assert.Contains("a\n1.5\n", actual, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(int port)
    {
        var result = await ToolProcess.RunAsync("redis-cli", ["-3", "-p", port.ToString(CultureInfo.InvariantCulture)], Commands.Replace("\r", "") + "\n");
        Assert.Equal(0, result.ExitCode);
        return result.Output;
    }
}
