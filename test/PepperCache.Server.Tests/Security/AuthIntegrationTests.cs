using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// A node started with requirepass, seen by real clients (StackExchange.Redis, redis-cli -a/--user) and by what a
/// user's connections go through: ACL SETUSER applying at once, ACL DELUSER and CLIENT KILL USER closing them,
/// CLIENT LIST naming the user, RESET asking for AUTH again.
/// </summary>
public sealed class AuthIntegrationTests(PasswordNodeFixture node) : IClassFixture<PasswordNodeFixture>
{
    private string Port => node.App.RespEndPoint.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task StackExchangeRedisWorksWithThePasswordAndIsRefusedWithoutIt()
    {
        await using (var redis = await node.App.ConnectAsync(o => o.Password = AclTestSupport.Password))
        {
            var db = redis.GetDatabase();
            Assert.True(await db.StringSetAsync("se:key", "value"));
            Assert.Equal("value", (string?)await db.StringGetAsync("se:key"));
        }

        await Assert.ThrowsAnyAsync<RedisException>(async () =>
        {
            await using var refused = await node.App.ConnectAsync(o => o.Password = "wrong");
            await refused.GetDatabase().StringGetAsync("se:key");
        });
        await Assert.ThrowsAnyAsync<RedisException>(async () =>
        {
            await using var anonymous = await node.App.ConnectAsync();
            await anonymous.GetDatabase().StringGetAsync("se:key");
        });
    }

    [Theory]
    [InlineData("*11\r\n", "unauthenticated multibulk length")]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16385\r\n", "unauthenticated bulk length")]
    public async Task BigClaimsBeforeAuthAreProtocolErrorsAndCloseTheConnection(string input, string error)
    {
        // Bytes as Redis 7.0.15 with requirepass answers them: a stranger cannot make the node buffer much.
        await using var client = await node.App.ConnectRawAsync();

        await client.AssertReplyAsync(input, $"-ERR Protocol error: {error}\r\n");

        Assert.Equal("", await client.ReadUntilClosedAsync());
    }

    [Fact]
    public async Task AtTheLimitsBeforeAuthAndPastThemAfterItCommandsAreRead()
    {
        await using var client = await node.App.ConnectRawAsync();
        var value = new string('v', 16_384);

        await client.AssertReplyAsync($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16384\r\n{value}\r\n", "-NOAUTH Authentication required.\r\n");
        await client.AssertReplyAsync($"AUTH {AclTestSupport.Password}\r\n", "+OK\r\n");
        var big = new string('w', 100_000);
        await client.AssertReplyAsync($"*3\r\n$3\r\nSET\r\n$10\r\nauth:big:k\r\n$100000\r\n{big}\r\n", "+OK\r\n");
        await client.AssertReplyAsync("*11\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n", "+OK\r\n");
    }

    [Fact]
    public async Task StackExchangeRedisAuthenticatesAsAnAclUser()
    {
        await using var admin = await AdminAsync();
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "se-user", "on", ">se-pass", "~se:*", "+@all"));
        try
        {
            await using var redis = await node.App.ConnectAsync(o => (o.User, o.Password) = ("se-user", "se-pass"));
            var db = redis.GetDatabase();
            Assert.True(await db.StringSetAsync("se:user", "mine"));
            Assert.Equal("mine", (string?)await db.StringGetAsync("se:user"));
            var denied = await Assert.ThrowsAsync<RedisServerException>(() => db.StringGetAsync("other"));
            Assert.Equal("NOPERM this user has no permissions to access one of the keys used as arguments", denied.Message);
        }
        finally
        {
            await admin.CommandAsync("ACL", "DELUSER", "se-user");
        }
    }

    [Fact]
    public async Task RedisCliSendsThePasswordWithDashAAndAUserWithDashDashUser()
    {
        await using var admin = await AdminAsync();
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "cli-user", "on", ">cli-pass", "~*", "+@all"));
        try
        {
            var withPassword = await ToolProcess.RunAsync("redis-cli", ["-p", Port, "-a", AclTestSupport.Password, "SET", "cli:key", "v"]);
            var asUser = await ToolProcess.RunAsync("redis-cli", ["-p", Port, "--user", "cli-user", "--pass", "cli-pass", "--no-auth-warning", "ACL", "WHOAMI"]);
            var without = await ToolProcess.RunAsync("redis-cli", ["-p", Port, "GET", "cli:key"]);
            var wrong = await ToolProcess.RunAsync("redis-cli", ["-p", Port, "-a", "wrong", "--no-auth-warning", "GET", "cli:key"]);

            Assert.Equal((0, "OK\n"), (withPassword.ExitCode, withPassword.Output));
            Assert.Contains("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.", withPassword.Error, StringComparison.Ordinal);
            Assert.Equal("cli-user\n", asUser.Output);
            Assert.Contains("NOAUTH Authentication required.", without.Output, StringComparison.Ordinal);
            Assert.Contains("AUTH failed: WRONGPASS invalid username-password pair or user is disabled.", wrong.Output + wrong.Error, StringComparison.Ordinal);
        }
        finally
        {
            await admin.CommandAsync("ACL", "DELUSER", "cli-user");
        }
    }

    [Fact]
    public async Task SetUserAppliesToConnectionsAlreadyAuthenticatedAndOffOnlyStopsNewOnes()
    {
        await using var admin = await AdminAsync();
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "live", "on", ">p", "~*", "+get", "+ping"));
        await using var user = await RawRespClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal("OK", await user.CommandAsync("AUTH", "live", "p"));
        Assert.Null(await user.CommandAsync("GET", "live:key"));

        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "live", "-get"));
        Assert.Equal(new RespError("NOPERM this user has no permissions to run the 'get' command"), await user.CommandAsync("GET", "live:key"));

        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "live", "off"));
        Assert.Equal("PONG", await user.CommandAsync("PING"));
        await using var late = await RawRespClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal(new RespError("WRONGPASS invalid username-password pair or user is disabled."), await late.CommandAsync("AUTH", "live", "p"));
        await admin.CommandAsync("ACL", "DELUSER", "live");
    }

    [Fact]
    public async Task DelUserClosesTheUsersConnectionsIncludingTheOneAsking()
    {
        await using var admin = await AdminAsync();
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "gone", "on", ">p", "~*", "+@all"));
        await using var other = await RawRespClient.ConnectAsync(node.App.RespEndPoint);
        await using var self = await RawRespClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal("OK", await other.CommandAsync("AUTH", "gone", "p"));
        Assert.Equal("OK", await self.CommandAsync("AUTH", "gone", "p"));

        Assert.Equal(1L, await self.CommandAsync("ACL", "DELUSER", "gone"));

        Assert.Equal("", await self.ReadUntilClosedAsync());
        Assert.Equal("", await other.ReadUntilClosedAsync());
        Assert.Equal("PONG", await admin.CommandAsync("PING"));
    }

    [Fact]
    public async Task ClientListNamesTheUserAndClientKillUserClosesItsConnections()
    {
        await using var admin = await AdminAsync();
        Assert.Equal("OK", await admin.CommandAsync("ACL", "SETUSER", "listed", "on", ">p", "~*", "+@all"));
        await using var user = await RawRespClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal("OK", await user.CommandAsync("AUTH", "listed", "p"));
        Assert.Matches(@" cmd=client\|info user=listed ", (string?)await user.CommandAsync("CLIENT", "INFO"));
        Assert.Equal(new RespError("ERR No such user 'nobody'"), await admin.CommandAsync("CLIENT", "KILL", "USER", "nobody"));

        Assert.Equal(1L, await admin.CommandAsync("CLIENT", "KILL", "USER", "listed"));

        Assert.Equal("", await user.ReadUntilClosedAsync());
        await admin.CommandAsync("ACL", "DELUSER", "listed");
    }

    [Fact]
    public async Task ResetMakesTheConnectionAuthenticateAgain()
    {
        await using var client = await AdminAsync();
        Assert.Equal("default", await client.CommandAsync("ACL", "WHOAMI"));
        Assert.Equal("RESET", await client.CommandAsync("RESET"));
        Assert.Equal(new RespError("NOAUTH Authentication required."), await client.CommandAsync("ACL", "WHOAMI"));
        Assert.Equal("OK", await client.CommandAsync("AUTH", AclTestSupport.Password));
        Assert.Equal("default", await client.CommandAsync("ACL", "WHOAMI"));
    }

    private async Task<RawRespClient> AdminAsync()
    {
        var client = await RawRespClient.ConnectAsync(node.App.RespEndPoint);
        Assert.Equal("OK", await client.CommandAsync("AUTH", AclTestSupport.Password));
        return client;
    }
}
