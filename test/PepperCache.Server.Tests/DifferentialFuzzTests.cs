using System.Diagnostics;
using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Server.Tests.Packaging;

namespace PepperCache.Server.Tests;

/// <summary>
/// A short run of <c>bench/difffuzz.py</c> in the suite: random command scripts over every data type played on
/// redis-server 7.0.15 and a node, every reply compared and every key (type, encoding, content) compared after each
/// command. Four fixed seeds, two with the compact encodings' thresholds lowered; replies that read the clock are left
/// out, so a run depends on nothing but the seeds. The long runs are <c>bench/difffuzz.sh</c> (docs/testing.md).
/// </summary>
public sealed class DifferentialFuzzTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task FourSeedsOfRandomCommandsAnswerAsRedis()
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(RepositoryPaths.Root, "bench", "difffuzz.py"),
            "--pepper-port", servers.Node.RespEndPoint.Port.ToString(CultureInfo.InvariantCulture),
            "--redis-port", servers.RedisEndPoint.Port.ToString(CultureInfo.InvariantCulture),
            "--seeds", "1-4", "--commands", "800", "--state", "--verbose", "--no-clock",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var fuzz = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        var output = fuzz.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = fuzz.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Bound);
        try
        {
            await fuzz.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            fuzz.Kill();
            throw new TimeoutException($"difffuzz.py did not finish within {Bound.TotalMinutes} minutes:\n{await output}");
        }

        var report = await output + await errors;
        Assert.True(fuzz.ExitCode == 0, $"difffuzz.py exited {fuzz.ExitCode}:\n{report}");
        Assert.Equal(4, report.Split('\n').Count(l => l.EndsWith("800 commands, 0 differences", StringComparison.Ordinal)));
    }
}
