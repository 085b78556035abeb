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
        var session = new ClientSession(server.Clients.NextId(), connection.RemoteEndPoint, connection.LocalEndPoint, server.Store.Now);
        session.Kill = () =>
        {
            session.CloseAfterReply = true;
            connection.Transport.Input.CancelPendingRead();
        };
        session.Abort = () => connection.Abort(new ConnectionAbortedException("closed by the server"));
        ApplyKeepAlive(connection, server.Config.Clients.TcpKeepAlive);
        using var request = new RespRequest(server.Limits)
        {
            BufferedFrameLimit = BufferedFrameLimit,
            // Room for an entry's header before a large value, so SET keeps the value's array as the entry.
            LargeArgumentHeadroom = Core.Storage.KeyValueStore.ValueOffset(0),
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
            Log.ConnectionFault(logger, ex, connection.ConnectionId);
        }
        finally
        {
            server.Clients.Remove(session);
            Log.ClientDisconnected(logger, connection.ConnectionId, session.Id);
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
