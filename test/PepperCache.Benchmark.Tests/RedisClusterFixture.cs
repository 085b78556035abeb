using System.Diagnostics;
using System.Globalization;
using PepperCache.Testing;

namespace PepperCache.Benchmark.Tests;

/// <summary>
/// A real three-master Redis Cluster (redis-server --cluster-enabled, joined by redis-cli --cluster create) on free
/// loopback ports, for --cluster runs. Start-up is bounded (30 s); every process is ended on dispose.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private readonly List<RedisServer> _servers = [];

    public List<int> Ports { get; } = [];

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            // Each in a directory of its own, so each has its own cluster config file.
            var server = await RedisServer.StartAsync(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]);
            _servers.Add(server);
            Ports.Add(server.Port);
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
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
