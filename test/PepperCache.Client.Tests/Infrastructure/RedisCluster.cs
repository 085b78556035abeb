using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PepperCache.Client.Cluster;
using PepperCache.Protocol;
using PepperCache.Testing;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real 3-master Redis Cluster on 127.0.0.1:7440-7442 (the ports set aside for it; free ports when another test
/// run holds those, so two worktrees can test at once), created with
/// <c>redis-cli --cluster create</c> in a temporary directory and ended with it. Shared by the classes in the
/// "Redis Cluster" collection, which therefore run one after another.
/// </summary>
public sealed class RedisCluster : IClusterEndpoint, IAsyncLifetime
{
    private static readonly int[] PreferredPorts = [7440, 7441, 7442];

    private readonly List<RedisServer> _servers = [];

    /// <summary>The nodes' ports; each node's cluster bus is on its port + 10000, as Redis has it.</summary>
    public IReadOnlyList<int> Ports { get; private set; } = PreferredPorts;

    public ClusterNode Seed => new("127.0.0.1", Ports[0]);

    public async ValueTask InitializeAsync()
    {
        Ports = await AllFreeAsync(PreferredPorts) ? PreferredPorts : await FreePortsAsync();
        foreach (var port in Ports)
        {
            var text = port.ToString(CultureInfo.InvariantCulture);
            _servers.Add(await RedisServer.StartAsync(["--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{text}.conf"], port));
        }

        using var create = Start("redis-cli",
            ["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-yes"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await create.WaitForExitAsync(timeout.Token);
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed with exit code {create.ExitCode}");
        }

        // Every node must agree the cluster is up before a test asks any of them: at most 100 tries, 10 s.
        foreach (var port in Ports)
        {
            await using var connection = await RespConnection.ConnectAsync("127.0.0.1", port);
            for (var attempt = 0; ; attempt++)
            {
                var info = (await connection.ExecuteAsync("CLUSTER", "INFO")).Text ?? "";
                if (info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    break;
                }

                if (attempt == 100)
                {
                    throw new InvalidOperationException($"the Redis Cluster node on {port} never reported cluster_state:ok");
                }

                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="slot"/> in the middle of a migration from <paramref name="source"/> to
    /// <paramref name="target"/> (MIGRATING on one, IMPORTING on the other) until the result is disposed, so keys of
    /// the slot that are not on the source get ASK redirects.
    /// </summary>
    public static async Task<IAsyncDisposable> MigratingAsync(int slot, ClusterNode source, ClusterNode target)
    {
        var from = await RespConnection.ConnectAsync(source.Host, source.Port);
        var to = await RespConnection.ConnectAsync(target.Host, target.Port);
        var slotText = slot.ToString(CultureInfo.InvariantCulture);
        var sourceId = (await from.ExecuteAsync("CLUSTER", "MYID")).Text!;
        var targetId = (await to.ExecuteAsync("CLUSTER", "MYID")).Text!;
        Expect("+OK", await to.ExecuteAsync("CLUSTER", "SETSLOT", slotText, "IMPORTING", sourceId));
        Expect("+OK", await from.ExecuteAsync("CLUSTER", "SETSLOT", slotText, "MIGRATING", targetId));
        return new Migration(from, to, slotText);
    }

    private static void Expect(string expected, RespReply reply)
    {
        if (reply.ToString() != expected)
        {
            throw new InvalidOperationException($"expected {expected}, got {reply}");
        }
    }

    private sealed class Migration(RespConnection from, RespConnection to, string slot) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await from.ExecuteAsync("CLUSTER", "SETSLOT", slot, "STABLE");
            await to.ExecuteAsync("CLUSTER", "SETSLOT", slot, "STABLE");
            await from.DisposeAsync();
            await to.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _servers.Clear();
    }

    private static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{program} is not installed (test.sh installs Debian's redis-server and redis-tools): {e.Message}", e);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<bool> AllFreeAsync(IEnumerable<int> ports)
    {
        foreach (var port in ports)
        {
            if (await IsListeningAsync(port) || await IsListeningAsync(port + 10000))
            {
                return false;
            }
        }

        return true;
    }

    // Three free ports whose bus ports (+10000) are free too: at most 100 tries.
    private static async Task<int[]> FreePortsAsync()
    {
        var ports = new List<int>();
        for (var attempt = 0; attempt < 100 && ports.Count < 3; attempt++)
        {
            var port = RedisServerProcess.FreePort();
            if (port + 10000 <= 65535 && !ports.Contains(port) && await AllFreeAsync([port]))
            {
                ports.Add(port);
            }
        }

        return ports.Count == 3 ? [.. ports] : throw new InvalidOperationException("no free ports for the test Redis Cluster");
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

[CollectionDefinition("Redis Cluster")]
public sealed class RedisClusterCollection : ICollectionFixture<RedisCluster>;
