using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// INFO commandstats and latencystats, CONFIG RESETSTAT, SLOWLOG and LATENCY against a real redis-server 7.0.15: the
/// same commands give the same field names, calls, rejected and failed calls; durations (timing) are compared by shape.
/// The tests share both servers and run one after another, each from a CONFIG RESETSTAT.
/// </summary>
public sealed partial class CommandStatisticsParityTests(NodeFixture node, RedisServerProcess redis) : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>
{
    private IPEndPoint[] Both => [redis.EndPoint, node.App.RespEndPoint];

    [Fact]
    public async Task CommandStatsCountCallsRejectedAndFailedCallsAsRedis()
    {
        await ResetStatsAsync();
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            SET cmdstats:s 1
            GET cmdstats:s
            GET
            GET cmdstats:s
            CONFIG FOO
            CONFIG GET
            CONFIG GET maxmemory
            HSET cmdstats:s f v
            HSET cmdstats:h f
            SET cmdstats:s v NX XX
            INCR cmdstats:s
            """);

        var expected = await CommandStatsAsync(redis.EndPoint);
        var actual = await CommandStatsAsync(node.App.RespEndPoint);

        // The script ran twice (RESP2, then RESP3): every count is the script's twice.
        Assert.Equal(expected, actual);
        Assert.Contains("cmdstat_get:calls=4,usec=N,usec_per_call=N,rejected_calls=2,failed_calls=0", actual);
        Assert.Contains("cmdstat_config|get:calls=2,usec=N,usec_per_call=N,rejected_calls=2,failed_calls=0", actual);
        Assert.Contains("cmdstat_hset:calls=2,usec=N,usec_per_call=N,rejected_calls=2,failed_calls=2", actual);
        Assert.DoesNotContain(actual, line => line.StartsWith("cmdstat_config:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResetStatLeavesOnlyItsOwnCall()
    {
        foreach (var endPoint in Both)
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            await client.ExecuteAsync("SET", "reset:k", "v");
        }

        await ResetStatsAsync();
        var expected = await CommandStatsAsync(redis.EndPoint);
        var actual = await CommandStatsAsync(node.App.RespEndPoint);

        Assert.Equal(["cmdstat_config|resetstat:calls=1,usec=N,usec_per_call=N,rejected_calls=0,failed_calls=0"], actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task LatencyStatsListTheSameCommandsWithTheConfiguredPercentiles()
    {
        await ResetStatsAsync();
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            SET latency:k v
            GET latency:k
            GET latency:k
            CONFIG GET latency-tracking-info-percentiles
            CONFIG SET latency-tracking-info-percentiles "50 99.99 100"
            CONFIG GET latency-tracking-info-percentiles
            CONFIG SET latency-tracking-info-percentiles "50 101"
            CONFIG SET latency-tracking-info-percentiles "abc"
            CONFIG GET latency-tracking
            """);

        var expected = await LatencyStatsAsync(redis.EndPoint);
        var actual = await LatencyStatsAsync(node.App.RespEndPoint);
        var raw = await InfoAsync(node.App.RespEndPoint, "latencystats");
        foreach (var endPoint in Both)
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"));
        }

        Assert.Equal(expected, actual);
        Assert.Contains("latency_percentiles_usec_get:p50=N,p99.99=N,p100=N", actual);
        Assert.Matches(@"latency_percentiles_usec_get:p50=\d+\.\d{3},p99\.99=\d+\.\d{3},p100=\d+\.\d{3}\r\n", raw);
    }

    [Fact]
    public async Task SlowLogRecordsAsRedisWithArgumentsCut()
    {
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            CONFIG GET slowlog-log-slower-than
            CONFIG GET slowlog-max-len
            CONFIG SET slowlog-log-slower-than -2
            CONFIG SET slowlog-max-len -1
            CONFIG SET slowlog-log-slower-than 0
            SLOWLOG RESET
            SLOWLOG LEN
            SLOWLOG GET -2
            SLOWLOG GET abc
            SLOWLOG GET 1 2
            SLOWLOG FOO
            SLOWLOG HELP
            """);
        var value = new string('v', 200);
        var keys = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"slow:{i}"));
        var replies = new List<string>();
        foreach (var endPoint in Both)
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            await client.ExecuteAsync("CLIENT", "SETNAME", "slow-client");
            await client.ExecuteAsync("SET", "slow:k", value);
            await client.ExecuteAsync(["DEL", .. keys.Split(' ')]);
            replies.Add(Normalize(await client.ExecuteTextAsync("SLOWLOG", "GET", "3")));
            replies.Add(await client.ExecuteTextAsync("SLOWLOG", "LEN"));
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "slowlog-log-slower-than", "10000"));
        }

        Assert.Equal(replies[0], replies[2]);
        Assert.Equal(replies[1], replies[3]);
        Assert.Contains("$23\r\n... (10 more arguments)\r\n", replies[2], StringComparison.Ordinal);
        Assert.Contains("... (72 more bytes)\r\n", replies[2], StringComparison.Ordinal);
        Assert.Contains("$11\r\nslow-client\r\n", replies[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatencyCommandsAnswerAsRedisWithNoSpikes()
    {
        await ResetStatsAsync();
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            LATENCY HELP
            LATENCY LATEST
            LATENCY HISTORY command
            LATENCY RESET
            LATENCY RESET command fast-command
            LATENCY DOCTOR
            LATENCY GRAPH command
            LATENCY FOO
            CONFIG GET latency-monitor-threshold
            CONFIG SET latency-monitor-threshold -1
            CONFIG SET latency-monitor-threshold 10000
            LATENCY DOCTOR
            CONFIG SET latency-monitor-threshold 0
            LATENCY HISTOGRAM nosuchcommand
            """);
        var histograms = new List<string>();
        foreach (var endPoint in Both)
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            await client.ExecuteAsync("SET", "histogram:k", "v");
            histograms.Add(Normalize(await client.ExecuteTextAsync("LATENCY", "HISTOGRAM", "set", "nosuchcommand")));
        }

        Assert.Equal(histograms[0], histograms[1]);
        Assert.Equal("*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:N\r\n$14\r\nhistogram_usec\r\n*2\r\n:N\r\n:N\r\n", histograms[1]);
    }

    /// <summary>
    /// CONFIG RESETSTAT on both, latency tracking on (the fixture starts redis-server with it off, for the memory
    /// figures other classes compare; this class has a server of its own).
    /// </summary>
    private async Task ResetStatsAsync()
    {
        foreach (var endPoint in Both)
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "latency-tracking", "yes"));
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "RESETSTAT"));
        }
    }

    private static async Task<string> InfoAsync(IPEndPoint endPoint, string section)
    {
        await using var client = await RespFrameClient.ConnectAsync(endPoint);
        return await client.ExecuteTextAsync("INFO", section);
    }

    /// <summary>The commandstats lines, sorted (Redis lists them in hash order), durations replaced by N.</summary>
    private static async Task<List<string>> CommandStatsAsync(IPEndPoint endPoint)
    {
        var info = await InfoAsync(endPoint, "commandstats");
        return [.. info.Split("\r\n").Where(l => l.StartsWith("cmdstat_", StringComparison.Ordinal))
            .Select(l => Durations().Replace(l, "$1=N")).Order(StringComparer.Ordinal)];
    }

    /// <summary>The latencystats lines, sorted, percentile values replaced by N.</summary>
    private static async Task<List<string>> LatencyStatsAsync(IPEndPoint endPoint)
    {
        var info = await InfoAsync(endPoint, "latencystats");
        return [.. info.Split("\r\n").Where(l => l.StartsWith("latency_percentiles_usec_", StringComparison.Ordinal))
            .Select(l => Percentiles().Replace(l, "$1=N")).Order(StringComparer.Ordinal)];
    }

    /// <summary>A reply with its integers and client addresses replaced, for what depends on time and ports.</summary>
    private static string Normalize(string reply)
    {
        var text = Regex.Replace(reply, @":-?\d+\r\n", ":N\r\n");
        return Regex.Replace(text, @"\$\d+\r\n127\.0\.0\.1:\d+\r\n", "$A\r\n127.0.0.1:P\r\n");
    }

    [GeneratedRegex(@"(usec|usec_per_call)=[0-9.]+")]
    private static partial Regex Durations();

    [GeneratedRegex(@"(p[0-9.]+)=[0-9.]+")]
    private static partial Regex Percentiles();
}
