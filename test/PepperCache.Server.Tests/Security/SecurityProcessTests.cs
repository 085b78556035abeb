using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>The node as a process: the password from its environment, and a bad ACL file stopping it at start-up.</summary>
public sealed class SecurityProcessTests
{
    [Fact]
    public async Task PepperRequirepassInTheEnvironmentMakesClientsAuthenticate()
    {
        await using var node = NodeProcess.Start(
            ["--port", "0", "--admin-port", "0", "--appendonly", "no"],
            new Dictionary<string, string> { ["PEPPER_REQUIREPASS"] = "from-env" });
        var line = await node.WaitForOutputAsync("Cache Port: ");
        var port = int.Parse(line[(line.IndexOf("Cache Port: ", StringComparison.Ordinal) + 12)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await using var client = await RawRespClient.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));

        Assert.Equal(new RespError("NOAUTH Authentication required."), await client.CommandAsync("GET", "k"));
        Assert.Equal("OK", await client.CommandAsync("AUTH", "from-env"));
        Assert.Equal(["requirepass", "from-env"], (await client.CommandAsync("CONFIG", "GET", "requirepass") as List<object?>)!);
    }

    [Fact]
    public async Task ABadAclFileStopsTheNodeWithExitCodeOneAndRedisDescription()
    {
        var directory = Directory.CreateTempSubdirectory("peppercache-aclfile-").FullName;
        try
        {
            var file = Path.Combine(directory, "users.acl");
            await File.WriteAllTextAsync(file, "user eve on +nosuch\nnot a user line\n", TestContext.Current.CancellationToken);
            await using var node = NodeProcess.Start(["--port", "0", "--admin-port", "0", "--appendonly", "no", "--aclfile", file]);

            Assert.Equal(1, await node.WaitForExitAsync());
            Assert.Equal(
                [$"error: Aborting start-up because of ACL errors: {file}:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
                 $"{file}:2 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"],
                node.StandardError);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
