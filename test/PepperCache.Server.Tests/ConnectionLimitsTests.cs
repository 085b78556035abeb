using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging.Abstractions;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The handler's limits over in-memory pipes (<see cref="HandlerHarness"/>): maxclients, a client that does not read
/// its replies, output buffer limits, the idle timeout (on a fake clock), big commands taken out of the input pipe,
/// and TCP keepalive on the accepted socket.
/// </summary>
public sealed class ConnectionLimitsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClientPastMaxclientsGetsRedisErrorAndIsClosed()
    {
        await using var first = new HandlerHarness(manualInput: false);
        first.Server.Config.Clients.MaxClients = 1;
        _ = first.Running;
        await first.SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await first.ReadAsync(7));

        await using var second = new HandlerHarness(manualInput: false, first.Server);
        await second.Running.WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal("-ERR max number of clients reached\r\n", await second.ReadAsync(100));
        Assert.Equal(1, first.Server.Clients.RejectedConnections);
        Assert.Equal(1, first.Server.Clients.ConnectedCount);

        // A place freed is a place taken again.
        first.Connection.Abort();
        await first.Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        await using var third = new HandlerHarness(manualInput: false, first.Server);
        _ = third.Running;
        await third.SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await third.ReadAsync(7));
    }

    [Fact]
    public async Task ClientThatDoesNotReadItsRepliesMakesTheNodeHoldOnlyAFewOfThem()
    {
        await using var harness = new HandlerHarness(manualInput: false);
        harness.Server.Store.Set("k"u8, new byte[1000]);
        _ = harness.Running;
        const int count = 20_000;
        var pipeline = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET k\r\n", count)));
        var reply = $"$1000\r\n{new string('\0', 1000)}\r\n";

        // 140 KB of requests, 20 MB of replies. The handler stops at each 64 KB of replies to flush, and the flush
        // waits for a reader that does not come.
        var sending = harness.SendWithoutWaitingAsync(pipeline);

        var client = Assert.Single(harness.Server.Clients.Sessions);
        Assert.InRange(client.CommandsProcessed, 1, count / 10);
        Assert.InRange(harness.PendingReplyBytes(), RespConnectionHandler.FlushThreshold, 4 * RespConnectionHandler.FlushThreshold);

        // Reading lets it go on, in order, to the last reply.
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(reply, await harness.ReadAsync(reply.Length));
        }

        await sending;
        Assert.Equal(count, client.CommandsProcessed);
    }

    [Fact]
    public async Task RepliesPastTheHardLimitCloseTheClientWithoutSendingThem()
    {
        await using var harness = new HandlerHarness(manualInput: false);
        harness.Server.Config.Clients.OutputBuffer = Parse("normal 10kb 0 0");
        harness.Server.Store.Set("k"u8, new byte[1000]);
        _ = harness.Running;
        await harness.SendAsync("GET k\r\n");
        Assert.Equal(1009, (await harness.ReadBytesAsync(1009)).Length);

        // 50 KB of replies: past the 16 KB Redis does not count, 34 KB, over the 10 KB limit.
        await harness.SendAsync(string.Concat(Enumerable.Repeat("GET k\r\n", 50)));

        await harness.Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(1009, harness.ServerOutput.FlushedBytes);
        Assert.Equal(1, harness.Server.Clients.OutputBufferDisconnections);
        Assert.Equal(0, harness.Server.Clients.ConnectedCount);
    }

    [Fact]
    public async Task RepliesOverTheSoftLimitForItsSecondsCloseAClientThatDoesNotRead()
    {
        await using var harness = new HandlerHarness(manualInput: false);
        harness.Server.Config.Clients.OutputBuffer = Parse("normal 0 10kb 2");
        harness.Server.Store.Set("k"u8, new byte[1000]);
        var cron = new ClientLimitsService(harness.Server, null, harness.Clock, NullLogger<ClientLimitsService>.Instance);
        _ = harness.Running;

        var sending = harness.SendWithoutWaitingAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET k\r\n", 500)))).AsTask();
        var client = Assert.Single(harness.Server.Clients.Sessions);
        Assert.True(client.OutputSoftLimitSince > 0);

        // Redis's rule: over the soft limit for more than its seconds, measured from when it was first seen.
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, cron.Sweep());
        harness.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, cron.Sweep());

        await harness.Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(1, harness.Server.Clients.OutputBufferDisconnections);
    }

    [Fact]
    public async Task IdleClientIsClosedAfterTheTimeout()
    {
        await using var harness = new HandlerHarness(manualInput: false);
        harness.Server.Config.Clients.Timeout = 10;
        var cron = new ClientLimitsService(harness.Server, null, harness.Clock, NullLogger<ClientLimitsService>.Instance);
        _ = harness.Running;
        await harness.SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await harness.ReadAsync(7));

        harness.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, cron.Sweep());
        await harness.SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await harness.ReadAsync(7));

        harness.Clock.Advance(TimeSpan.FromSeconds(10.001));
        Assert.Equal(1, cron.Sweep());
        await harness.Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(0, harness.Server.Clients.ConnectedCount);
    }

    [Fact]
    public async Task CommandBiggerThanTheInputPipeIsTakenAsItArrives()
    {
        // The input pipe pauses at 1 MB as Kestrel's does for the node: a 5 MB SET that had to sit there whole would
        // block the sender forever. Sent in 64 KB writes, each waiting until the handler has made room.
        await using var harness = new HandlerHarness(manualInput: false);
        _ = harness.Running;
        var value = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(value);
        byte[] frame = [.. Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${value.Length}\r\n"), .. value, .. "\r\n"u8];

        for (var offset = 0; offset < frame.Length; offset += 65536)
        {
            var chunk = frame.AsMemory(offset, Math.Min(65536, frame.Length - offset));
            var flush = harness.ToServer.Writer.WriteAsync(chunk, TestContext.Current.CancellationToken);
            Assert.True(flush.IsCompleted, $"the input pipe filled up at byte {offset}");
            await flush;
        }

        Assert.Equal("+OK\r\n", await harness.ReadAsync(5));
        Assert.True(harness.Server.Store.TryGet("big"u8, out var stored));
        Assert.True(stored.Span.SequenceEqual(value));
    }

    [Fact]
    public void KeepaliveIsSetOnTheAcceptedSocketAsRedisSetsIt()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        var connection = new DefaultConnectionContext();
        connection.Features.Set<IConnectionSocketFeature>(new SocketFeature(accepted));

        RespConnectionHandler.ApplyKeepAlive(connection, 300);

        Assert.Equal(1, (int)accepted.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        Assert.Equal(300, (int)accepted.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
        Assert.Equal(100, (int)accepted.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!);
        Assert.Equal(3, (int)accepted.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!);

    }

    private static OutputBufferLimits Parse(string text)
    {
        Assert.Null(OutputBufferLimits.TryParse(text, OutputBufferLimits.Default, out var limits));
        return limits;
    }

    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket { get; } = socket;
    }
}
