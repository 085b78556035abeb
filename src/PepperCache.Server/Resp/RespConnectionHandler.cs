using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using PepperCache.Protocol;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Resp;

/// <summary>
/// Serves one RESP connection: parse every complete command in the buffer, run each, write replies into the
/// output pipe, then advance the input once and flush once per batch, so a pipelining client gets one flush.
/// </summary>
internal sealed partial class RespConnectionHandler(ServerState server, ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    /// <summary>
    /// The most the transport buffers from one client before it stops reading its socket (Kestrel's input pipe
    /// pauses there). Commands bigger than <see cref="BufferedFrameLimit"/> are taken out of the pipe as they arrive,
    /// so a whole command never has to fit; a client that sends without reading its replies stops here.
    /// </summary>
    internal const long MaxReadBufferSize = 1024 * 1024;

    /// <summary>Largest incomplete command left in the input pipe (<see cref="RespRequest.BufferedFrameLimit"/>); below <see cref="MaxReadBufferSize"/>.</summary>
    internal const int BufferedFrameLimit = 256 * 1024;

    // Warnings a client can cause at will (a connection that fails, one that floods its query buffer): at most 10 of
    // each a minute, then one line with how many more there were.
    private readonly LogRateLimiter _faultLog = new(logger, "connection failure", 10, TimeSpan.FromMinutes(1), server.Store.TimeProvider);
    private readonly LogRateLimiter _queryLimitLog = new(logger, "query buffer limit", 10, TimeSpan.FromMinutes(1), server.Store.TimeProvider);
    private readonly LogRateLimiter _outputLimitLog = OutputLimitLog(logger, server.Store.TimeProvider);

    private static readonly byte[] MaxClientsReached = "-ERR max number of clients reached\r\n"u8.ToArray();

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        if (!server.Clients.TryAdmit(server.Config.Clients.Admissible))
        {
            await RejectAsync(connection).ConfigureAwait(false);
            return;
        }

        try
        {
            await ServeConnectionAsync(connection).ConfigureAwait(false);
        }
        finally
        {
            server.Clients.Release();
        }
    }

    /// <summary>As Redis: the error, best effort, then the connection closes (Kestrel closes it when this returns).</summary>
    private static async Task RejectAsync(ConnectionContext connection)
    {
        try
        {
            await connection.Transport.Output.WriteAsync(MaxClientsReached).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or OperationCanceledException or IOException)
        {
            // The client is gone already.
        }
    }

    private async Task ServeConnectionAsync(ConnectionContext connection)
    {
        // After the client count, as Redis: a refused client counted against maxclients until it is closed.
        if (server.Acl.RefusesConnection(IsLoopback(connection.RemoteEndPoint)))
        {
            await RefuseAsync(connection).ConfigureAwait(false);
            return;
        }

        var session = new ClientSession(server.Clients.NextId(), connection.RemoteEndPoint, connection.LocalEndPoint, server.Store.Now)
        {
            // As Redis: the default user, authenticated from the start when it needs no password at this moment.
            User = server.Acl.DefaultUser,
            Authenticated = !server.Acl.AuthRequired,
            Tls = connection.Features.Get<ITlsHandshakeFeature>() is not null,
            FileDescriptor = FileDescriptorOf(connection),
        };
        session.Kill = () =>
        {
            session.CloseAfterReply = true;
            connection.Transport.Input.CancelPendingRead();
            // A blocked client is not reading: it is woken to close.
            session.Blocking?.Close();
        };
        session.ConnectionClosed = connection.ConnectionClosed;
        session.Abort = () => connection.Abort(new ConnectionAbortedException("closed by the server"));
        ApplyKeepAlive(connection, server.Config.Clients.TcpKeepAlive);
        using var request = new RespRequest(server.Limits)
        {
            BufferedFrameLimit = BufferedFrameLimit,
            // Room for an entry's header before a large value, so SET keeps the value's array as the entry.
            LargeArgumentHeadroom = Core.Storage.KeyValueStore.ValueOffset(0),
            LargeArgumentArrays = Core.Storage.KeyValueStore.NewEntryArray,
            LargeArgumentReturn = Core.Storage.KeyValueStore.ReturnArgumentArray,
        };
        var context = new CommandContext(server, session, request) { Output = connection.Transport.Output };
        server.Clients.Add(session);
        Log.ClientConnected(logger, connection.ConnectionId, session.Id, session.RemoteAddress);

        // Kestrel asks every connection to close when the host stops. Waking the pending read lets the loop
        // answer what is already buffered and return, so an idle client does not hold shutdown for its timeout.
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
        using var closeRegistration = closeRequested.UnsafeRegister(
            static state => ((PipeReader)state!).CancelPendingRead(), connection.Transport.Input);
        // An abort wakes the read the same way; registered once here rather than passed to every ReadAsync.
        using var abortRegistration = connection.ConnectionClosed.UnsafeRegister(
            static state => ((PipeReader)state!).CancelPendingRead(), connection.Transport.Input);
        try
        {
            await ServeAsync(connection.Transport, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionResetException or OperationCanceledException or ConnectionAbortedException)
        {
            // The client went away mid-read or mid-write: a normal end of a connection.
        }
        catch (Exception ex)
        {
            if (_faultLog.ShouldLog())
            {
                Log.ConnectionFault(logger, ex, connection.ConnectionId);
            }
        }
        finally
        {
            if (session.Monitor is { } monitor)
            {
                server.Monitors.Remove(monitor);
            }

            server.Clients.Remove(session);
            Log.ClientDisconnected(logger, connection.ConnectionId, session.Id);
        }
    }

    /// <summary>
    /// Redis's protected mode: a client from another machine while the default user has no password gets the DENIED
    /// explanation, word for word as Redis 7.0 sends it, and is closed before any command is read.
    /// </summary>
    private async Task RefuseAsync(ConnectionContext connection)
    {
        Log.ProtectedModeRefused(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString() ?? "?");
        try
        {
            await connection.Transport.Output.WriteAsync(ProtectedModeDenied.ToArray()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionResetException or OperationCanceledException or ConnectionAbortedException or InvalidOperationException)
        {
            // Gone already: nothing to explain to.
        }
    }

    /// <summary>Loopback (127.0.0.0/8, ::1, or those mapped into IPv6), or not an IP connection at all (a Unix socket or a test pipe).</summary>
    internal static bool IsLoopback(System.Net.EndPoint? remote) => remote switch
    {
        System.Net.IPEndPoint ip => System.Net.IPAddress.IsLoopback(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address),
        _ => true,
    };

    internal static ReadOnlySpan<byte> ProtectedModeDenied =>
        "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"u8;

    /// <summary>The socket's descriptor (on Linux, Socket.Handle is the fd), or -1 when the transport has no socket (TLS over a test pipe, in-memory).</summary>
    internal static long FileDescriptorOf(ConnectionContext connection)
    {
        try
        {
            return connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? (long)socket.Handle : -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Redis's anetKeepAlive: probes after <paramref name="seconds"/> idle, then every third of that, closing after
    /// three unanswered. Set on each accepted socket, so CONFIG SET tcp-keepalive applies to new clients, as in Redis.
    /// </summary>
    internal static void ApplyKeepAlive(ConnectionContext connection, long seconds)
    {
        if (seconds <= 0 || connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return;
        }

        try
        {
            var interval = (int)Math.Min(seconds, int.MaxValue);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, interval);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, interval / 3));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client left already, or the platform lacks a setting: the connection goes on without keepalive.
        }
    }
}
