using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A real 3-master Redis Cluster (redis-server 7.0.15, created with <c>redis-cli --cluster create</c>) on free
/// loopback ports whose bus ports (+10000) are free too, for comparing CLUSTER replies with a node's. Ended with it.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private readonly List<RedisServer> _servers = [];

    public IReadOnlyList<IPEndPoint> EndPoints => [.. _servers.Select(s => s.EndPoint)];

    public async ValueTask InitializeAsync()
    {
        for (var attempt = 0; attempt < 100 && _servers.Count < 3; attempt++)
        {
            var port = RedisServer.FreePort();
            if (port + 10000 > 65535 || !IsFree(port + 10000))
            {
                continue;
            }

            var text = port.ToString(CultureInfo.InvariantCulture);
            _servers.Add(await RedisServer.StartAsync(["--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{text}.conf"], port));
        }

        Assert.True(_servers.Count == 3, "no three free ports with free bus ports for the Redis Cluster");
        var create = await ToolProcess.RunAsync(
            "redis-cli", ["--cluster", "create", .. _servers.Select(s => $"127.0.0.1:{s.Port}"), "--cluster-yes"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(create.ExitCode == 0, "redis-cli --cluster create failed: " + create.Output + create.Error);

        // Every node must say the cluster is up before a test asks it: at most 100 tries, 10 s each node.
        foreach (var server in _servers)
        {
            await using var socket = await RespSocket.ConnectAsync(server.EndPoint);
            for (var attempt = 0; !(await socket.CommandAsync("CLUSTER", "INFO")).Text.Contains("cluster_state:ok", StringComparison.Ordinal); attempt++)
            {
                Assert.True(attempt < 100, $"the Redis Cluster node on {server.Port} never reported cluster_state:ok");
                await Task.Delay(100);
            }
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

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
