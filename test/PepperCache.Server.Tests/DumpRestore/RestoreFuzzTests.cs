using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.DumpRestore.PayloadBuilder;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>
/// Random corruptions of valid payloads (redis-server's DUMP of each type, resealed with a correct CRC, so they reach
/// the parser) sent to a node: each gets OK or one of RESTORE's two payload errors, the connection stays usable, and
/// a value stored from a corrupt payload is a whole one (it dumps and restores again).
/// </summary>
public sealed class RestoreFuzzTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private static readonly string[] Allowed = ["+OK\r\n", "-ERR Bad data format\r\n", "-ERR DUMP payload version or checksum are wrong\r\n"];

    private static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public async Task CorruptPayloadsGetAnErrorOrAWholeValue()
    {
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        var seeds = new List<byte[]>();
        foreach (var value in DumpCase.All().Where((_, i) => i % 3 == 0))
        {
            var key = "fuzzseed:" + value.Name;
            await redis.ExecuteAsync("DEL", key);
            foreach (var command in value.Build(key))
            {
                await redis.ExecuteAsync(command);
            }

            seeds.Add(DumpValueReader.Bulk(await redis.ExecuteAsync("DUMP", key))!);
        }

        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        var random = new Random(1206);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var counts = new Dictionary<string, int>();
        for (var round = 0; round < 3000 && DateTime.UtcNow < deadline; round++)
        {
            var seed = seeds[random.Next(seeds.Count)];
            var payload = random.Next(10) == 0 ? Flip(seed, random) : Seal(Mutate(Body(seed), random));
            var reply = Encoding.Latin1.GetString(await node.ExecuteAsync([B("RESTORE"), B("fuzz:k"), B("0"), payload, B("REPLACE")]));
            Assert.Contains(reply, Allowed);
            counts[reply] = counts.GetValueOrDefault(reply) + 1;
            if (reply == Allowed[0])
            {
                var again = DumpValueReader.Bulk(await node.ExecuteAsync("DUMP", "fuzz:k"))!;
                Assert.Equal("+OK\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync([B("RESTORE"), B("fuzz:k2"), B("0"), again, B("REPLACE")])));
            }
        }

        Assert.Equal("+PONG\r\n", Encoding.Latin1.GetString(await node.ExecuteAsync("PING")));
        Assert.True(counts.GetValueOrDefault(Allowed[1]) > 100 && counts.GetValueOrDefault(Allowed[0]) > 10, string.Join(", ", counts));
    }

    private static byte[] Flip(byte[] payload, Random random)
    {
        var copy = (byte[])payload.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private static byte[] Mutate(byte[] body, Random random)
    {
        var bytes = body.ToList();
        for (var e = random.Next(1, 4); e > 0 && bytes.Count > 0; e--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3: bytes.RemoveAt(at); break;
                default: bytes.InsertRange(at, [0x80, 0x7F, 0xFF, 0xFF, 0xFF]); break;
            }
        }

        return [.. bytes];
    }
}
