using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PepperCache.Client;

namespace PepperCache.Testing;

/// <summary>
/// The one way the tests start a real Redis Cluster: three redis-servers with <c>--cluster-enabled</c>
/// (<see cref="RedisServer"/>, each with a directory of its own) joined as three masters by
/// <c>redis-cli --cluster create</c>, and ready only once <b>every</b> node reports <c>cluster_state:ok</c> (a node
/// that has not yet learned the others answers -CLUSTERDOWN). Each node's cluster bus is on its port + 10000, as Redis
/// has it, so the ports are chosen with that port free too. Ended, every process by its id, when disposed.
/// </summary>
public sealed class RedisClusterServers : IAsyncDisposable
{
    private const int Size = 3;

    private readonly List<RedisServer> _servers = [];

    private RedisClusterServers()
    {
    }

    public IReadOnlyList<RedisServer> Servers => _servers;

    public IReadOnlyList<int> Ports => [.. _servers.Select(s => s.Port)];

    /// <summary>
    /// Starts the cluster on <paramref name="preferredPorts"/> when they and their bus ports are all free (a fixed
    /// place a developer can point redis-cli at), else on free ports.
    /// </summary>
    public static async Task<RedisClusterServers> StartAsync(IReadOnlyList<int>? preferredPorts = null)
    {
        var cluster = new RedisClusterServers();
        try
        {
            var ports = preferredPorts is { Count: Size } && await AllFreeAsync(preferredPorts).ConfigureAwait(false)
                ? [.. preferredPorts]
                : await FreePortsAsync().ConfigureAwait(false);
            foreach (var port in ports)
            {
                var text = port.ToString(CultureInfo.InvariantCulture);
                cluster._servers.Add(await RedisServer.StartAsync(["--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{text}.conf"], port).ConfigureAwait(false));
            }

            await CreateAsync(ports).ConfigureAwait(false);
            foreach (var server in cluster._servers)
            {
                await WhenUpAsync(server.Port).ConfigureAwait(false);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        _servers.Clear();
    }

    /// <summary><c>redis-cli --cluster create</c>, bounded to 60 s.</summary>
    private static async Task CreateAsync(IEnumerable<int> ports)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"redis-cli is not installed (test.sh installs Debian's redis-tools): {e.Message}", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new InvalidOperationException("redis-cli --cluster create did not finish in 60 s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {await output.ConfigureAwait(false)}{await error.ConfigureAwait(false)}");
            }
        }
    }

    /// <summary>Until the node on <paramref name="port"/> says <c>cluster_state:ok</c>: at most 200 tries, 100 ms apart.</summary>
    private static async Task WhenUpAsync(int port)
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", port).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var info = (await connection.ExecuteAsync("CLUSTER", "INFO").ConfigureAwait(false)).Text ?? "";
            if (info.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return;
            }

            if (attempt == 200)
            {
                throw new InvalidOperationException($"the Redis Cluster node on {port} never reported cluster_state:ok");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static async Task<bool> AllFreeAsync(IEnumerable<int> ports)
    {
        foreach (var port in ports)
        {
            if (port + 10000 > 65535 || await IsListeningAsync(port).ConfigureAwait(false) || await IsListeningAsync(port + 10000).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Three free ports whose bus ports are free too: at most 100 tries.</summary>
    private static async Task<int[]> FreePortsAsync()
    {
        var ports = new List<int>();
        for (var attempt = 0; attempt < 100 && ports.Count < Size; attempt++)
        {
            var port = RedisServer.FreePort();
            if (!ports.Contains(port) && await AllFreeAsync([port]).ConfigureAwait(false))
            {
                ports.Add(port);
            }
        }

        return ports.Count == Size ? [.. ports] : throw new InvalidOperationException("no free ports for the test Redis Cluster");
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
