using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>PING, ECHO, SELECT, HELLO, AUTH, RESET, QUIT: exact reply bytes, checked against Redis 7.0.15.</summary>
public sealed class ConnectionCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task PingAnswersPongOrItsMessage()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("PING"), "+PONG\r\n");
        await client.AssertReplyAsync(Encode("PING", "hello"), "$5\r\nhello\r\n");
        await client.AssertReplyAsync(Encode("PING", "a", "b"), "-ERR wrong number of arguments for 'ping' command\r\n");
    }

    [Fact]
    public async Task EchoRepliesWithItsArgument()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("ECHO", "hi there"), "$8\r\nhi there\r\n");
        await client.AssertReplyAsync(Encode("ECHO"), "-ERR wrong number of arguments for 'echo' command\r\n");
    }

    [Fact]
    public async Task SelectAcceptsOnlyDatabaseZero()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("SELECT", "0"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("SELECT", "1"), "-ERR DB index is out of range\r\n");
        await client.AssertReplyAsync(Encode("SELECT", "-1"), "-ERR DB index is out of range\r\n");
        await client.AssertReplyAsync(Encode("SELECT", "x"), "-ERR value is not an integer or out of range\r\n");
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("2 AUTH default any-password")]
    public async Task HelloRepliesWithTheResp2ServerMap(string options)
    {
        var arguments = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await using var client = await node.App.ConnectRawAsync();
        var id = Assert.IsType<long>(await client.CommandAsync("CLIENT", "ID"));
        var idText = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var expected = "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n" +
                       $"$2\r\nid\r\n:{idText}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
        await client.AssertReplyAsync(Encode(["HELLO", .. arguments]), expected);
    }

    [Theory]
    [InlineData("1", "-NOPROTO unsupported protocol version")]
    [InlineData("4", "-NOPROTO unsupported protocol version")]
    [InlineData("abc", "-ERR Protocol version is not an integer or out of range")]
    [InlineData("2.0", "-ERR Protocol version is not an integer or out of range")]
    public async Task HelloRefusesOtherProtocolVersions(string version, string error)
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("HELLO", version), error + "\r\n");
        // Still speaking RESP2 afterwards.
        await client.AssertReplyAsync(Encode("PING"), "+PONG\r\n");
    }

    [Fact]
    public async Task Hello3SwitchesToResp3UntilHello2OrReset()
    {
        await using var client = await node.App.ConnectRawAsync();
        var id = Assert.IsType<long>(await client.CommandAsync("CLIENT", "ID"));
        var version = "$6\r\n7.0.15\r\n";
        string Map(int proto, string header) =>
            header + "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n" + version + $"$5\r\nproto\r\n:{proto}\r\n" +
            $"$2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";

        await client.AssertReplyAsync(Encode("HELLO", "3"), Map(3, "%7\r\n"));
        await client.AssertReplyAsync(Encode("GET", "hello3:nokey"), "_\r\n");
        // HELLO alone keeps the protocol.
        await client.AssertReplyAsync(Encode("HELLO"), Map(3, "%7\r\n"));
        await client.AssertReplyAsync(Encode("HELLO", "2"), Map(2, "*14\r\n"));
        await client.AssertReplyAsync(Encode("GET", "hello3:nokey"), "$-1\r\n");
        await client.AssertReplyAsync(Encode("HELLO", "3", "SETNAME", "three"), Map(3, "%7\r\n"));
        await client.AssertReplyAsync(Encode("CLIENT", "GETNAME"), "$5\r\nthree\r\n");
        await client.AssertReplyAsync(Encode("RESET"), "+RESET\r\n");
        await client.AssertReplyAsync(Encode("GET", "hello3:nokey"), "$-1\r\n");
    }

    [Fact]
    public async Task ClientInfoAndListShowTheProtocolAsVerbatimTextInResp3()
    {
        await using var client = await RespSocket.ConnectAsync(node.App.RespEndPoint);
        var resp2 = await client.CommandAsync("CLIENT", "INFO");
        Assert.Equal('$', resp2.Kind);
        Assert.Contains(" resp=2", resp2.Text, StringComparison.Ordinal);
        Assert.Equal('%', (await client.CommandAsync("HELLO", "3")).Kind);
        foreach (var subcommand in new[] { "INFO", "LIST" })
        {
            var reply = await client.CommandAsync("CLIENT", subcommand);
            Assert.Equal('=', reply.Kind);
            Assert.StartsWith("txt:id=", reply.Text, StringComparison.Ordinal);
            Assert.Contains(" resp=3", reply.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HelloOptionsAreCheckedBeforeAnyTakesEffect()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("HELLO", "2", "FOO"), "-ERR Syntax error in HELLO option 'FOO'\r\n");
        await client.AssertReplyAsync(Encode("HELLO", "2", "AUTH", "a"), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
        await client.AssertReplyAsync(
            Encode("HELLO", "2", "SETNAME", "bad name"), "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
        await client.AssertReplyAsync(
            Encode("HELLO", "2", "SETNAME", "kept", "AUTH", "bob", "secret"), "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "GETNAME"), "$-1\r\n");

        var reply = AsMap(await client.CommandAsync("HELLO", "2", "SETNAME", "hello-name"));
        Assert.Equal("redis", reply["server"]);
        await client.AssertReplyAsync(Encode("CLIENT", "GETNAME"), "$10\r\nhello-name\r\n");
    }

    [Fact]
    public async Task AuthAnswersAsRedisWithNoPasswordConfigured()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(
            Encode("AUTH", "secret"),
            "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n");
        await client.AssertReplyAsync(Encode("AUTH", "default", "anything"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("AUTH", "bob", "secret"), "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        await client.AssertReplyAsync(Encode("AUTH", "a", "b", "c"), "-ERR syntax error\r\n");
    }

    [Fact]
    public async Task ResetClearsTheConnectionName()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CLIENT", "SETNAME", "before-reset"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("RESET"), "+RESET\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "GETNAME"), "$-1\r\n");
    }

    [Fact]
    public async Task QuitRepliesOkThenCloses()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.SendAsync(Encode("QUIT") + Encode("PING"));
        Assert.Equal("+OK\r\n", await client.ReadUntilClosedAsync());
    }
}
