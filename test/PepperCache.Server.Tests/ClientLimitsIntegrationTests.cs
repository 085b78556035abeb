using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>
/// maxclients, timeout, tcp-keepalive and client-output-buffer-limit on a node and on redis-server 7.0.15 side by
/// side: the same CONFIG replies and errors byte for byte, the same refusal at maxclients, the same keepalive timer on
/// the accepted socket (read from /proc/net/tcp), idle clients closed by both.
/// </summary>
public sealed class ClientLimitsIntegrationTests(NodeFixture node, RedisServerProcess redis)
    : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>
{
    private const string ConfigScript = """
        CONFIG GET client-output-buffer-limit
        CONFIG SET client-output-buffer-limit "normal 1mb 2mb 3"
        CONFIG GET client-output-buffer-limit
        CONFIG SET client-output-buffer-limit "replica 1mb 2mb 3"
        CONFIG SET client-output-buffer-limit "SLAVE 1 2 3"
        CONFIG SET client-output-buffer-limit "pubsub 1k 2KB 10"
        CONFIG GET client-output-buffer-limit
        CONFIG SET client-output-buffer-limit "normal 5 6 7 pubsub 1 2 3 normal 8 9 +10"
        CONFIG GET client-output-buffer-limit
        CONFIG SET client-output-buffer-limit "normal 1 2 99999999999"
        CONFIG GET client-output-buffer-limit
        CONFIG SET client-output-buffer-limit ""
        CONFIG SET client-output-buffer-limit "normal 1 2"
        CONFIG SET client-output-buffer-limit "normal  1 2 3"
        CONFIG SET client-output-buffer-limit "foo 1 2 3"
        CONFIG SET client-output-buffer-limit "master 1 2 3"
        CONFIG SET client-output-buffer-limit "normal x 2 3"
        CONFIG SET client-output-buffer-limit "normal +5 2 3"
        CONFIG SET client-output-buffer-limit "normal -1 2 3"
        CONFIG SET client-output-buffer-limit "normal 1 2 -3"
        CONFIG SET client-output-buffer-limit "normal 1 2 0x10"
        CONFIG SET client-output-buffer-limit "normal 1.5k 2 3"
        CONFIG SET client-output-buffer-limit "normal 1 2 9999999999999999999999"
        CONFIG GET client-output-buffer-limit
        CONFIG SET client-output-buffer-limit "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60"
        CONFIG GET client-output-buffer-limit
        CONFIG SET maxclients 0
        CONFIG SET maxclients abc
        CONFIG SET maxclients 4294967296
        CONFIG GET tcp-keepalive
        CONFIG SET tcp-keepalive 100
        CONFIG GET tcp-keepalive
        CONFIG SET tcp-keepalive -1
        CONFIG SET tcp-keepalive 300
        CONFIG SET timeout abc
        CONFIG GET timeout
        """;

    [Fact]
    public async Task ConfigRepliesAndErrorsAreRedis()
        => await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, ConfigScript);

    [Fact]
    public async Task ClientPastMaxclientsIsToldSoAndClosedAsByRedis()
    {
        foreach (var server in new[] { redis.EndPoint, node.App.RespEndPoint })
        {
            await using var admin = await RawRespClient.ConnectAsync(server);
            var before = RejectedConnections(Assert.IsType<string>(await admin.CommandAsync("INFO", "stats")));
            await admin.AssertReplyAsync(Encode("CONFIG", "SET", "maxclients", "1"), "+OK\r\n");
            try
            {
                await using var refused = await RawRespClient.ConnectAsync(server);
                Assert.Equal("-ERR max number of clients reached\r\n", await refused.ReadUntilClosedAsync());
                Assert.Equal(before + 1, RejectedConnections(Assert.IsType<string>(await admin.CommandAsync("INFO", "stats"))));
            }
            finally
            {
                await admin.AssertReplyAsync(Encode("CONFIG", "SET", "maxclients", "10000"), "+OK\r\n");
            }

            await using var admitted = await RawRespClient.ConnectAsync(server);
            await admitted.AssertReplyAsync(Encode("PING"), "+PONG\r\n");
        }
    }

    [Fact]
    public async Task AcceptedSocketsGetTheKeepaliveTimerRedisGivesThem()
    {
        foreach (var server in new[] { redis.EndPoint, node.App.RespEndPoint })
        {
            await using var admin = await RawRespClient.ConnectAsync(server);
            using var probed = await ConnectAsync(server);
            // /proc/net/tcp: timer 02 is keepalive, due in hundredths of a second: 300 s, less the moment since accept.
            var (timer, due) = ServerSideTimer(server, (IPEndPoint)probed.LocalEndPoint!);
            Assert.Equal(2, timer);
            Assert.InRange(due, 29_000, 30_000);

            await admin.AssertReplyAsync(Encode("CONFIG", "SET", "tcp-keepalive", "0"), "+OK\r\n");
            try
            {
                using var plain = await ConnectAsync(server);
                Assert.Equal(0, ServerSideTimer(server, (IPEndPoint)plain.LocalEndPoint!).Timer);
            }
            finally
            {
                await admin.AssertReplyAsync(Encode("CONFIG", "SET", "tcp-keepalive", "300"), "+OK\r\n");
            }
        }
    }

    [Fact]
    public async Task IdleClientIsClosedWithoutAReplyAsByRedis()
    {
        foreach (var server in new[] { redis.EndPoint, node.App.RespEndPoint })
        {
            // Each setting from a new connection: an idle one of the test's own would be closed too.
            await SetAsync(server, "timeout", "1");
            try
            {
                await using var idle = await RawRespClient.ConnectAsync(server);
                await idle.AssertReplyAsync(Encode("PING"), "+PONG\r\n");
                // Bounded by the client's 10 s read timeout; Redis closes after more than a second of silence.
                Assert.Equal("", await idle.ReadUntilClosedAsync());
            }
            finally
            {
                await SetAsync(server, "timeout", "0");
            }
        }
    }

    private static async Task SetAsync(IPEndPoint server, string name, string value)
    {
        await using var client = await RawRespClient.ConnectAsync(server);
        await client.AssertReplyAsync(Encode("CONFIG", "SET", name, value), "+OK\r\n");
    }

    private static long RejectedConnections(string info) =>
        long.Parse(info.Split("\r\n").Single(l => l.StartsWith("rejected_connections:", StringComparison.Ordinal))[21..], CultureInfo.InvariantCulture);

    private static async Task<Socket> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, TestContext.Current.CancellationToken);
        // The server applies keepalive once it has accepted; a round trip makes sure it has.
        await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, TestContext.Current.CancellationToken);
        await socket.ReceiveAsync(new byte[7], SocketFlags.None, TestContext.Current.CancellationToken);
        return socket;
    }

    /// <summary>The timer kind and due time of the server's end of the connection from <paramref name="client"/>.</summary>
    private static (int Timer, long Due) ServerSideTimer(IPEndPoint server, IPEndPoint client)
    {
        var local = $"0100007F:{server.Port:X4}";
        var remote = $"0100007F:{client.Port:X4}";
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] == local && fields[2] == remote)
            {
                var timer = fields[5].Split(':');
                return (int.Parse(timer[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                        long.Parse(timer[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"no server-side socket {local} -> {remote} in /proc/net/tcp");
    }
}
