using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Packaging;

/// <summary>
/// deploy/Dockerfile's runtime stage, run without Docker: its ENV lines, its ENTRYPOINT (deploy/docker-entrypoint.sh)
/// and its HEALTHCHECK (deploy/healthcheck.sh) start and probe nodes built from this tree, as the container would
/// (with free ports and a temporary data directory in place of 9004, 18088 and /data). What only Docker can show (the
/// image builds, the non-root user can write the volume) is not exercised here: docs/operations.md says so.
/// </summary>
public sealed partial class ContainerEntrypointProcessTests
{
    private const string Password = "entrypoint-test-password";

    private static readonly string Deploy = Path.Combine(RepositoryPaths.Root, "deploy");

    [Fact]
    public void TheRuntimeStageRunsAsANonRootUserWithAVolumeAHealthCheckAndTheEntrypointScript()
    {
        var stage = RuntimeStage();

        Assert.Contains("FROM mcr.microsoft.com/dotnet/runtime-deps:10.0", stage);
        Assert.Contains("USER $APP_UID", stage);
        Assert.Contains("VOLUME [\"/data\"]", stage);
        Assert.Contains("STOPSIGNAL SIGTERM", stage);
        Assert.Contains("ENTRYPOINT [\"/app/docker-entrypoint.sh\"]", stage);
        Assert.Contains(stage, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.EndsWith("CMD [\"/app/healthcheck.sh\"]", StringComparison.Ordinal));
        Assert.Equal("/data", ImageEnvironment()["PEPPER_DIR"]);
    }

    [Fact]
    public async Task TheEntrypointStartsANodeThatFoundsItsClusterAndASecondThatJoinsItThenLeavesOnSigterm()
    {
        using var data = new TempDirectory();
        var (first, firstResp, firstAdmin) = await StartAsync("127.0.0.1", "127.0.0.1", Path.Combine(data.Path, "first"));
        await using (first)
        {
            // Told to join through itself (as pod 0 is), it founds the cluster: ready, and serving keys (a node
            // waiting on itself would be ready too, but answer CLUSTERDOWN to every key).
            await WaitUntilHealthyAsync(firstAdmin);
            Assert.Equal("PONG\n", await RedisCliAsync(firstResp, "ping"));
            Assert.Equal("OK\n", await RedisCliAsync(firstResp, "set", "greeting", "hello"));
            Assert.Contains("Cluster is 127.0.0.1\n", string.Join('\n', first.StandardOutput) + "\n", StringComparison.Ordinal);

            // A second node, with its own loopback address, joins through the first as the other pods do.
            var (second, secondResp, secondAdmin) = await StartAsync("127.0.0.2", $"127.0.0.1:{firstAdmin.Port}", Path.Combine(data.Path, "second"));
            await using (second)
            {
                await WaitUntilHealthyAsync(secondAdmin);
                var nodes = await RedisCliAsync(secondResp, "cluster", "nodes");
                Assert.Equal(2, nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

                // docker stop / Kubernetes: SIGTERM to PID 1 (the node itself, exec'd by the script): a graceful leave, exit 0.
                await second.SendSignalAsync("TERM");
                Assert.Equal(0, await second.WaitForExitAsync());
            }

            Assert.Equal("hello\n", await RedisCliAsync(firstResp, "get", "greeting"));
            await first.SendSignalAsync("TERM");
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        // The node wrote its files where the image's PEPPER_DIR (the volume) says.
        Assert.True(File.Exists(Path.Combine(data.Path, "first", "appendonly.aof")));
    }

    [Fact]
    public async Task TheEntrypointExecsASelfContainedNodesOwnExecutable()
    {
        // The image's node is a self-contained publish (its runtime beside it, libcoreclr.so): the entrypoint must exec
        // its executable, with the container's arguments, and not go through a dotnet host the image does not have.
        // A stand-in executable reports its arguments and its parent: the test process only if it replaced the script.
        using var home = new TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(home.Path, "libcoreclr.so"), [], TestContext.Current.CancellationToken);
        var node = Path.Combine(home.Path, "PepperCache.Server");
        await File.WriteAllTextAsync(node, "#!/bin/sh\necho \"parent=$PPID args=$*\"\n", TestContext.Current.CancellationToken);
        Assert.Equal(0, (await ToolProcess.RunAsync("chmod", ["+x", node], timeout: TimeSpan.FromSeconds(10))).ExitCode);

        var environment = new Dictionary<string, string> { ["PEPPERCACHE_HOME"] = home.Path };
        var result = await ToolProcess.RunAsync(
            "/bin/sh", [Path.Combine(Deploy, "docker-entrypoint.sh"), "--node", "10.0.0.7", "--port", "7000"],
            environment: environment, timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"parent={Environment.ProcessId} args=--node 10.0.0.7 --port 7000\n", result.Output);
    }

    /// <summary>The Dockerfile's last stage, one instruction per line (continuations joined).</summary>
    private static List<string> RuntimeStage()
    {
        var text = File.ReadAllText(Path.Combine(Deploy, "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return lines[lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))..];
    }

    private static Dictionary<string, string> ImageEnvironment() =>
        RuntimeStage().Select(l => EnvPattern().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);

    private static async Task<(NodeProcess Node, IPEndPoint Resp, IPEndPoint Admin)> StartAsync(string node, string cluster, string dir)
    {
        var resp = NodeProcess.FreePort();
        var admin = NodeProcess.FreePort();
        var environment = ImageEnvironment();
        environment["PEPPERCACHE_HOME"] = Path.GetDirectoryName(NodeProcess.ServerAssemblyPath)!;
        environment["PEPPER_DIR"] = dir;
        environment["PEPPER_PORT"] = resp.ToString(CultureInfo.InvariantCulture);
        environment["PEPPER_ADMIN_PORT"] = admin.ToString(CultureInfo.InvariantCulture);
        environment["PEPPER_NODE"] = node;
        environment["PEPPER_CLUSTER"] = cluster;
        environment["PEPPER_CLUSTER_SECRET"] = "entrypoint-test-cluster-secret";
        environment["PEPPER_REQUIREPASS"] = Password;
        var process = NodeProcess.Start([], environment, command: ["/bin/sh", Path.Combine(Deploy, "docker-entrypoint.sh")]);
        try
        {
            await process.WaitForOutputAsync("Ready to accept connections");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return (process, new IPEndPoint(IPAddress.Loopback, resp), new IPEndPoint(IPAddress.Loopback, admin));
    }

    /// <summary>Runs the image's health check until it passes (/readyz 200), at most 30 s.</summary>
    private static async Task WaitUntilHealthyAsync(IPEndPoint admin)
    {
        var environment = new Dictionary<string, string> { ["PEPPER_ADMIN_PORT"] = admin.Port.ToString(CultureInfo.InvariantCulture) };
        await Eventually.UntilAsync(
            () => ToolProcess.RunAsync("/bin/bash", [Path.Combine(Deploy, "healthcheck.sh")], environment: environment, timeout: TimeSpan.FromSeconds(10)),
            result => result.ExitCode == 0, TimeSpan.FromSeconds(30), "healthcheck.sh passes",
            result => $"exit {result.ExitCode}, {result.Error}", TimeSpan.FromMilliseconds(500));
    }

    private static async Task<string> RedisCliAsync(IPEndPoint resp, params string[] command)
    {
        var result = await ToolProcess.RunAsync(
            "redis-cli", ["-p", resp.Port.ToString(CultureInfo.InvariantCulture), "-a", Password, "--no-auth-warning", .. command], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(0, result.ExitCode);
        return result.Output;
    }

    [GeneratedRegex(@"^ENV (?<name>[A-Z_]+)=(?<value>\S+)$")]
    private static partial Regex EnvPattern();

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("peppercache-entrypoint-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }
}
