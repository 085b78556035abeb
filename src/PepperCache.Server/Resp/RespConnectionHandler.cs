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
    // Warnings a client can cause at will (a connection that fails, one that floods its query buffer): at most 10 of
    // each a minute, then one line with how many more there were.
    private readonly LogRateLimiter _faultLog = new(logger, "connection failure", 10, TimeSpan.FromMinutes(1), server.Store.TimeProvider);
    private readonly LogRateLimiter _queryLimitLog = new(logger, "query buffer limit", 10, TimeSpan.FromMinutes(1), server.Store.TimeProvider);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var session = new ClientSession(server.Clients.NextId(), connection.RemoteEndPoint, connection.LocalEndPoint, server.Store.Now);
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
            if (_faultLog.ShouldLog())
            {
                Log.ConnectionFault(logger, ex, connection.ConnectionId);
            }
        }
        finally
        {
            server.Clients.Remove(session);
            Log.ClientDisconnected(logger, connection.ConnectionId, session.Id);
        }
    }

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
                            // As below: no reply leaves before its record has reached the file.
                            await context.Aof.WaitLoggedAsync().ConfigureAwait(false);
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
                context.WriteError(Encoding.Latin1.GetBytes("ERR Protocol error: " + protocolError));
                await context.Aof.WaitLoggedAsync().ConfigureAwait(false);
                await output.FlushAsync().ConfigureAwait(false);
                return;
            }

            var queryLimit = context.Request.Limits.MaxQueryBufferLength;
            if (buffer.Length > queryLimit && buffer.Slice(consumed).Length > queryLimit)
            {
                // As Redis: no reply, the client is closed and the event logged.
                if (_queryLimitLog.ShouldLog())
                {
                    Log.QueryBufferLimit(logger, context.Client.Id, queryLimit);
                }

                return;
            }

            input.AdvanceTo(consumed, buffer.End);
            if (replied)
            {
                // The replies wait until the batch's records have reached the file: written to the OS under
                // appendfsync everysec and no (a killed process loses none), fsync'd under always. The writer thread
                // does the I/O, one write for many connections; this awaits a task it completes (group commit).
                await context.Aof.WaitLoggedAsync().ConfigureAwait(false);
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
