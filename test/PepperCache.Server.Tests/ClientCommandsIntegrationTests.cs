using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>CLIENT subcommands: names, library info, INFO/LIST lines, KILL, HELP and the subcommand errors.</summary>
public sealed class ClientCommandsIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task SetNameAndGetNameRoundTrip()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CLIENT", "GETNAME"), "$-1\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "SETNAME", "worker-1"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "GETNAME"), "$8\r\nworker-1\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "SETNAME", ""), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "GETNAME"), "$-1\r\n");
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("new\nline")]
    [InlineData("tab\there")]
    public async Task SetNameRefusesSpacesAndControlCharacters(string name)
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(
            Encode("CLIENT", "SETNAME", name), "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    }

    [Fact]
    public async Task SetInfoRecordsLibraryNameAndVersion()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CLIENT", "SETINFO", "LIB-NAME", "my-lib"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "SETINFO", "lib-ver", "1.2.3"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "SETINFO", "colour", "red"), "-ERR Unrecognized option 'colour'\r\n");
        await client.AssertReplyAsync(
            Encode("CLIENT", "SETINFO", "LIB-NAME", "a b"), "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "SETINFO", "lib-name"), "-ERR wrong number of arguments for 'client|setinfo' command\r\n");

        var info = Assert.IsType<string>(await client.CommandAsync("CLIENT", "INFO"));
        Assert.Contains(" lib-name=my-lib lib-ver=1.2.3\n", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfoDescribesThisConnectionInRedisFormat()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CLIENT", "SETNAME", "described"), "+OK\r\n");
        var id = Assert.IsType<long>(await client.CommandAsync("CLIENT", "ID"));
        var info = Assert.IsType<string>(await client.CommandAsync("CLIENT", "INFO"));
        var port = node.App.RespEndPoint.Port;
        Assert.Matches(
            $@"^id={id} addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:{port} fd=\d+ name=described age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 " +
            @"multi=-1 qbuf=26 qbuf-free=4070 argv-mem=10 multi-mem=0 rbs=16384 rbp=\d+ obl=0 oll=0 omem=0 tot-mem=\d+ " +
            @"events=r cmd=client\|info user=default redir=-1 resp=2 lib-name= lib-ver=\n$",
            info);
    }

    [Fact]
    public async Task ListShowsEveryConnectionAndFilters()
    {
        await using var first = await node.App.ConnectRawAsync();
        await using var second = await node.App.ConnectRawAsync();
        await first.AssertReplyAsync(Encode("CLIENT", "SETNAME", "list-first"), "+OK\r\n");
        await second.AssertReplyAsync(Encode("CLIENT", "SETNAME", "list-second"), "+OK\r\n");
        var secondId = Assert.IsType<long>(await second.CommandAsync("CLIENT", "ID"));

        var all = Assert.IsType<string>(await first.CommandAsync("CLIENT", "LIST"));
        Assert.EndsWith("\n", all, StringComparison.Ordinal);
        Assert.Contains(" name=list-first ", all, StringComparison.Ordinal);
        Assert.Contains(" name=list-second ", all, StringComparison.Ordinal);
        Assert.Contains(" cmd=client|list ", all, StringComparison.Ordinal);
        Assert.Contains(" cmd=client|id ", all, StringComparison.Ordinal);

        var byId = Assert.IsType<string>(await first.CommandAsync("CLIENT", "LIST", "ID", secondId.ToString(CultureInfo.InvariantCulture), "999999"));
        Assert.StartsWith($"id={secondId} ", byId, StringComparison.Ordinal);
        Assert.Single(byId.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Assert.Contains(" name=list-first ", Assert.IsType<string>(await first.CommandAsync("CLIENT", "LIST", "TYPE", "normal")), StringComparison.Ordinal);
        await first.AssertReplyAsync(Encode("CLIENT", "LIST", "TYPE", "pubsub"), "$0\r\n\r\n");
        await first.AssertReplyAsync(Encode("CLIENT", "LIST", "TYPE", "foo"), "-ERR Unknown client type 'foo'\r\n");
        await first.AssertReplyAsync(Encode("CLIENT", "LIST", "ID", "abc"), "-ERR Invalid client ID\r\n");
        await first.AssertReplyAsync(Encode("CLIENT", "LIST", "foo"), "-ERR syntax error\r\n");
        await first.AssertReplyAsync(Encode("CLIENT", "LIST", "TYPE"), "-ERR syntax error\r\n");
    }

    [Fact]
    public async Task KillByIdClosesTheOtherConnection()
    {
        await using var killer = await node.App.ConnectRawAsync();
        await using var victim = await node.App.ConnectRawAsync();
        var victimId = Assert.IsType<long>(await victim.CommandAsync("CLIENT", "ID"));
        var killerId = Assert.IsType<long>(await killer.CommandAsync("CLIENT", "ID"));

        // SKIPME defaults to yes: a client does not kill itself by ID.
        await killer.AssertReplyAsync(Encode("CLIENT", "KILL", "ID", killerId.ToString(CultureInfo.InvariantCulture)), ":0\r\n");
        await killer.AssertReplyAsync(Encode("CLIENT", "KILL", "ID", victimId.ToString(CultureInfo.InvariantCulture)), ":1\r\n");
        Assert.Equal("", await victim.ReadUntilClosedAsync());
        await killer.AssertReplyAsync(Encode("PING"), "+PONG\r\n");
    }

    [Fact]
    public async Task KillByAddressUsesTheOldReplyForm()
    {
        await using var killer = await node.App.ConnectRawAsync();
        await using var victim = await node.App.ConnectRawAsync();
        var line = Assert.IsType<string>(await victim.CommandAsync("CLIENT", "INFO"));
        var address = line.Split(' ').Single(f => f.StartsWith("addr=", StringComparison.Ordinal))["addr=".Length..];

        await killer.AssertReplyAsync(Encode("CLIENT", "KILL", address), "+OK\r\n");
        Assert.Equal("", await victim.ReadUntilClosedAsync());
        await killer.AssertReplyAsync(Encode("CLIENT", "KILL", "192.0.2.1:5"), "-ERR No such client\r\n");
        await killer.AssertReplyAsync(Encode("CLIENT", "KILL", "ADDR", "192.0.2.1:5"), ":0\r\n");
    }

    [Fact]
    public async Task KillRejectsBadFilters()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CLIENT", "KILL", "ID", "abc"), "-ERR client-id should be greater than 0\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "KILL", "ID", "0"), "-ERR client-id should be greater than 0\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "KILL", "FOO", "bar"), "-ERR syntax error\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "KILL", "TYPE", "foo"), "-ERR Unknown client type 'foo'\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "KILL", "USER", "bob"), "-ERR No such user 'bob'\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "KILL", "SKIPME", "maybe"), "-ERR syntax error\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "KILL"), "-ERR wrong number of arguments for 'client|kill' command\r\n");
    }

    [Fact]
    public async Task SubcommandErrorsNameTheSubcommand()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("CLIENT"), "-ERR wrong number of arguments for 'client' command\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "FOO"), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
        await client.AssertReplyAsync(Encode("client", "getname", "x"), "-ERR wrong number of arguments for 'client|getname' command\r\n");
        await client.AssertReplyAsync(Encode("CLIENT", "SETNAME"), "-ERR wrong number of arguments for 'client|setname' command\r\n");
        // An error is one line: CR and LF from the client are replaced.
        await client.AssertReplyAsync(Encode("CLIENT", "a\r\nb"), "-ERR unknown subcommand 'a  b'. Try CLIENT HELP.\r\n");
    }

    [Fact]
    public async Task HelpListsSubcommandsAsStatusLines()
    {
        await using var client = await node.App.ConnectRawAsync();
        var lines = Assert.IsType<List<object?>>(await client.CommandAsync("CLIENT", "HELP"));
        Assert.Equal("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", lines[0]);
        Assert.Contains("SETNAME <name>", lines);
        Assert.Contains("SETINFO <option> <value>", lines);
        Assert.Equal("HELP", lines[^2]);
        Assert.Equal("    Prints this help.", lines[^1]);
    }
}
