using System.Net.Sockets;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The wire protocol end to end over real sockets: malformed input, limits, pipelining, fragmentation, QUIT and
/// inline commands. Expected bytes were taken from Redis 7.0.15 given the same input.
/// </summary>
public sealed class ProtocolErrorIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Theory]
    [InlineData("*abc\r\n", "invalid multibulk length")]
    [InlineData("*99999999999\r\n", "invalid multibulk length")]
    [InlineData("*1\r\nfoo\r\n", "expected '$', got 'f'")]
    [InlineData("*1\r\n$x\r\n", "invalid bulk length")]
    [InlineData("*2\r\n$3\r\nGET\r\n$-1\r\n", "invalid bulk length")]
    [InlineData("*1\r\n$600000000\r\n", "invalid bulk length")]
    [InlineData("SET a \"b\r\n", "unbalanced quotes in request")]
    [InlineData("SET a 'b'c\r\n", "unbalanced quotes in request")]
    public async Task MalformedInputGetsProtocolErrorThenTheConnectionIsClosed(string input, string error)
    {
        await using var client = await node.App.ConnectRawAsync();

        await client.AssertReplyAsync(input, $"-ERR Protocol error: {error}\r\n");

        await AssertClosedAsync(client);
    }

    [Fact]
    public async Task OtherClientsAreUnaffectedByAProtocolError()
    {
        await using var bystander = await node.App.ConnectRawAsync();
        await bystander.AssertReplyAsync("SET bystander:key before\r\n", "+OK\r\n");
        await using var offender = await node.App.ConnectRawAsync();

        await offender.AssertReplyAsync("*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n");
        await AssertClosedAsync(offender);

        await bystander.AssertReplyAsync("GET bystander:key\r\n", "$6\r\nbefore\r\n");
        await using var newcomer = await node.App.ConnectRawAsync();
        await newcomer.AssertReplyAsync("PING\r\n", "+PONG\r\n");
    }

    [Fact]
    public async Task CommandsBeforeTheErrorInTheSamePacketAreAnsweredFirst()
    {
        await using var client = await node.App.ConnectRawAsync();

        await client.AssertReplyAsync(
            "PING\r\n*3\r\n$3\r\nSET\r\n$12\r\nbefore:error\r\n$1\r\n1\r\n*x\r\nPING\r\n",
            "+PONG\r\n+OK\r\n-ERR Protocol error: invalid multibulk length\r\n");

        await AssertClosedAsync(client);
        await using var other = await node.App.ConnectRawAsync();
        await other.AssertReplyAsync("GET before:error\r\n", "$1\r\n1\r\n");
    }

    [Fact]
    public async Task InlineRequestOver64KbWithoutNewlineIsCutOff()
    {
        await using var client = await node.App.ConnectRawAsync();

        await client.SendAsync(Encoding.ASCII.GetBytes(new string('a', 70 * 1024)));

        Assert.Equal("-ERR Protocol error: too big inline request\r\n", await client.ReadExactlyAsync(45));
        await AssertClosedAsync(client);
    }

    [Fact]
    public async Task ThousandPipelinedCommandsInOneWriteAreAllAnsweredInOrder()
    {
        await using var client = await node.App.ConnectRawAsync();
        var request = new StringBuilder();
        var expected = new StringBuilder();
        for (var i = 0; i < 500; i++)
        {
            var key = $"pipeline:{i}";
            var value = $"value-{i}";
            request.Append($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n");
            request.Append($"*2\r\n$3\r\nGET\r\n${key.Length}\r\n{key}\r\n");
            expected.Append("+OK\r\n").Append($"${value.Length}\r\n{value}\r\n");
        }

        await client.AssertReplyAsync(request.ToString(), expected.ToString());
        await client.AssertReplyAsync("PING\r\n", "+PONG\r\n");
    }

    [Fact]
    public async Task FiveMegabyteValueSentInSmallFragmentsIsStoredWhole()
    {
        await using var client = await node.App.ConnectRawAsync();
        var value = new string('x', 5 * 1024 * 1024 - 7) + "-the-end";
        var request = Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$9\r\nbig:value\r\n${value.Length}\r\n{value}\r\n");

        await client.SendAsync(request, fragmentSize: 16 * 1024);

        Assert.Equal("+OK\r\n", await client.ReadExactlyAsync(5));
        var expected = $"${value.Length}\r\n{value}\r\n";
        await client.SendAsync("GET big:value\r\n");
        Assert.Equal(expected, await client.ReadExactlyAsync(expected.Length));
    }

    [Fact]
    public async Task CommandSentOneByteAtATimeIsAnsweredOnce()
    {
        await using var client = await node.App.ConnectRawAsync();

        await client.SendAsync(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$12\r\nbytewise:key\r\n$5\r\nhello\r\n"), fragmentSize: 1);

        Assert.Equal("+OK\r\n", await client.ReadExactlyAsync(5));
        await client.AssertReplyAsync("GET bytewise:key\r\n", "$5\r\nhello\r\n");
    }

    [Fact]
    public async Task QuitRepliesOkClosesAndRunsNothingAfterIt()
    {
        await using var client = await node.App.ConnectRawAsync();

        await client.AssertReplyAsync("QUIT\r\nSET quit:after v\r\n", "+OK\r\n");

        await AssertClosedAsync(client);
        await using var other = await node.App.ConnectRawAsync();
        await other.AssertReplyAsync("GET quit:after\r\n", "$-1\r\n");
    }

    [Theory]
    [InlineData("SET inline:plain 1\r\nGET inline:plain\r\n", "+OK\r\n$1\r\n1\r\n")]
    [InlineData("SET inline:lf 2\nGET inline:lf\n", "+OK\r\n$1\r\n2\r\n")]
    [InlineData("SET   inline:spaces \t 3  \r\nGET inline:spaces\r\n", "+OK\r\n$1\r\n3\r\n")]
    [InlineData("SET inline:double \"hello world\"\r\nGET inline:double\r\n", "+OK\r\n$11\r\nhello world\r\n")]
    [InlineData("SET inline:single 'it\\'s'\r\nGET inline:single\r\n", "+OK\r\n$4\r\nit's\r\n")]
    [InlineData("SET inline:hex \"\\x41\\x42\\n\"\r\nGET inline:hex\r\n", "+OK\r\n$3\r\nAB\n\r\n")]
    [InlineData("SET inline:empty \"\"\r\nGET inline:empty\r\n", "+OK\r\n$0\r\n\r\n")]
    [InlineData("\r\n\r\nping\r\n", "+PONG\r\n")]
    public async Task InlineCommandsWorkAsFromTelnet(string input, string expected)
    {
        await using var client = await node.App.ConnectRawAsync();

        await client.AssertReplyAsync(input, expected);
    }

    /// <summary>The server closed the connection: end of stream, or a reset when it left our bytes unread.</summary>
    private static async Task AssertClosedAsync(RawRespClient client)
    {
        try
        {
            Assert.Equal("", await client.ReadUntilClosedAsync());
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Also closed.
        }
    }
}
