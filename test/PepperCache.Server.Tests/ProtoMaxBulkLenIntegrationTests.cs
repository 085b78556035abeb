using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>CONFIG SET proto-max-bulk-len changes the parser's limit for every connection at once (its own node).</summary>
public sealed class ProtoMaxBulkLenIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task LoweredLimitRefusesLargerBulksOnOtherConnections()
    {
        await using var admin = await node.App.ConnectRawAsync();
        await using var writer = await node.App.ConnectRawAsync();
        await admin.AssertReplyAsync(Encode("CONFIG", "SET", "proto-max-bulk-len", "1mb"), "+OK\r\n");
        await admin.AssertReplyAsync(Encode("CONFIG", "GET", "proto-max-bulk-len"), "*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n1048576\r\n");

        await writer.AssertReplyAsync("*2\r\n$4\r\nECHO\r\n$5\r\nsmall\r\n", "$5\r\nsmall\r\n");
        await writer.SendAsync("*2\r\n$4\r\nECHO\r\n$1048577\r\n");
        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", await writer.ReadUntilClosedAsync());

        await admin.AssertReplyAsync(Encode("CONFIG", "SET", "proto-max-bulk-len", "512mb"), "+OK\r\n");
        await using var again = await node.App.ConnectRawAsync();
        await again.SendAsync("*2\r\n$4\r\nECHO\r\n$1048577\r\n");
        await again.SendAsync(new string('x', 1048577) + "\r\n");
        var header = await again.ReadExactlyAsync(11);
        Assert.Equal("$1048577\r\nx", header);
    }
}
