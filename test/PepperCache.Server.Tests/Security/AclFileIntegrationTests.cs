using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// The ACL file (<c>--aclfile</c>): ACL SAVE writes what redis-server 7.0.15 writes for the same users, ACL LOAD
/// reads Redis's format all or nothing with Redis's errors, and a node loads the file at start-up or does not start.
/// Each server gets a file of its own in a temporary directory.
/// </summary>
public sealed class AclFileIntegrationTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("peppercache-aclfile-").FullName;
    private RedisServerProcess _redis = null!;
    private PepperCacheApplication _node = null!;

    private string RedisFile => Path.Combine(_directory, "redis.acl");

    private string NodeFile => Path.Combine(_directory, "node.acl");

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(RedisFile, "", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(NodeFile, "", TestContext.Current.CancellationToken);
        _redis = new RedisServerProcess { ExtraArguments = ["--aclfile", RedisFile] };
        await _redis.InitializeAsync();
        _node = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:AclFile"] = NodeFile });
        _ = _node.RespEndPoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task SaveWritesTheFileRedisWrites()
    {
        await RedisParity.AssertSameRepliesAsync(_redis.EndPoint, _node.RespEndPoint, """
            ACL SETUSER alice on >a1 >a2 ~cache:* %R~shared:* &news +@string -set
            ACL SETUSER bob off #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a allkeys +@all -flushall
            ACL SETUSER carol on nopass resetchannels -@all +config|get
            ACL SETUSER default >server-pass
            ACL SAVE
            """, Protocols.Resp2); // RESP2 only: the script gives the default user a password, so a RESP3 pass would only meet NOAUTH.

        var expected = await File.ReadAllTextAsync(RedisFile, TestContext.Current.CancellationToken);
        Assert.StartsWith("user alice on #", expected, StringComparison.Ordinal);
        Assert.Equal(expected, await File.ReadAllTextAsync(NodeFile, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LoadReplacesEveryUserOrNothingWithRedisErrors()
    {
        string[] files =
        [
            "user default on nopass ~* &* +@all\nuser bob on +nosuch +@nosuch #abc badop\nfoo bar\nuser\nuser bob on\nuser carol  on\n",
            "user alice on >a +get ~*\n\n   \nuser  bob on\n",
            "user alice on >a ~k* +@string -set\r\nuser dave off\nuser default on >pw ~* &* +@all\n",
        ];

        foreach (var content in files)
        {
            await File.WriteAllTextAsync(RedisFile, content, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(NodeFile, content, TestContext.Current.CancellationToken);
            await using var redisClient = await RespFrameClient.ConnectAsync(_redis.EndPoint);
            await using var nodeClient = await RespFrameClient.ConnectAsync(_node.RespEndPoint);

            var expected = Encoding.UTF8.GetString(await redisClient.ExecuteAsync("ACL", "LOAD")).Replace(RedisFile, "<file>", StringComparison.Ordinal);
            var actual = Encoding.UTF8.GetString(await nodeClient.ExecuteAsync("ACL", "LOAD")).Replace(NodeFile, "<file>", StringComparison.Ordinal);
            Assert.Equal(expected, actual);
            // The connection that loaded stays the default user's, whatever its rules became.
            Assert.Equal(await redisClient.ExecuteTextAsync("ACL", "LIST"), await nodeClient.ExecuteTextAsync("ACL", "LIST"));
        }

        File.Delete(RedisFile);
        File.Delete(NodeFile);
        await using var redisMissing = await RespFrameClient.ConnectAsync(_redis.EndPoint);
        await using var nodeMissing = await RespFrameClient.ConnectAsync(_node.RespEndPoint);
        Assert.Equal(
            (await redisMissing.ExecuteTextAsync("AUTH", "pw")) + (await redisMissing.ExecuteTextAsync("ACL", "LOAD")).Replace(RedisFile, "<file>", StringComparison.Ordinal),
            (await nodeMissing.ExecuteTextAsync("AUTH", "pw")) + (await nodeMissing.ExecuteTextAsync("ACL", "LOAD")).Replace(NodeFile, "<file>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoadClosesTheConnectionsOfTheUsersItReplaces()
    {
        await File.WriteAllTextAsync(NodeFile, "user default on nopass ~* &* +@all\nuser bob on >b ~* +@all\n", TestContext.Current.CancellationToken);
        await using var admin = await _node.ConnectRawAsync();
        Assert.Equal("OK", await admin.CommandAsync("ACL", "LOAD"));
        await using var bob = await _node.ConnectRawAsync();
        Assert.Equal("OK", await bob.CommandAsync("AUTH", "bob", "b"));

        Assert.Equal("OK", await admin.CommandAsync("ACL", "LOAD"));

        Assert.Equal("", await bob.ReadUntilClosedAsync());
        Assert.Equal("default", await admin.CommandAsync("ACL", "WHOAMI"));
    }

    [Fact]
    public async Task ANodeLoadsTheFileAtStartUp()
    {
        var good = Path.Combine(_directory, "good.acl");
        await File.WriteAllTextAsync(good, "user default on >start-pass ~* &* +@all\nuser eve on >e ~eve:* +get\n", TestContext.Current.CancellationToken);
        await using (var node = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:AclFile"] = good }))
        {
            await using var client = await node.ConnectRawAsync();
            Assert.Equal(new RespError("NOAUTH Authentication required."), await client.CommandAsync("GET", "eve:1"));
            Assert.Equal("OK", await client.CommandAsync("AUTH", "eve", "e"));
            Assert.Null(await client.CommandAsync("GET", "eve:1"));
        }

        // A bad or missing file stopping the node (exit 1, Redis's description on stderr) is SecurityProcessTests':
        // on a real process; an in-process host that fails while starting leaves nothing to assert on here.
    }
}
