using System.Globalization;
using System.Text;
using PepperCache.Core.Types;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Strings;

/// <summary>
/// PFADD, PFCOUNT and PFMERGE against redis-server 7.0.15 and a node. The value is Redis's HLL string, so beyond the
/// replies the tests compare the bytes GET returns after the same PFADDs (sparse, at the promotion to dense, dense),
/// move values between the servers with GET and SET, and check counts of 10k, 100k and 1M elements.
/// </summary>
public sealed class HyperLogLogDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private Task RunAsync(string script) => DifferentialScript.RunAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, script);

    [Fact]
    public Task AddCountMergeAndTheBytesTheyLeave() => RunAsync("""
        > PFADD hl:{t}a
        > GET hl:{t}a
        > PFADD hl:{t}a
        > PFADD hl:{t}a a b c
        > GET hl:{t}a
        > PFADD hl:{t}a a b c
        > PFCOUNT hl:{t}a
        > GET hl:{t}a
        > OBJECT ENCODING hl:{t}a
        > PFADD hl:{t}a "\x00\xff" "" "\r\n" 12345 longer-element-of-more-than-eight-bytes
        > GET hl:{t}a
        > PFCOUNT hl:{t}a
        > PFADD hl:{t}b x y z a
        > PFMERGE hl:{t}m hl:{t}b
        > GET hl:{t}m
        > PFMERGE hl:{t}m hl:{t}a hl:{t}nokey
        > GET hl:{t}m
        > PFCOUNT hl:{t}m
        > PFCOUNT hl:{t}a hl:{t}b hl:{t}nokey
        > PFCOUNT hl:{t}nokey
        > PFCOUNT hl:{t}nokey hl:{t}nokey2
        > PFMERGE hl:{t}empty
        > GET hl:{t}empty
        > PFMERGE hl:{t}empty2 hl:{t}nokey
        > GET hl:{t}empty2
        > PFCOUNT hl:{t}empty2
        > PEXPIREAT hl:{t}m 32503680000000
        > PFADD hl:{t}m new
        > PFMERGE hl:{t}m hl:{t}b
        > PEXPIRETIME hl:{t}m
        > SET hl:{t}copy "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
        > OBJECT ENCODING hl:{t}copy
        > PFCOUNT hl:{t}copy
        > OBJECT ENCODING hl:{t}copy
        > PFADD hl:{t}copy a
        > GET hl:{t}copy
        """);

    [Fact]
    public Task NotAHyperLogLogAndCorruptValues() => RunAsync("""
        > SET hle:{t}s hello
        > PFADD hle:{t}s a
        > PFCOUNT hle:{t}s
        > PFMERGE hle:{t}s hle:{t}nokey
        > PFMERGE hle:{t}d hle:{t}s
        > EXISTS hle:{t}d
        > PFCOUNT hle:{t}nokey hle:{t}s
        > SET hle:{t}int 1234567890123456
        > PFADD hle:{t}int a
        > SET hle:{t}short HYLL
        > PFCOUNT hle:{t}short
        > SET hle:{t}enc "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
        > PFCOUNT hle:{t}enc
        > SET hle:{t}dense "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00"
        > PFCOUNT hle:{t}dense
        > PFADD hle:{t}dense a
        > HSET hle:{t}h f v
        > PFADD hle:{t}h a
        > PFCOUNT hle:{t}h
        > PFCOUNT hle:{t}nokey hle:{t}h
        > PFCOUNT hle:{t}s hle:{t}h
        > PFCOUNT hle:{t}h hle:{t}s
        > PFMERGE hle:{t}h hle:{t}nokey
        > PFMERGE hle:{t}d hle:{t}h
        > SET hle:{t}bad "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x40\x63"
        > PFCOUNT hle:{t}bad
        > OBJECT ENCODING hle:{t}bad
        > PFCOUNT hle:{t}bad hle:{t}nokey
        > PFMERGE hle:{t}d hle:{t}bad
        > PFCOUNT hle:{t}bad hle:{t}h
        > SET hle:{t}cached "HYLL\x01\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\x7f\xff"
        > PFCOUNT hle:{t}cached
        > PFADD
        > PFCOUNT
        > PFMERGE
        """);

    [Fact]
    public async Task TheSameAddsLeaveTheSameBytesThroughPromotionToDense()
    {
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        foreach (var (key, sparseMax) in new[] { ("hlp:small", "200"), ("hlp:default", "3000") })
        {
            var steps = new List<string[]> { new[] { "CONFIG", "SET", "hll-sparse-max-bytes", sparseMax } };
            for (var batch = 0; batch < 60; batch++)
            {
                steps.Add(["PFADD", key, .. Enumerable.Range(batch * 50, 50).Select(i => "e" + i.ToString(CultureInfo.InvariantCulture))]);
                steps.Add(["GET", key]);
                steps.Add(["PFCOUNT", key]);
                steps.Add(["GET", key]);
            }

            steps.Add(["CONFIG", "SET", "hll-sparse-max-bytes", "3000"]);
            await AssertSameAsync(redis, node, steps);
        }

        // The last value is dense on both: 16 + 12288 bytes.
        var value = await node.ExecuteAsync("GET", "hlp:default");
        Assert.StartsWith("$12304\r\nHYLL\0", Encoding.Latin1.GetString(value), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValuesMovedBetweenTheServersWithGetAndSetCountTheSame()
    {
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        foreach (var (count, key) in new[] { (20, "hlx:sparse"), (5000, "hlx:dense") })
        {
            await redis.ExecuteManyAsync(AddCommands(key, 0, count));
            await node.ExecuteManyAsync(AddCommands(key + ":node", count, 2 * count));
            var fromRedis = Bulk(await redis.ExecuteAsync("GET", key));
            var fromNode = Bulk(await node.ExecuteAsync("GET", key + ":node"));
            Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(await node.ExecuteAsync([Encoding.UTF8.GetBytes("SET"), Encoding.UTF8.GetBytes(key), fromRedis])));
            Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(await redis.ExecuteAsync([Encoding.UTF8.GetBytes("SET"), Encoding.UTF8.GetBytes(key + ":node"), fromNode])));
            await AssertSameAsync(redis, node, [
                ["PFCOUNT", key], ["PFCOUNT", key + ":node"], ["PFCOUNT", key, key + ":node"],
                ["PFADD", key, "more", "and", "more"], ["GET", key],
                ["PFMERGE", key + ":both", key, key + ":node"], ["GET", key + ":both"], ["PFCOUNT", key + ":both"],
            ]);
        }
    }

    /// <summary>Counts equal to Redis's, and within three standard errors (3 x 0.81%) of the truth.</summary>
    [Fact]
    public async Task LargeCountsAreRedisCountsWithinItsError()
    {
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        foreach (var size in new[] { 10_000, 100_000, 1_000_000 })
        {
            var key = "hll:n" + size.ToString(CultureInfo.InvariantCulture);
            foreach (var chunk in AddCommands(key, 0, size).Chunk(50))
            {
                Assert.Equal(await redis.ExecuteManyAsync(chunk), await node.ExecuteManyAsync(chunk));
            }

            var counted = await node.ExecuteTextAsync("PFCOUNT", key);
            Assert.Equal(await redis.ExecuteTextAsync("PFCOUNT", key), counted);
            var estimate = long.Parse(counted.AsSpan(1, counted.Length - 3), CultureInfo.InvariantCulture);
            Assert.InRange(estimate, size * (1 - 0.0243), size * (1 + 0.0243));
            Assert.Equal(await redis.ExecuteAsync("GET", key), await node.ExecuteAsync("GET", key));
        }

        await AssertSameAsync(redis, node, [
            ["PFCOUNT", "hll:n10000", "hll:n100000", "hll:n1000000"],
            ["PFMERGE", "hll:all", "hll:n10000", "hll:n100000", "hll:n1000000"], ["GET", "hll:all"], ["PFCOUNT", "hll:all"],
        ]);
    }

    /// <summary>Registers and pattern lengths as redis-server's PFDEBUG GETREG shows them after PFADD of each element.</summary>
    [Theory]
    [InlineData("a", 0x53d2470a9b43b1a7UL, 12711, 2)]
    [InlineData("hello world!", 0x0fc444011f57220cUL, 8716, 3)]
    [InlineData("0123456789abcdef", 0x9f8565428eaa573dUL, 5949, 1)]
    public void ElementsLandInRedisRegisters(string element, ulong hash, int register, int patternLength)
    {
        var bytes = Encoding.UTF8.GetBytes(element);
        Assert.Equal(hash, HyperLogLog.MurmurHash64A(bytes, 0xadc83b19));
        Assert.Equal(patternLength, HyperLogLog.PatternLength(bytes, out var actualRegister));
        Assert.Equal(register, actualRegister);
        Assert.Equal(0, HyperLogLog.Count(HyperLogLog.CreateEmpty()));
    }

    private static IEnumerable<string[]> AddCommands(string key, int from, int to)
    {
        for (var start = from; start < to; start += 1000)
        {
            yield return ["PFADD", key, .. Enumerable.Range(start, Math.Min(1000, to - start)).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture))];
        }
    }

    private static async Task AssertSameAsync(RespFrameClient redis, RespFrameClient node, List<string[]> steps)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var expected = await redis.ExecuteAsync(steps[i]);
            var actual = await node.ExecuteAsync(steps[i]);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{string.Join(' ', steps[i].Take(3))}...: redis {RespTranscript.Show(expected)[..Math.Min(200, RespTranscript.Show(expected).Length)]}, node {RespTranscript.Show(actual)[..Math.Min(200, RespTranscript.Show(actual).Length)]}");
        }
    }

    /// <summary>The payload of a bulk-string reply.</summary>
    private static byte[] Bulk(byte[] reply)
    {
        var header = Array.IndexOf(reply, (byte)'\n') + 1;
        return reply[header..^2];
    }
}
