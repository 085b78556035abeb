using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// Protected mode, decided by the connection handler from the client's address: the handler runs over in-memory
/// pipes with a connection claiming to come from another machine (no test may reach beyond loopback), and its
/// refusal is compared with the DENIED text inside the redis-server 7.0.15 binary itself.
/// </summary>
public sealed class ProtectedModeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ARemoteClientWithoutAPasswordSetGetsRedisDeniedTextAndIsClosed()
    {
        var server = NewServer(new PepperCacheOptions());
        var (connection, toClient, running) = Connect(server, IPAddress.Parse("10.1.2.3"));

        var reply = await RefusalAsync(connection, toClient, running);

        Assert.Equal(RedisDeniedText(), reply);
        Assert.StartsWith("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user.", Encoding.ASCII.GetString(reply), StringComparison.Ordinal);
        Assert.Equal(0, server.Clients.ConnectedCount);
        Assert.Equal(1, server.Acl.RejectedConnections);
        await connection.DisposeAsync();
    }

    [Theory]
    [InlineData("10.0.0.7")]
    [InlineData("192.168.1.20")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:10.0.0.1")]
    public async Task EveryAddressOutsideLoopbackIsRefused(string address)
    {
        var server = NewServer(new PepperCacheOptions());
        var (connection, toClient, running) = Connect(server, IPAddress.Parse(address));

        Assert.Equal(RedisDeniedText(), await RefusalAsync(connection, toClient, running));
        await connection.DisposeAsync();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData(null)]
    public async Task LoopbackAndNonIpClientsAreServed(string? address)
    {
        var server = NewServer(new PepperCacheOptions());
        var (connection, toClient, running) = Connect(server, address is null ? null : IPAddress.Parse(address));

        Assert.Equal("+PONG\r\n", await ExchangeAsync(connection, toClient, "PING\r\n", 7));
        connection.Abort();
        await running.WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task APasswordLetsRemoteClientsInToAuthenticate()
    {
        var server = NewServer(new PepperCacheOptions { RequirePass = "secret" });
        var (connection, toClient, running) = Connect(server, IPAddress.Parse("10.1.2.3"));

        Assert.Equal("-NOAUTH Authentication required.\r\n", await ExchangeAsync(connection, toClient, "PING\r\n", 34));
        Assert.Equal("+OK\r\n", await ExchangeAsync(connection, toClient, "AUTH secret\r\n", 5));
        Assert.Equal("+PONG\r\n", await ExchangeAsync(connection, toClient, "PING\r\n", 7));
        connection.Abort();
        await running.WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ProtectedModeNoServesRemoteClients()
    {
        var server = NewServer(new PepperCacheOptions { ProtectedMode = "no" });
        var (connection, toClient, running) = Connect(server, IPAddress.Parse("10.1.2.3"));

        Assert.Equal("+PONG\r\n", await ExchangeAsync(connection, toClient, "PING\r\n", 7));
        connection.Abort();
        await running.WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ConfigSetFromLoopbackDecidesForTheNextRemoteConnection()
    {
        var server = NewServer(new PepperCacheOptions());
        var (local, toLocal, localRunning) = Connect(server, IPAddress.Loopback);

        Assert.Equal("+OK\r\n", await ExchangeAsync(local, toLocal, "CONFIG SET protected-mode no\r\n", 5));
        var (remote, toRemote, remoteRunning) = Connect(server, IPAddress.Parse("10.1.2.3"));
        Assert.Equal("+PONG\r\n", await ExchangeAsync(remote, toRemote, "PING\r\n", 7));

        Assert.Equal("+OK\r\n", await ExchangeAsync(local, toLocal, "CONFIG SET protected-mode yes\r\n", 5));
        var (refused, toRefused, refusedRunning) = Connect(server, IPAddress.Parse("10.1.2.4"));
        Assert.Equal(RedisDeniedText(), await RefusalAsync(refused, toRefused, refusedRunning));

        // A password, set at run time, opens the door again (as Redis: protected mode needs a nopass default user).
        Assert.Equal("+OK\r\n", await ExchangeAsync(local, toLocal, "CONFIG SET requirepass secret\r\n", 5));
        var (withPassword, toWithPassword, withPasswordRunning) = Connect(server, IPAddress.Parse("10.1.2.5"));
        Assert.Equal("-NOAUTH Authentication required.\r\n", await ExchangeAsync(withPassword, toWithPassword, "PING\r\n", 34));

        foreach (var connection in new[] { local, remote, refused, withPassword })
        {
            connection.Abort();
        }

        await Task.WhenAll(localRunning, remoteRunning, refusedRunning, withPasswordRunning).WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    /// <summary>The DENIED message as compiled into /usr/bin/redis-server (7.0.15), CR LF included.</summary>
    private static byte[] RedisDeniedText()
    {
        var binary = File.ReadAllBytes("/usr/bin/redis-server");
        var start = binary.AsSpan().IndexOf("-DENIED Redis is running in protected mode"u8);
        Assert.True(start >= 0, "redis-server holds no DENIED text");
        var length = binary.AsSpan(start).IndexOf("\r\n"u8) + 2;
        return binary.AsSpan(start, length).ToArray();
    }

    private static ServerState NewServer(PepperCacheOptions options) => new(
        new KeyValueStore(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56))),
        Options.Create(options),
        new ClientRegistry(),
        new CommandDispatcher(CommandTable.CreateDefault()));

    /// <summary>A connection from <paramref name="remote"/>, served by a handler until it ends.</summary>
    private static (DefaultConnectionContext Connection, PipeReader ToClient, Task Running) Connect(ServerState server, IPAddress? remote)
    {
        var toServer = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var connection = new DefaultConnectionContext("protected-mode-test", new DuplexPipe(toServer.Reader, toClient.Writer), new DuplexPipe(toClient.Reader, toServer.Writer))
        {
            RemoteEndPoint = remote is null ? null : new IPEndPoint(remote, 50000),
            LocalEndPoint = new IPEndPoint(IPAddress.Any, 9004),
        };
        var running = Task.Run(() => new RespConnectionHandler(server, NullLogger<RespConnectionHandler>.Instance).OnConnectedAsync(connection));
        return (connection, toClient.Reader, running);
    }

    private static async Task<string> ExchangeAsync(DefaultConnectionContext connection, PipeReader toClient, string request, int replyLength)
    {
        await connection.Application!.Output.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Bound);
        while (true)
        {
            var result = await toClient.ReadAsync(timeout.Token);
            if (result.Buffer.Length >= replyLength || result.IsCompleted)
            {
                var take = result.Buffer.Slice(0, Math.Min(replyLength, result.Buffer.Length));
                var text = Encoding.ASCII.GetString(take);
                toClient.AdvanceTo(take.End);
                return text;
            }

            toClient.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>
    /// Everything the handler wrote, once it has returned without waiting for a command (Kestrel then closes the
    /// socket; here the test completes the output in its place).
    /// </summary>
    private static async Task<byte[]> RefusalAsync(DefaultConnectionContext connection, PipeReader toClient, Task running)
    {
        await running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        await connection.Transport.Output.CompleteAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Bound);
        while (true)
        {
            var result = await toClient.ReadAsync(timeout.Token);
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                toClient.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            toClient.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
