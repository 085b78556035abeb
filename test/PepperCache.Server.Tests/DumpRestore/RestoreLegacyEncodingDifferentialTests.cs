using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.DumpRestore.PayloadBuilder;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>
/// Payloads in the encodings Redis 7.0 still loads but no longer writes (ziplists, zipmap, quicklist 1, plain lists,
/// text-scored sorted sets, a widened intset, compressed and integer-encoded strings inside plain collections),
/// restored on redis-server 7.0.15 and on a node: both accept each and hold the same value afterwards.
/// </summary>
public sealed class RestoreLegacyEncodingDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private static readonly string Long = new('z', 300);

    public static TheoryData<string> Cases => new(Payloads().Keys);

    private static Dictionary<string, byte[]> Payloads() => new()
    {
        ["list type 1 (linked list)"] = Concat([1, 3], String("a"), [0xC0, 0x7F], String(Long)),
        ["list ziplist"] = Concat([10], String(Ziplist("a", 0L, 12L, 13L, -1L, 300L, -70000L, 5000000L, 3000000000L, long.MinValue, Long, new string('y', 20000)))),
        ["list quicklist 1"] = Concat([14, 2], String(Ziplist("a", "b", 1L)), String(Ziplist(Long, 2L))),
        ["list quicklist 2 with a plain node"] = Concat([18, 2, 1], String(Long), [2], String(Convert.FromHexString("0C000000020081610201" + "01FF"))),
        ["set plain with integers"] = Concat([2, 3], [0xC1, 0x10, 0x27], String("x"), [0xC2, 0x40, 0x42, 0x0F, 0x00]),
        ["set plain, all integers (intset on load)"] = Concat([2, 2], String("1"), String("2")),
        ["set intset of width 8"] = Concat([11], String(Intset(8, -3, 1, 7))),
        ["set intset of width 4"] = Concat([11], String(Intset(4, 1, 100000))),
        ["zset type 3 (text scores)"] = Concat([3, 4], String("a"), TextScore("1.5"), String("b"), TextScore("inf"), String("c"), TextScore("-inf"), String("d"), TextScore("-3")),
        ["zset type 5 out of order"] = Concat([5, 2], String("b"), BitConverter.GetBytes(2.0), String("a"), BitConverter.GetBytes(1.0)),
        ["zset ziplist"] = Concat([12], String(Ziplist("c", "-inf", "a", 1L, "b", "2.5", "d", 100000L))),
        ["hash zipmap"] = Concat([9], String(Zipmap(0, "f", "v", "g", "12"))),
        ["hash zipmap with free bytes"] = Concat([9], String(Zipmap(3, "field", "value"))),
        ["hash ziplist"] = Concat([13], String(Ziplist("f", "v", "n", 7L, "big", 1L << 40))),
        ["hash plain, compressed value"] = Concat([4, 1], String("f"), [0xC3, 5, 30, 0x00, (byte)'a', 0xE0, 0x14, 0x00]),
        ["hash plain, integer field and value"] = Concat([4, 2], [0xC0, 0x05], [0xC1, 0x10, 0x27], [0xC0, 0xFB], String("v")),
        ["hash plain, big"] = Concat([4], Length(600), Enumerable.Range(0, 600).SelectMany(i => Concat(String("f" + i), String("v" + i))).ToArray()),
        ["string integer 8/16/32 bits"] = Concat([0, 0xC2, 0xFF, 0xFF, 0xFF, 0x7F]),
        ["string version 6 payload"] = Concat([0], String("old")),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RestoresAsRedisDoes(string name)
    {
        var payload = Seal(Payloads()[name], version: name.Contains("version 6", StringComparison.Ordinal) ? (ushort)6 : (ushort)10);
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        var key = "legacy:" + name;
        var command = new[] { "RESTORE"u8.ToArray(), Encoding.Latin1.GetBytes(key), "0"u8.ToArray(), payload, "REPLACE"u8.ToArray() };
        Assert.Equal("+OK\r\n", Encoding.Latin1.GetString(await redis.ExecuteAsync(command)));
        Assert.Equal("+OK\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync(command)));
        Assert.Equal(await DumpValueReader.DescribeAsync(redis, key), await DumpValueReader.DescribeAsync(node, key));
    }
}
