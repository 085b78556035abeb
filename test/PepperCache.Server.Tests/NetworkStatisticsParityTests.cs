using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// INFO stats total_net_input_bytes and total_net_output_bytes against a real redis-server 7.0.15: a client that
/// counts every byte it sends and receives finds the counters moved by exactly that, on both servers, from a CONFIG
/// RESETSTAT. The tests share both servers and run one after another, each from a CONFIG RESETSTAT on one connection.
/// </summary>
public sealed partial class NetworkStatisticsParityTests(NodeFixture node, RedisServerProcess redis) : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>
{
    /// <summary>CONFIG RESETSTAT's reply, sent after the reset: the first bytes out that count.</summary>
    private const int ResetStatReplyLength = 5;

    private static readonly string[][] Script =
    [
        ["SET", "net:k", "value"], ["GET", "net:k"], ["GET", "net:missing"], ["PING"], ["INCR", "net:n"],
        ["SET", "net:big", new string('x', 100_000)], ["GET", "net:big"], ["HSET", "net:k", "f", "v"],
        ["CONFIG", "GET", "maxmemory"],
    ];

    [Fact]
    public async Task BytesInAndOutAreTheBytesTheClientSentAndReceivedAsOnRedis()
    {
        foreach (var (name, endPoint) in new[] { ("redis-server", redis.EndPoint), ("PepperCache", node.App.RespEndPoint) })
        {
            await using var socket = await RespSocket.ConnectAsync(endPoint);
            await socket.CommandAsync("CONFIG", "RESETSTAT");
            long sent = 0;
            long received = ResetStatReplyLength;
            foreach (var command in Script)
            {
                sent += Encoded(command).Length;
                received += (await socket.CommandAsync(command)).Raw.Length;
            }

            // INFO's own bytes in are counted before it runs; its reply goes out after.
            string[] info = ["INFO", "stats"];
            sent += Encoded(info).Length;
            var first = await socket.CommandAsync(info);
            Assert.True((sent, received) == NetBytes(first.Text), $"{name}: sent {sent}, received {received}, INFO says {NetBytes(first.Text)}");

            sent += Encoded(info).Length;
            received += first.Raw.Length;
            var second = await socket.CommandAsync(info);
            Assert.True((sent, received) == NetBytes(second.Text), $"{name}: sent {sent}, received {received}, INFO says {NetBytes(second.Text)}");
            Assert.Matches(@"\r\ninstantaneous_input_kbps:\d+\.\d\d\r\ninstantaneous_output_kbps:\d+\.\d\d\r\n", second.Text);
        }
    }

    [Fact]
    public async Task ResetStatZeroesThemAsOnRedis()
    {
        foreach (var (name, endPoint) in new[] { ("redis-server", redis.EndPoint), ("PepperCache", node.App.RespEndPoint) })
        {
            await using var socket = await RespSocket.ConnectAsync(endPoint);
            await socket.CommandAsync("SET", "net:reset", new string('y', 10_000));
            await socket.CommandAsync("GET", "net:reset");

            await socket.CommandAsync("CONFIG", "RESETSTAT");
            var info = await socket.CommandAsync("INFO", "stats");

            Assert.True((Encoded(["INFO", "stats"]).Length, ResetStatReplyLength) == NetBytes(info.Text), $"{name}: INFO says {NetBytes(info.Text)}");
        }
    }

    [Fact]
    public async Task ACommandSentInPiecesAndAPipelineCountEachByteOnce()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync("CONFIG RESETSTAT\r\n", "+OK\r\n");
        // An incomplete command stays in the pipe across reads: counted when it arrives, not again when it is parsed.
        var pieces = Encoded(["SET", "net:pieces", new string('z', 3_000)]);
        await client.SendAsync(pieces, fragmentSize: 700);
        Assert.Equal("+OK\r\n", await client.ReadExactlyAsync(5));
        const string Pipeline = "GET net:pieces\r\nPING\r\nECHO hello\r\n";
        var replies = $"$3000\r\n{new string('z', 3_000)}\r\n+PONG\r\n$5\r\nhello\r\n";
        await client.AssertReplyAsync(Pipeline, replies);

        const string Info = "INFO stats\r\n";
        await client.SendAsync(Info);
        var header = await client.ReadExactlyAsync(1);
        Assert.Equal("$", header);
        var text = await ReadBulkRestAsync(client);

        // Out: CONFIG RESETSTAT's and SET's +OK, then the pipeline's replies.
        Assert.Equal(((long)pieces.Length + Pipeline.Length + Info.Length, 5L + 5 + Encoding.UTF8.GetByteCount(replies)), NetBytes(text));
    }

    /// <summary>The rest of a bulk string whose '$' has been read.</summary>
    private static async Task<string> ReadBulkRestAsync(RawRespClient client)
    {
        var length = new StringBuilder();
        while (await client.ReadExactlyAsync(1) is var c && c != "\r")
        {
            length.Append(c);
        }

        await client.ReadExactlyAsync(1);
        var text = await client.ReadExactlyAsync(int.Parse(length.ToString(), CultureInfo.InvariantCulture));
        await client.ReadExactlyAsync(2);
        return text;
    }

    private static byte[] Encoded(string[] command) => RespTranscript.EncodeCommand([.. command.Select(Encoding.UTF8.GetBytes)]);

    private static (long Input, long Output) NetBytes(string info)
    {
        var match = NetBytesFields().Match(info);
        Assert.True(match.Success, "INFO stats has no total_net_input_bytes/total_net_output_bytes:\n" + info);
        return (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"\r\ntotal_net_input_bytes:(\d+)\r\ntotal_net_output_bytes:(\d+)\r\n")]
    private static partial Regex NetBytesFields();
}
