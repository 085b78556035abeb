using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// Nodes started together, as the README does: a joiner that is up before its seed waits for it, saying so at
/// information level, and joins once the seed answers, with no warning on the way.
/// </summary>
public sealed class JoinProcessTests
{
    [Fact]
    public async Task AJoinerStartedBeforeItsSeedWaitsForItWithoutAWarning()
    {
        var seedAdminPort = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var (joiner, _, _) = await NodeProcess.StartOnFreePortsAsync("--cluster", "127.0.0.1:" + seedAdminPort, "--appendonly", "no");
        await using (joiner)
        {
            var waiting = await joiner.WaitForOutputAsync("Waiting for seed");
            Assert.Contains($"[INF] Waiting for seed 127.0.0.1:{seedAdminPort} (attempt 1): ", waiting, StringComparison.Ordinal);

            await using var seed = NodeProcess.Start(["--port", "0", "--admin-port", seedAdminPort, "--appendonly", "no"]);
            await joiner.WaitForOutputAsync("Joined the cluster through");

            Assert.DoesNotContain(joiner.StandardOutput, line => line.Contains("[WRN]", StringComparison.Ordinal) || line.Contains("[ERR]", StringComparison.Ordinal));
        }
    }
}
