using System.Globalization;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// CONFIG SET/GET of the memory settings and MEMORY HELP/USAGE, replayed against a real redis-server 7.0.15 and a
/// node with the replies compared byte for byte; MEMORY USAGE's byte counts, which legitimately differ, are checked
/// against the store's accounting instead.
/// </summary>
public sealed class MemoryCommandsIntegrationTests(NodeFixture node, RedisServerProcess redis)
    : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>
{
    // The limit only moves while the policy cannot evict, so the shared node never loses another test's keys.
    private const string ConfigScript = """
        CONFIG GET maxmemory
        CONFIG SET maxmemory 2mb
        CONFIG GET maxmemory
        CONFIG SET maxmemory 1GB
        CONFIG GET maxmemory
        CONFIG SET maxmemory 1k
        CONFIG GET maxmemory
        CONFIG SET maxmemory 100
        CONFIG GET maxmemory
        CONFIG SET maxmemory 1.5gb
        CONFIG SET maxmemory -1
        CONFIG SET maxmemory abc
        CONFIG SET maxmemory " 1mb"
        CONFIG SET maxmemory "1mb "
        CONFIG SET maxmemory "1 mb"
        CONFIG SET maxmemory +1
        CONFIG SET maxmemory 1Gb
        CONFIG GET maxmemory
        CONFIG SET maxmemory ""
        CONFIG GET maxmemory
        CONFIG SET maxmemory 3kb
        CONFIG SET maxmemory kb
        CONFIG GET maxmemory
        CONFIG SET maxmemory 0
        CONFIG GET maxmemory-policy
        CONFIG SET maxmemory-policy allkeys-lfu
        CONFIG GET maxmemory-policy
        CONFIG SET maxmemory-policy VOLATILE-TTL
        CONFIG GET maxmemory-policy
        CONFIG SET maxmemory-policy lru
        CONFIG SET maxmemory-policy ""
        CONFIG SET maxmemory-policy
        CONFIG SET maxmemory-policy noeviction
        CONFIG GET maxmemory-policy
        CONFIG GET maxmemory-samples
        CONFIG SET maxmemory-samples 10
        CONFIG GET maxmemory-samples
        CONFIG SET maxmemory-samples 0
        CONFIG SET maxmemory-samples -1
        CONFIG SET maxmemory-samples x
        CONFIG SET maxmemory-samples 2147483647
        CONFIG GET maxmemory-samples
        CONFIG SET maxmemory-samples 2147483648
        CONFIG SET maxmemory-samples 5
        CONFIG GET lfu-log-factor
        CONFIG SET lfu-log-factor 0
        CONFIG GET lfu-log-factor
        CONFIG SET lfu-log-factor -1
        CONFIG SET lfu-log-factor 1.5
        CONFIG SET lfu-log-factor 10
        CONFIG GET lfu-decay-time
        CONFIG SET lfu-decay-time 0
        CONFIG GET lfu-decay-time
        CONFIG SET lfu-decay-time -1
        CONFIG SET lfu-decay-time 2147483648
        CONFIG SET lfu-decay-time 1
        # All or nothing: a bad value anywhere leaves every named setting as it was.
        CONFIG SET maxmemory 1mb maxmemory-policy bad
        CONFIG GET maxmemory
        CONFIG SET maxmemory-samples 7 lfu-log-factor x
        CONFIG GET maxmemory-samples
        CONFIG SET maxmemory-samples 7 lfu-log-factor 3 lfu-decay-time 4
        CONFIG GET maxmemory-samples
        CONFIG GET lfu-log-factor
        CONFIG GET lfu-decay-time
        CONFIG GET MAXMEMORY-SAMPLES
        CONFIG SET maxmemory-samples 5 lfu-log-factor 10 lfu-decay-time 1
        CONFIG SET maxmemory-samples 5 MAXMEMORY-SAMPLES 6
        CONFIG GET maxmemory-samples
        """;

    [Fact]
    public async Task MemorySettingsAreSetAndReadAsRedisDoesIt()
        => await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, ConfigScript);

    [Fact]
    public async Task MemoryHelpAndUsageArgumentsAnswerAsRedis()
    {
        var steps = await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            SET memusage:a "a value of some length"
            MEMORY HELP
            MEMORY help
            MEMORY HELP extra
            MEMORY
            MEMORY foo
            MEMORY USAGE
            MEMORY USAGE memusage:missing
            MEMORY USAGE memusage:missing SAMPLES x
            MEMORY USAGE memusage:a SAMPLES x
            MEMORY USAGE memusage:a SAMPLES -1
            MEMORY USAGE memusage:a SAMPLES 9999999999999999999999
            MEMORY USAGE memusage:a SAMPLES
            MEMORY USAGE memusage:a SAMPLES 5 extra
            MEMORY USAGE memusage:a extra
            MEMORY USAGE memusage:a extra 5
            ? MEMORY USAGE memusage:a
            ? MEMORY USAGE memusage:a SAMPLES 0
            ? MEMORY USAGE memusage:a samples 5 SAMPLES 3
            DEL memusage:a
            MEMORY USAGE memusage:a
            """);

        // The byte counts are each server's own; the node's are its store's.
        var usage = steps.Where(s => s.Command.StartsWith("? MEMORY USAGE", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, usage.Count);
        Assert.All(usage, step => Assert.Equal(Encoding.ASCII.GetString(usage[0].Node), Encoding.ASCII.GetString(step.Node)));
        var expected = ArrayBytes(16 + "memusage:a".Length + "a value of some length".Length) + 22;
        Assert.Equal($":{expected}\r\n", Encoding.ASCII.GetString(usage[0].Node));
    }

    [Fact]
    public async Task MemoryUsageIsWhatTheStoreCountsForTheKey()
    {
        await using var client = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        foreach (var length in new[] { 0, 1, 7, 44, 45, 1000, 100_000 })
        {
            var key = $"memusage:len:{length}";
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("SET", key, new string('x', length)));
            var usage = Integer(await client.ExecuteTextAsync("MEMORY", "USAGE", key));

            // The entry array (16-byte header, key, value) padded as the runtime pads it, and the key's table share (slot,
            // bucket, hash slot).
            Assert.Equal(ArrayBytes(16 + Encoding.UTF8.GetByteCount(key) + length) + 22, usage);
            Assert.True(node.App.Store.TryDescribe(Encoding.UTF8.GetBytes(key), out var description));
            Assert.Equal(description.Bytes, usage);
        }
    }

    [Fact]
    public async Task MemoryUsageOverAllKeysAddsUpToUsedMemoryAboveStartup()
    {
        await using var client = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        var commands = Enumerable.Range(0, 2000)
            .Select(i => new[] { "SET", $"memusage:sum:{i}", new string('v', 100 + (i % 900)) });
        Assert.All(await client.ExecuteManyAsync(commands), reply => Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(reply)));

        await using var scanner = await node.App.ConnectRawAsync();
        long sum = 0;
        var cursor = "0";
        for (var round = 0; round < 10_000; round++)
        {
            var reply = Assert.IsType<List<object?>>(await scanner.CommandAsync("SCAN", cursor, "COUNT", "1000"));
            cursor = (string)reply[0]!;
            var keys = ((List<object?>)reply[1]!).Cast<string>().ToList();
            var usages = await client.ExecuteManyAsync(keys.Select(k => new[] { "MEMORY", "USAGE", k }));
            sum += usages.Sum(u => Integer(Encoding.ASCII.GetString(u)));
            if (cursor == "0")
            {
                break;
            }
        }

        Assert.Equal("0", cursor);
        var info = await client.ExecuteTextAsync("INFO", "memory");
        var above = InfoField(info, "used_memory") - InfoField(info, "used_memory_startup");
        Assert.True(Math.Abs(sum - above) <= 0.10 * above, $"MEMORY USAGE sums to {sum}, used_memory - startup is {above}");
    }

    private static long ArrayBytes(long length) => (24 + length + 7) / 8 * 8;

    private static long Integer(string reply)
    {
        Assert.StartsWith(":", reply, StringComparison.Ordinal);
        return long.Parse(reply.AsSpan(1, reply.Length - 3), CultureInfo.InvariantCulture);
    }

    internal static long InfoField(string info, string name)
    {
        var start = info.IndexOf($"\r\n{name}:", StringComparison.Ordinal);
        Assert.True(start >= 0, $"INFO has no {name}");
        start += name.Length + 3;
        var end = info.IndexOf("\r\n", start, StringComparison.Ordinal);
        return long.Parse(info.AsSpan(start, end - start), CultureInfo.InvariantCulture);
    }
}
