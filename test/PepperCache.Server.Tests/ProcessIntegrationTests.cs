using System.Net;
using System.Net.Sockets;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The node as an operator runs it: a real process started from the built dll, observed through its exit code,
/// stdout and stderr, and stopped with SIGTERM.
/// </summary>
public sealed class ProcessIntegrationTests
{
    [Fact]
    public async Task StartsWithNoConfigFileAndLogsTheOriginalLinesOnceBothPortsAreBound()
    {
        await using var node = NodeProcess.Start(["--port", "0", "--admin-port", "0"]);

        var pidLine = await node.WaitForOutputAsync("Cache PID:");

        // The ports are bound by the time the lines are printed: both accept a connection straight away.
        var output = node.StandardOutput;
        var port = PortFrom(output, "Cache Port: ");
        var adminPort = PortFrom(output, "Admin Port: ");
        await using (var client = await RawRespClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            await client.AssertReplyAsync("PING\r\n", "+PONG\r\n");
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        var health = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        Assert.EndsWith($"Cache PID: {node.Id}", pidLine, StringComparison.Ordinal);
        string[] expectedInOrder = ["Node is 127.0.0.1", "Cluster is 127.0.0.1", "Cache Server runs...", $"Cache Port: {port}", $"Cache PID: {node.Id}"];
        var positions = expectedInOrder.Select(text => IndexOfLineEndingWith(output, text)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0, $"missing start-up line; stdout was:\n{string.Join('\n', output)}"));
        Assert.Equal(positions.Order(), positions);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task SignalWithAClientConnectedClosesItAndExitsZero(string signal)
    {
        var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync();
        await using (node)
        {
            await using var client = await RawRespClient.ConnectAsync(resp);
            await client.AssertReplyAsync("SET sigterm:key value\r\n", "+OK\r\n");

            await node.SendSignalAsync(signal);

            Assert.Equal(0, await node.WaitForExitAsync());
            // The idle client was told to go (end of stream), not left to the shutdown timeout.
            Assert.Equal("", await client.ReadUntilClosedAsync());
            var output = node.StandardOutput;
            var runs = IndexOfLineEndingWith(output, "Cache Server runs...");
            var stopping = output.ToList().FindIndex(l => l.Contains("Shutting down: 1 clients connected", StringComparison.Ordinal));
            Assert.True(runs >= 0 && stopping > runs, $"stdout was:\n{string.Join('\n', output)}");
            Assert.Empty(node.StandardError);
        }
    }

    /// <summary>
    /// A shell script's background job starts with SIGINT ignored; the runtime kept ignoring it, so <c>kill -INT</c>
    /// left the node running (found when the test run itself was a background job). Redis shuts down then, and so must a node.
    /// </summary>
    [Fact]
    public async Task SigintStopsANodeThatInheritedItIgnored()
    {
        IReadOnlyList<string> ignoringInterrupt = ["env", "--ignore-signal=INT"];
        var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync(ignoringInterrupt);
        await using (node)
        {
            await using var client = await RawRespClient.ConnectAsync(resp);
            await client.AssertReplyAsync("PING\r\n", "+PONG\r\n");

            await node.SendSignalAsync("INT");

            Assert.Equal(0, await node.WaitForExitAsync());
            Assert.Contains(node.StandardOutput, l => l.Contains("Shutting down: 1 clients connected", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// SHUTDOWN stops the node as SIGTERM does: no reply (the connection ends, as when Redis exits), nothing after it
    /// in the pipeline runs, exit status 0, and what was acknowledged before it is in the AOF for the next start.
    /// </summary>
    [Fact]
    public async Task ShutdownStopsTheNodeWithoutAReplyAndKeepsWhatItAcknowledged()
    {
        var dir = Directory.CreateTempSubdirectory("peppercache-shutdown-").FullName;
        try
        {
            var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir, "--appendonly", "yes");
            await using (node)
            {
                await using var client = await RawRespClient.ConnectAsync(resp);
                await client.AssertReplyAsync("SET before kept\r\n", "+OK\r\n");
                await client.AssertReplyAsync("SHUTDOWN ABORT\r\n", "-ERR No shutdown in progress.\r\n");
                await client.SendAsync("SHUTDOWN NOSAVE NOW\r\nSET after lost\r\n");
                Assert.Equal("", await client.ReadUntilClosedAsync());
                Assert.Equal(0, await node.WaitForExitAsync());
                Assert.Contains(node.StandardOutput, l => l.Contains("User requested shutdown (SHUTDOWN from 127.0.0.1:", StringComparison.Ordinal));
            }

            var (again, resp2, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir, "--appendonly", "yes");
            await using (again)
            {
                await using var client = await RawRespClient.ConnectAsync(resp2);
                await client.AssertReplyAsync("MGET before after\r\n", "*2\r\n$4\r\nkept\r\n$-1\r\n");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Without the AOF there is nothing on disk to SAVE: refused as Redis refuses a shutdown whose save fails, unless FORCE.</summary>
    [Fact]
    public async Task ShutdownSaveWithTheAofOffIsRefusedUnlessForced()
    {
        var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync("--appendonly", "no");
        await using (node)
        {
            await using var client = await RawRespClient.ConnectAsync(resp);
            await client.AssertReplyAsync("SHUTDOWN SAVE\r\n", "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
            await client.AssertReplyAsync("PING\r\n", "+PONG\r\n");
            // The node's stdout reaches the test through a reader of its own: wait for the line, do not race it.
            await node.WaitForOutputAsync("refused: SAVE asks for the data on disk");
            await client.SendAsync("SHUTDOWN SAVE FORCE\r\n");
            Assert.Equal("", await client.ReadUntilClosedAsync());
            Assert.Equal(0, await node.WaitForExitAsync());
        }
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--admin-port")]
    public async Task PortAlreadyInUseExitsOneWithAOneLineError(string flag)
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var busyPort = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var otherFlag = flag == "--port" ? "--admin-port" : "--port";

        await using var node = NodeProcess.Start([flag, busyPort.ToString(), otherFlag, "0"]);

        Assert.Equal(1, await node.WaitForExitAsync());
        var error = Assert.Single(node.StandardError, line => line.Length > 0);
        // Which port (the cache port speaks RESP, not HTTP, so no scheme).
        var reason = $"cannot bind the {(flag == "--port" ? "cache" : "admin")} port 127.0.0.1:{busyPort}: address already in use";
        Assert.Equal("error: " + reason, error);
        // One short log line, no stack trace, and never the "runs" line.
        Assert.DoesNotContain(node.StandardOutput, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(node.StandardOutput, line => line.Contains("Cache Server runs", StringComparison.Ordinal));
        Assert.Contains(node.StandardOutput, line => line.EndsWith("Cannot start: " + reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BindingANonLoopbackAddressWithoutAClusterSecretExitsOneWithOneLine()
    {
        await using var node = NodeProcess.Start(["--bind", "0.0.0.0", "--port", "0", "--admin-port", "0"]);

        Assert.Equal(1, await node.WaitForExitAsync());
        Assert.Equal(
            "error: listening on a non-loopback address needs a cluster secret: set --cluster-secret (or PEPPER_CLUSTER_SECRET), the same on every member",
            Assert.Single(node.StandardError, l => l.Length > 0));
    }

    [Fact]
    public async Task BindingAnAddressThisMachineDoesNotHaveExitsOneWithOneLine()
    {
        // 192.0.2.0/24 is reserved for documentation (RFC 5737), so no machine has it.
        await using var node = NodeProcess.Start(["--bind", "192.0.2.1", "--port", "0", "--admin-port", "0", "--cluster-secret", "s"]);

        Assert.Equal(1, await node.WaitForExitAsync());
        Assert.Equal(
            "error: cannot bind the cache port 192.0.2.1:0: the address is not this machine's (check --bind and --node)",
            Assert.Single(node.StandardError, l => l.Length > 0));
        Assert.DoesNotContain(node.StandardOutput, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--port", "70000" }, "error: invalid value \"70000\" for flag -port: must be a port number 0-65535 (see --help)")]
    [InlineData(new[] { "--frobnicate" }, "error: flag provided but not defined: -frobnicate (see --help)")]
    [InlineData(new[] { "-port" }, "error: flag needs an argument: -port (see --help)")]
    [InlineData(new[] { "--hz", "0" }, "error: invalid value \"0\" for flag -hz: must be 1-500 (see --help)")]
    [InlineData(new[] { "stray" }, "error: unexpected argument 'stray' (see --help)")]
    public async Task BadArgumentsExitTwoWithOneLineOnStderr(string[] arguments, string expected)
    {
        await using var node = NodeProcess.Start(arguments);

        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Equal(expected, Assert.Single(node.StandardError));
        Assert.Empty(node.StandardOutput);
    }

    [Fact]
    public async Task BadEnvironmentValueExitsTwoNamingTheVariable()
    {
        await using var node = NodeProcess.Start([], new Dictionary<string, string> { ["PEPPER_ADMIN_PORT"] = "99999" });

        Assert.Equal(2, await node.WaitForExitAsync());
        Assert.Equal(
            "error: invalid value \"99999\" for PEPPER_ADMIN_PORT: must be a port number 0-65535 (see --help)",
            Assert.Single(node.StandardError));
    }

    [Theory]
    [InlineData(new[] { "--port", "9106", "--admin-port", "9106" }, "error: PepperCache:Port and PepperCache:AdminPort must differ")]
    [InlineData(new[] { "--port", "0", "--admin-port", "0", "--transport", "sockets", "--io-threads", "2" },
        "error: PepperCache:IoThreads sets the epoll transport's loops; with --transport sockets leave it 0")]
    public async Task SettingsThatFailValidationExitOneWithOneLine(string[] arguments, string expected)
    {
        // Never bound: validation fails first.
        await using var node = NodeProcess.Start(arguments);

        Assert.Equal(1, await node.WaitForExitAsync());
        Assert.Equal(expected, Assert.Single(node.StandardError, l => l.Length > 0));
        Assert.DoesNotContain(node.StandardOutput, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-help")]
    [InlineData("-h")]
    public async Task HelpPrintsTheUsageTextAndExitsZero(string flag)
    {
        await using var node = NodeProcess.Start([flag]);

        Assert.Equal(0, await node.WaitForExitAsync());
        var output = node.StandardOutput;
        Assert.Equal("Usage of server:", output[0]);
        Assert.Contains("  -admin-port int", output);
        Assert.Contains("  -cluster string", output);
        Assert.Contains("  -node string", output);
        Assert.Contains("  -port int", output);
        Assert.Empty(node.StandardError);
    }

    /// <summary>Flags win over PEPPER_* variables, which win over appsettings.json in the working directory.</summary>
    [Theory]
    [InlineData(null, null, "127.0.0.2")]
    [InlineData("127.0.0.3", null, "127.0.0.3")]
    [InlineData("127.0.0.3", "127.0.0.4", "127.0.0.4")]
    public async Task SettingsComeFromFlagsThenEnvironmentThenAppSettings(string? environmentNode, string? flagNode, string expected)
    {
        const string appSettings = """{ "PepperCache": { "Node": "127.0.0.2", "Port": 0, "AdminPort": 0 } }""";
        var environment = new Dictionary<string, string>();
        if (environmentNode is not null)
        {
            environment["PEPPER_NODE"] = environmentNode;
        }

        await using var node = NodeProcess.Start(flagNode is null ? [] : ["--node", flagNode], environment, appSettings);

        await node.WaitForOutputAsync("Cache PID:");
        Assert.Contains(node.StandardOutput, line => line.EndsWith($"Node is {expected}", StringComparison.Ordinal));
        // The node listens on its own address (127.0.0.0/8 is all loopback on Linux).
        var port = PortFrom(node.StandardOutput, "Cache Port: ");
        await using var client = await RawRespClient.ConnectAsync(new IPEndPoint(IPAddress.Parse(expected), port));
        await client.AssertReplyAsync("PING\r\n", "+PONG\r\n");
    }

    private static int IndexOfLineEndingWith(IReadOnlyList<string> lines, string text) =>
        lines.ToList().FindIndex(l => l.EndsWith(text, StringComparison.Ordinal));

    private static int PortFrom(IReadOnlyList<string> lines, string label)
    {
        var line = lines.First(l => l.Contains(label, StringComparison.Ordinal));
        return int.Parse(line[(line.IndexOf(label, StringComparison.Ordinal) + label.Length)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
