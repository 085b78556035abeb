using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using PepperCache.Protocol;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Resp;

/// <summary>
/// Serves one RESP connection: parse every complete command in the buffer, run each, write replies into the
/// output pipe, then advance the input once and flush once per batch, so a pipelining client gets one flush.
/// </summary>
internal sealed class RespConnectionHandler(ServerState server, ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
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
        };
        session.Kill = () =>
        {
            session.CloseAfterReply = true;
            connection.Transport.Input.CancelPendingRead();
        };
        using var request = new RespRequest(server.Limits);
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

    // No cancellation token on ReadAsync/FlushAsync: a closed transport completes both pipes, and an abort, a close
    // request or CLIENT KILL cancels the pending read, so a token would only add a registration per pending read.
    private async Task ServeAsync(IDuplexPipe transport, CommandContext context)
    {
        var input = transport.Input;
        var output = transport.Output;
        long bytesNeeded = 0;
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var replied = false;
            string? protocolError = null;

            if (buffer.Length >= bytesNeeded)
            {
                try
                {
                    replied = ExecuteAll(buffer, context, out consumed, out bytesNeeded);
                    while (context.SlotWait is { } slotWait)
                    {
                        // The slot's keys are moving. Flush the replies so far, wait without a thread, then run the
                        // rest of the buffer again from the held-back command (which may now be redirected to the
                        // new owner). The buffer stays valid: nothing is advanced until the batch is done.
                        context.SlotWait = null;
                        if (replied)
                        {
                            replied = false;
                            // As below: under appendfsync always no reply leaves before its record is fsync'd.
                            await context.Aof.WaitDurableAsync().ConfigureAwait(false);
                            if ((await output.FlushAsync().ConfigureAwait(false)).IsCompleted)
                            {
                                input.AdvanceTo(consumed, buffer.End);
                                return;
                            }
                        }

                        await slotWait.ConfigureAwait(false);
                        replied = ExecuteAll(buffer.Slice(consumed), context, out consumed, out bytesNeeded);
                    }
                }
                catch (RespProtocolException ex)
                {
                    protocolError = ex.Message;
                }
            }

            if (protocolError is not null)
            {
                Log.ProtocolError(logger, context.Client.Id, protocolError);
                // Latin-1: the message may quote one raw input byte (expected '$', got 'X'), which Redis echoes as is.
                output.WriteError(Encoding.Latin1.GetBytes("ERR Protocol error: " + protocolError));
                await context.Aof.WaitDurableAsync().ConfigureAwait(false);
                await output.FlushAsync().ConfigureAwait(false);
                return;
            }

            var queryLimit = context.Request.Limits.MaxQueryBufferLength;
            if (buffer.Length > queryLimit && buffer.Slice(consumed).Length > queryLimit)
            {
                // As Redis: no reply, the client is closed and the event logged.
                Log.QueryBufferLimit(logger, context.Client.Id, queryLimit);
                return;
            }

            input.AdvanceTo(consumed, buffer.End);
            if (replied)
            {
                // appendfsync always: the replies wait until the batch's records are fsync'd (shared with others).
                await context.Aof.WaitDurableAsync().ConfigureAwait(false);
                var flush = await output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    return;
                }
            }

            if (context.Client.CloseAfterReply || result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Runs every whole command in <paramref name="buffer"/>; returns whether any reply was written.</summary>
    private static bool ExecuteAll(in ReadOnlySequence<byte> buffer, CommandContext context, out SequencePosition consumed, out long bytesNeeded)
    {
        var reader = new SequenceReader<byte>(buffer);
        var request = context.Request;
        // The limits in force now: CONFIG SET proto-max-bulk-len on any connection replaces them.
        request.Limits = context.Server.Limits;
        var dispatcher = context.Server.Dispatcher;
        var executed = false;
        var client = context.Client;
        consumed = reader.Position;
        client.EnterBatch();
        try
        {
            while (RespParser.TryReadCommand(ref reader, request))
            {
                dispatcher.Execute(context);
                if (context.SlotWait is not null)
                {
                    // Held back for a slot migration: leave it in the buffer, to be parsed again after the wait.
                    break;
                }

                executed = true;
                consumed = reader.Position;
                if (client.CloseAfterReply)
                {
                    break;
                }
            }
        }
        finally
        {
            client.ExitBatch();
        }

        if (context.SlotWait is null)
        {
            consumed = reader.Position;
        }

        bytesNeeded = client.CloseAfterReply || context.SlotWait is not null ? 0 : request.BytesNeeded;

        if (executed)
        {
            client.LastCommandAt = context.Server.Store.Now;
        }

        return executed;
    }
}
