using System.Diagnostics;
using System.Globalization;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Benchmark.Tests;

/// <summary>
/// A real three-master Redis Cluster (redis-server --cluster-enabled, joined by redis-cli --cluster create) on free
/// loopback ports, for --cluster runs. Start-up is bounded (30 s); every process is ended on dispose.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private readonly List<Process> _processes = [];
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("pepper-benchmark-cluster");

    public List<int> Ports { get; } = [];

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            var port = RedisServerProcess.FreePort();
            var text = port.ToString(CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo("redis-server")
            {
                WorkingDirectory = _directory.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { "--port", text, "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{text}.conf", "--save", "", "--appendonly", "no", "--dir", _directory.FullName })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes.Add(process);
            Ports.Add(port);
        }

        var deadline = Stopwatch.StartNew();
        var created = false;
        for (var attempt = 0; attempt < 30 && !created; attempt++)
        {
            var (exit, _) = await RunCliAsync(["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
            created = exit == 0;
            if (!created)
            {
                await Task.Delay(200);
            }
        }

        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (_, info) = await RunCliAsync(["-p", Ports[0].ToString(CultureInfo.InvariantCulture), "cluster", "info"]);
            if (info.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException("the Redis Cluster did not reach cluster_state:ok within 30 s");
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        _directory.Delete(recursive: true);
    }
}
