using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>
/// DUMP and RESTORE against redis-server 7.0.15: the same value built on both gives the same DUMP bytes (where
/// <see cref="DumpCase.Identical"/>), and a payload from either side restores on the other to the same value.
/// </summary>
public sealed class DumpRestoreDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    public static TheoryData<string> Cases => new(DumpCase.All().Select(c => c.Name));

    private static DumpCase Case(string name) => DumpCase.All().Single(c => c.Name == name);

    private static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    private static async Task BuildAsync(RespFrameClient client, string key, DumpCase value)
    {
        await client.ExecuteAsync("DEL", key);
        foreach (var command in value.Build(key))
        {
            Assert.NotEqual((byte)'-', (await client.ExecuteAsync(command))[0]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DumpGivesRedisBytesAndRestoresOnBothSides(string name)
    {
        var value = Case(name);
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        var key = "dump:" + name;
        await BuildAsync(node, key, value);
        await BuildAsync(redis, key, value);
        var expected = await DumpValueReader.DescribeAsync(redis, key);
        Assert.Equal(expected, await DumpValueReader.DescribeAsync(node, key));

        var fromRedis = DumpValueReader.Bulk(await redis.ExecuteAsync("DUMP", key))!;
        var fromNode = DumpValueReader.Bulk(await node.ExecuteAsync("DUMP", key))!;
        if (value.Identical)
        {
            Assert.Equal(Convert.ToHexString(fromRedis), Convert.ToHexString(fromNode));
        }

        // Redis's payload on the node, the node's on Redis: each gives back the value (and encoding) Redis holds.
        var copy = "restored:" + name;
        Assert.Equal("+OK\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync([B("RESTORE"), B(copy), B("0"), fromRedis, B("REPLACE")])));
        Assert.Equal(expected, await DumpValueReader.DescribeAsync(node, copy));
        Assert.Equal("+OK\r\n", Encoding.Latin1.GetString(await redis.ExecuteAsync([B("RESTORE"), B(copy), B("0"), fromNode, B("REPLACE")])));
        Assert.Equal(expected, await DumpValueReader.DescribeAsync(redis, copy));
    }
}
