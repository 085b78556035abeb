using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// Nodes started together, as the README does: a joiner that is up before its seed waits for it, saying so at
/// information level, and joins once the seed answers, with no warning on the way. Until it has joined it refuses
/// keyed commands with Redis's CLUSTERDOWN (what it took then would be dropped as stray keys when it joins).
/// </summary>
public sealed class JoinProcessTests
{
    [Fact]
    public async Task AJoinerStartedBeforeItsSeedWaitsForItWithoutAWarning()
    {
        var seedAdminPort = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var (joiner, joinerResp, _) = await NodeProcess.StartOnFreePortsAsync("--cluster", "127.0.0.1:" + seedAdminPort, "--appendonly", "no");
        await using (joiner)
        {
            var waiting = await joiner.WaitForOutputAsync("Waiting for seed");
            Assert.Contains($"[INF] Waiting for seed 127.0.0.1:{seedAdminPort} (attempt 1): ", waiting, StringComparison.Ordinal);
            await using (var early = await RawRespClient.ConnectAsync(joinerResp))
            {
                await early.AssertReplyAsync("*3\r\n$3\r\nSET\r\n$5\r\nearly\r\n$1\r\n1\r\n", "-CLUSTERDOWN The cluster is down\r\n");
                await early.AssertReplyAsync("*2\r\n$3\r\nGET\r\n$5\r\nearly\r\n", "-CLUSTERDOWN The cluster is down\r\n");
                await early.AssertReplyAsync("*1\r\n$6\r\nDBSIZE\r\n", ":0\r\n");
                const string info = "# Cluster\r\ncluster_enabled:1\r\n";
                await early.AssertReplyAsync("*2\r\n$4\r\nINFO\r\n$7\r\ncluster\r\n", $"${info.Length}\r\n{info}\r\n");
                await early.AssertReplyAsync("*2\r\n$7\r\nCLUSTER\r\n$5\r\nSLOTS\r\n", "*0\r\n");
            }

            await using var seed = NodeProcess.Start(["--port", "0", "--admin-port", seedAdminPort, "--appendonly", "no"]);
            await joiner.WaitForOutputAsync("Joined the cluster through");

            Assert.DoesNotContain(joiner.StandardOutput, line => line.Contains("[WRN]", StringComparison.Ordinal) || line.Contains("[ERR]", StringComparison.Ordinal));
            // Joined: a write is taken or redirected, never refused, and what is taken is kept.
            var port = joinerResp.Port.ToString(CultureInfo.InvariantCulture);
            var set = await ToolProcess.RunAsync("redis-cli", ["-c", "-p", port, "set", "late", "kept"], timeout: TimeSpan.FromSeconds(30));
            var get = await ToolProcess.RunAsync("redis-cli", ["-c", "-p", port, "get", "late"], timeout: TimeSpan.FromSeconds(30));
            Assert.Equal("OK", set.Output.Trim());
            Assert.Equal("kept", get.Output.Trim());
        }
    }
}
