using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Transport;

/// <summary>
/// A node on each cache-port transport (<c>--transport epoll</c>, the default on Linux, and Kestrel's sockets):
/// the same raw RESP conversations get the same bytes back, big values and deep pipelines included.
/// </summary>
public sealed class CachePortTransportIntegrationTests
{
    public static TheoryData<string> Transports() => PepperCache.Server.Transport.EpollTransport.IsSupported ? ["epoll", "sockets"] : ["sockets"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ANodeOnEitherTransportAnswersPipelinesAndBigValuesWhole(string transport)
    {
        await using var app = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:Transport"] = transport });
        await using var client = await app.ConnectRawAsync();
        await client.AssertReplyAsync("PING\r\n", "+PONG\r\n");

        // 3 MB in, 3 MB out: several pipe segments each way, more than the kernel's buffers take at once.
        var value = new string('v', 3 * 1024 * 1024);
        await client.SendAsync($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${value.Length}\r\n{value}\r\n*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
        Assert.Equal("+OK\r\n", await client.ReadExactlyAsync(5));
        Assert.Equal($"${value.Length}\r\n{value}\r\n", await client.ReadExactlyAsync(value.Length + 12));

        // 5,000 pipelined commands in one write, answered in order.
        var pipeline = new StringBuilder();
        var expected = new StringBuilder();
        for (var i = 0; i < 5_000; i++)
        {
            pipeline.Append($"INCR counter\r\n");
            expected.Append($":{i + 1}\r\n");
        }

        await client.SendAsync(pipeline.ToString());
        Assert.Equal(expected.ToString(), await client.ReadExactlyAsync(expected.Length));
    }
}
