using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.DumpRestore.PayloadBuilder;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>RESTORE's and DUMP's errors and edge cases against redis-server 7.0.15, every reply compared byte for byte.</summary>
public sealed class RestoreErrorDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    private static byte[][] C(params object[] parts) => parts.Select(p => p as byte[] ?? B((string)p)).ToArray();

    private async Task CompareAsync(IEnumerable<byte[][]> commands)
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        var differences = new StringBuilder();
        foreach (var command in commands)
        {
            if (command.Length > 1 && Encoding.Latin1.GetString(command[0]) == "RESTORE" && Encoding.Latin1.GetString(command[1]) == "rb:k")
            {
                await node.ExecuteAsync("DEL", "rb:k");
                await redis.ExecuteAsync("DEL", "rb:k");
            }

            var ours = Encoding.Latin1.GetString(await node.ExecuteAsync(command));
            var theirs = Encoding.Latin1.GetString(await redis.ExecuteAsync(command));
            if (ours != theirs)
            {
                differences.AppendLine($"{string.Join(' ', command.Select(a => a.Length > 40 ? "<payload>" : Encoding.Latin1.GetString(a)))}\n  node:  {ours}\n  redis: {theirs}");
            }
        }

        Assert.True(differences.Length == 0, differences.ToString());
    }

    [Fact]
    public Task OptionsTtlAndExistingKeysAnswerAsRedis()
    {
        var p = Seal(Concat([0], String("hello")));
        return CompareAsync(
        [
            C("DEL", "re:src", "re:new", "re:n2", "re:n5", "re:n6", "re:n7", "re:n8", "re:n9"),
            C("SET", "re:src", "hello"),
            C("DUMP", "re:src"),
            C("DUMP", "re:missing"),
            C("RESTORE", "re:src", "0", p),
            C("RESTORE", "re:new", "0", p),
            C("GET", "re:new"),
            C("RESTORE", "re:new", "0", p, "replace"),
            C("RESTORE", "re:new", "-1", p),
            C("RESTORE", "re:new", "x", p),
            C("RESTORE", "re:n2", "-1", p),
            C("RESTORE", "re:n2", "abc", p),
            C("RESTORE", "re:n2", "0", p, "IDLETIME", "1", "FREQ", "1"),
            C("RESTORE", "re:n2", "0", p, "FREQ", "1", "IDLETIME", "1"),
            C("RESTORE", "re:n2", "0", p, "FREQ", "256"),
            C("RESTORE", "re:n2", "0", p, "FREQ", "-1"),
            C("RESTORE", "re:n2", "0", p, "FREQ", "x"),
            C("RESTORE", "re:n2", "0", p, "FREQ"),
            C("RESTORE", "re:n2", "0", p, "IDLETIME", "-5"),
            C("RESTORE", "re:n2", "0", p, "IDLETIME", "1.5"),
            C("RESTORE", "re:n2", "0", p, "IDLETIME"),
            C("RESTORE", "re:n2", "0", p, "BOGUS"),
            C("RESTORE", "re:n2", "0", p, "REPLACE", "REPLACE", "ABSTTL"),
            C("EXISTS", "re:n2"),
            C("RESTORE", "re:n5", "0", p, "IDLETIME", "1000"),
            C("OBJECT", "IDLETIME", "re:n5"),
            C("RESTORE", "re:n6", "1", p, "ABSTTL"),
            C("EXISTS", "re:n6"),
            C("RESTORE", "re:src", "1", p, "ABSTTL"),
            C("RESTORE", "re:src", "1", p, "ABSTTL", "REPLACE"),
            C("EXISTS", "re:src"),
            C("RESTORE", "re:n7", "9223372036854775807", p),
            C("EXISTS", "re:n7"),
            C("RESTORE", "re:n9", "32503680000000", p, "ABSTTL"),
            C("PEXPIRETIME", "re:n9"),
            C("RESTORE", "re:n8", "100000", p),
            C("TTL", "re:n8"),
            C("RESTORE", "re:n8", "0"),
            C("RESTORE"),
            C("DUMP"),
            C("DUMP", "a", "b"),
        ]);
    }

    [Fact]
    public Task BrokenPayloadsAnswerAsRedis()
    {
        var p = Seal(Concat([0], String("hello")));
        var flipped = (byte[])p.Clone();
        flipped[3] ^= 1;
        return CompareAsync(
        [
            C("DEL", "rb:k"),
            C("RESTORE", "rb:k", "0", ""),
            C("RESTORE", "rb:k", "0", "123456789"),
            C("RESTORE", "rb:k", "0", "0123456789"),
            C("RESTORE", "rb:k", "0", flipped),
            C("RESTORE", "rb:k", "0", p[..^1]),
            C("RESTORE", "rb:k", "0", Seal(Body(p), version: 11)),
            C("RESTORE", "rb:k", "0", Seal([])),
            C("RESTORE", "rb:k", "0", Seal([200, 1, 2])),
            C("RESTORE", "rb:k", "0", Seal([0, 10, (byte)'a'])),
            C("GET", "rb:k"),
            C("RESTORE", "rb:k", "0", Seal([0, 11, (byte)'a'])),
            C("RESTORE", "rb:k", "0", Seal([0, 0xC3, 5, 10, 1, 2])),
            C("RESTORE", "rb:k", "0", Seal([0, 0xC4])),
            C("RESTORE", "rb:k", "0", Seal([0, 0xC2, 1])),
            C("RESTORE", "rb:k", "0", Seal([18, 0])),
            C("RESTORE", "rb:k", "0", Seal([2, 0])),
            C("RESTORE", "rb:k", "0", Seal([4, 0])),
            C("RESTORE", "rb:k", "0", Seal([5, 0])),
            C("RESTORE", "rb:k", "0", Seal([2, 2, .. String("a"), .. String("a")])),
            C("RESTORE", "rb:k", "0", Seal([11, .. String(Intset(3, 1, 2))])),
            C("RESTORE", "rb:k", "0", Seal([18, 1, 3, .. String(Ziplist(1L))])),
            C("RESTORE", "rb:k", "0", Seal([0, 0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])),
            C("EXISTS", "rb:k"),
            C("RESTORE", "rb:k", "0", Seal(Body(p), version: 9)),
            C("GET", "rb:k"),
            C("RESTORE", "rb:k2", "0", Seal(Concat(Body(p), [1, 2, 3]))),
            C("GET", "rb:k2"),
        ]);
    }

    /// <summary>
    /// Plain sorted sets past the listpack's count, which go straight into a skip list: integer-encoded members, a
    /// member twice, a NaN score.
    /// </summary>
    [Fact]
    public Task BigPlainSortedSetsAnswerAsRedis()
    {
        static byte[] Member(int i) => [0xC1, (byte)(i * 100), (byte)((i * 100) >> 8)];
        static byte[] Scored(int count, Func<int, byte[]> member, Func<int, double> score) =>
            Concat([5], Length(count), Enumerable.Range(0, count).SelectMany(i => Concat(member(i), BitConverter.GetBytes(score(i)))).ToArray());
        return CompareAsync(
        [
            C("DEL", "rz:k", "rz:dup", "rz:nan", "rz:short"),
            C("RESTORE", "rz:k", "0", Seal(Scored(129, Member, i => 129 - i))),
            C("ZCARD", "rz:k"),
            C("ZRANGE", "rz:k", "0", "2", "WITHSCORES"),
            C("OBJECT", "ENCODING", "rz:k"),
            C("RESTORE", "rz:dup", "0", Seal(Scored(129, i => Member(i % 128), i => i))),
            C("RESTORE", "rz:nan", "0", Seal(Scored(129, Member, i => i == 100 ? double.NaN : i))),
            C("RESTORE", "rz:short", "0", Seal(Scored(129, Member, i => i)[..^20])),
            C("EXISTS", "rz:dup", "rz:nan", "rz:short"),
        ]);
    }

    /// <summary>FREQ sets the LFU counter under an LFU policy, where IDLETIME is ignored (and the other way round).</summary>
    [Fact]
    public async Task FreqAndIdletimeFollowThePolicy()
    {
        var p = Seal(Concat([0], String("hello")));
        try
        {
            await CompareAsync(
            [
                C("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"),
                C("DEL", "rf:a", "rf:b", "rf:c"),
                C("RESTORE", "rf:a", "0", p, "FREQ", "100"),
                C("OBJECT", "FREQ", "rf:a"),
                C("RESTORE", "rf:b", "0", p, "IDLETIME", "500"),
                C("OBJECT", "FREQ", "rf:b"),
                C("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"),
                C("RESTORE", "rf:c", "0", p, "FREQ", "100"),
                C("OBJECT", "IDLETIME", "rf:c"),
                C("RESTORE", "rf:a", "0", p, "REPLACE", "IDLETIME", "86400"),
                C("OBJECT", "IDLETIME", "rf:a"),
            ]);
        }
        finally
        {
            await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
            await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
            await node.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "noeviction");
            await redis.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
    }

    /// <summary>
    /// A hash naming a field twice: Redis 7.0 without sanitize-dump-payload keeps both (HLEN 2, a corrupt listpack);
    /// a node cannot hold that and refuses it, as Redis does with sanitize-dump-payload yes.
    /// </summary>
    [Fact]
    public async Task AHashWithAFieldTwiceIsRefused()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        foreach (var body in new[]
                 {
                     Concat([4, 2], String("f"), String("1"), String("f"), String("2")),
                     Concat([16], String(Convert.FromHexString("1100000004008166020101816602020" + "1FF"))),
                 })
        {
            Assert.Equal("-ERR Bad data format\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync([B("RESTORE"), B("rd:k"), B("0"), Seal(body)])));
        }

        Assert.Equal(":0\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync("EXISTS", "rd:k")));
    }

    /// <summary>PepperCache has no streams: a stream's payload gets the bad-format error (Redis restores it).</summary>
    [Fact]
    public async Task AStreamPayloadIsRefused()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await redis.ExecuteAsync("DEL", "rs:stream");
        await redis.ExecuteAsync("XADD", "rs:stream", "*", "field", "value");
        var payload = DumpValueReader.Bulk(await redis.ExecuteAsync("DUMP", "rs:stream"))!;
        Assert.Equal("-ERR Bad data format\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync([B("RESTORE"), B("rs:stream"), B("0"), payload])));
        Assert.Equal(":0\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync("EXISTS", "rs:stream")));
    }
}
