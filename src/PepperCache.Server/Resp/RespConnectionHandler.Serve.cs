using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Resp;

/// <summary>The read-execute-flush loop of one connection.</summary>
internal sealed partial class RespConnectionHandler
{
    /// <summary>
    /// Reply bytes after which a batch stops to flush before running more commands (the transport's output, the epoll
    /// loops' or Kestrel's pipe, pauses its writer at 64 KB). A client that pipelines many commands and does not read the replies then waits in that
    /// flush, so the node holds about this much of its replies, not all of them.
    /// </summary>
    internal const int FlushThreshold = 64 * 1024;

    /// <summary>
    /// Redis's PROTO_REPLY_CHUNK_BYTES: replies first fill a 16 KB buffer of the client's own, which the output buffer
    /// limits do not count (they count the reply list past it), so a small reply never trips even a tiny limit.
    /// </summary>
    internal const int UncountedReplyBytes = 16 * 1024;

    /// <summary>Why a batch stopped.</summary>
    private enum BatchEnd
    {
        /// <summary>Every whole command in the buffer ran.</summary>
        Drained,

        /// <summary>The replies reached <see cref="FlushThreshold"/>: flush, then go on with the rest of the buffer.</summary>
        OutputFull,

        /// <summary>The replies passed the client's output buffer limit: the client is closed.</summary>
        OutputLimit,
    }

    // No cancellation token on ReadAsync/FlushAsync: a closed transport completes both pipes, and an abort, a close
    // request or CLIENT KILL cancels the pending read, so a token would only add a registration per pending read.
    private async Task ServeAsync(IDuplexPipe transport, CommandContext context)
    {
        var input = transport.Input;
        var output = transport.Output;
        var client = context.Client;
        var store = context.Server.Store;
        long bytesNeeded = 0;
        // Bytes the previous read left in the pipe (an incomplete command): counted as received already.
        long unread = 0;
        MonitorStream? monitor = null;
        while (true)
        {
            // A monitor's loop also writes the lines other connections queue for it while it waits for input.
            var result = monitor is null
                ? await input.ReadAsync().ConfigureAwait(false)
                : await monitor.ReadAsync(input, output).ConfigureAwait(false);
            var buffer = result.Buffer;
            client.NetInputBytes += buffer.Length - unread;
            var now = store.Now;
            client.LastInteraction = now;
            client.QueryBufferLength = buffer.Length;
            var consumed = buffer.Start;
            var replied = false;
            var end = BatchEnd.Drained;
            string? protocolError = null;

            if (buffer.Length >= bytesNeeded)
            {
                try
                {
                    var rerun = false;
                    replied = ExecuteAll(buffer, context, output, now, ref rerun, out consumed, out bytesNeeded, out end);
                    while ((context.SlotWait ?? context.BlockWait) is { } slotWait)
                    {
                        // The slot's keys are moving, or a blocking command waits for its keys. Flush the replies so
                        // far, wait without a thread, then run the rest of the buffer again from the held-back command
                        // (which may now be redirected to the new owner, or find its element). The buffer stays
                        // valid: nothing is advanced until the batch is done.
                        context.SlotWait = null;
                        context.BlockWait = null;
                        if (replied)
                        {
                            replied = false;
                            // As below: no reply leaves before its record has reached the file.
                            await context.Aof.WaitLoggedAsync().ConfigureAwait(false);
                            client.CountOutput(output);
                            if ((await output.FlushAsync().ConfigureAwait(false)).IsCompleted)
                            {
                                input.AdvanceTo(consumed, buffer.End);
                                return;
                            }
                        }

                        await slotWait.ConfigureAwait(false);
                        if (client.CloseAfterReply)
                        {
                            // Killed (CLIENT KILL) while held: closed without running what it waited to run, as in Redis.
                            return;
                        }

                        replied = ExecuteAll(buffer.Slice(consumed), context, output, now, ref rerun, out consumed, out bytesNeeded, out end);
                    }
                }
                catch (RespProtocolException ex)
                {
                    protocolError = ex.Message;
                }
            }

            if (protocolError is not null)
            {
                Log.ProtocolError(logger, client.Id, protocolError);
                // Latin-1: the message may quote one raw input byte (expected '$', got 'X'), which Redis echoes as is.
                context.WriteError(Encoding.Latin1.GetBytes("ERR Protocol error: " + protocolError));
                await context.Aof.WaitLoggedAsync().ConfigureAwait(false);
                client.CountOutput(output);
                await output.FlushAsync().ConfigureAwait(false);
                return;
            }

            if (end == BatchEnd.OutputLimit)
            {
                // As Redis: the replies are dropped with the client.
                CloseForOutputLimit(context.Server, client, client.OutputBufferLength, logger, _outputLimitLog);
                return;
            }

            // Unparsed bytes plus a command taken in part: Redis's query buffer, bounded by client-query-buffer-limit.
            var queryLimit = context.Request.Limits.MaxQueryBufferLength;
            var taken = context.Request.TakenBytes;
            if (buffer.Length + taken > queryLimit && buffer.Slice(consumed).Length + taken > queryLimit)
            {
                // As Redis: no reply, the client is closed and the event logged.
                if (_queryLimitLog.ShouldLog())
                {
                    Log.QueryBufferLimit(logger, client.Id, queryLimit);
                }

                context.Server.Clients.CountQueryBufferDisconnection();
                return;
            }

            // Stopped for a flush with whole commands left: examine nothing more, so the next read returns at once.
            unread = buffer.Slice(consumed).Length;
            client.QueryBufferLength = unread;
            client.PartialArgumentBytes = taken;
            input.AdvanceTo(consumed, end == BatchEnd.OutputFull ? consumed : buffer.End);
            if (replied)
            {
                // The replies wait until the batch's records have reached the file: written to the OS under
                // appendfsync everysec and no (a killed process loses none), fsync'd under always. The writer thread
                // does the I/O, one write for many connections; this awaits a task it completes (group commit).
                await context.Aof.WaitLoggedAsync().ConfigureAwait(false);
                if (await FlushAsync(output, client, store).ConfigureAwait(false))
                {
                    return;
                }
            }

            if (client.CloseAfterReply || result.IsCanceled || (result.IsCompleted && end != BatchEnd.OutputFull))
            {
                return;
            }

            // After MONITOR, and after RESET until the lines queued before it are written.
            monitor = client.Monitor ?? (monitor is { IsEmpty: false } ? monitor : null);
            if (monitor is not null)
            {
                monitor.Logger = logger;
                monitor.OutputLimitLog = _outputLimitLog;
            }
        }
    }

    /// <summary>Flushes; while a client does not read, the flush waits and the session shows what is unsent. True when the client is gone.</summary>
    private static async ValueTask<bool> FlushAsync(PipeWriter output, ClientSession client, Core.Storage.KeyValueStore store)
    {
        var unsent = output.CanGetUnflushedBytes ? output.UnflushedBytes : 0;
        if (unsent > client.ReplyPeak && client.ReplyPeak < UncountedReplyBytes)
        {
            client.ReplyPeak = Math.Min(unsent, UncountedReplyBytes);
        }

        client.NetOutputBytes += unsent;

        var flush = output.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            return flush.Result.IsCompleted;
        }

        client.OutputBufferLength = Math.Max(0, unsent - UncountedReplyBytes);
        client.PendingOutputBytes = unsent;
        client.FlushPending = true;
        var result = await flush.ConfigureAwait(false);
        client.FlushPending = false;
        client.OutputBufferLength = 0;
        client.PendingOutputBytes = 0;
        client.OutputSoftLimitSince = 0;
        client.LastInteraction = store.Now;
        // Canceled: only an abort (timeout, output limit) gets a waiting flush out early.
        return result.IsCompleted || result.IsCanceled;
    }

    /// <summary>
    /// Runs the whole commands in <paramref name="buffer"/> (first the held-back taken command when
    /// <paramref name="rerun"/>); returns whether any reply was written.
    /// </summary>
    private static bool ExecuteAll(
        in ReadOnlySequence<byte> buffer,
        CommandContext context,
        PipeWriter output,
        long now,
        ref bool rerun,
        out SequencePosition consumed,
        out long bytesNeeded,
        out BatchEnd end)
    {
        var reader = new SequenceReader<byte>(buffer);
        var request = context.Request;
        // The limits in force now: CONFIG SET proto-max-bulk-len on any connection replaces them.
        request.Limits = context.Server.Limits;
        var dispatcher = context.Server.Dispatcher;
        var limit = context.Server.Config.Clients.OutputBuffer.Normal;
        var measure = output.CanGetUnflushedBytes;
        var executed = false;
        var client = context.Client;
        consumed = reader.Position;
        end = BatchEnd.Drained;
        client.EnterBatch();
        context.ChainedTimestamp = Stopwatch.GetTimestamp();
        try
        {
            // The parser refuses big claims from a client that must AUTH first.
            request.Unauthenticated = context.MustAuthenticate;
            var next = rerun || RespParser.TryReadCommand(ref reader, request);
            rerun = false;
            while (next)
            {
                dispatcher.Execute(context);
                if (context.IsHeldBack)
                {
                    // Held back for a slot migration or blocked. A command read in place stays in the buffer, to be parsed again
                    // after the wait; one taken into the request has left the buffer, so it is run again as it is.
                    rerun = request.WasTaken;
                    break;
                }

                executed = true;
                consumed = reader.Position;
                if (client.Replies != ReplyMode.On)
                {
                    context.AfterSilencedCommand();
                }

                if (client.CloseAfterReply)
                {
                    break;
                }

                if (measure)
                {
                    var unsent = output.UnflushedBytes;
                    if (!limit.IsNone && OverOutputLimit(client, limit, unsent - UncountedReplyBytes, context.Server.Store))
                    {
                        client.OutputBufferLength = unsent - UncountedReplyBytes;
                        end = BatchEnd.OutputLimit;
                        break;
                    }

                    if (unsent >= FlushThreshold)
                    {
                        end = BatchEnd.OutputFull;
                        break;
                    }
                }

                request.Unauthenticated = context.MustAuthenticate;
                next = RespParser.TryReadCommand(ref reader, request);
            }
        }
        finally
        {
            // SET may have made a value's array its entry; the AOF, MONITOR and the slow log have read it by now, and a
            // command that threw after adopting ends here too. (A later SET of the batch lets go of the one before.)
            Core.Storage.KeyValueStore.EndAdoption();
            context.ChainedTimestamp = 0;
            client.ExitBatch();
        }

        if (!context.IsHeldBack || rerun)
        {
            consumed = reader.Position;
        }

        bytesNeeded = client.CloseAfterReply || context.IsHeldBack || end != BatchEnd.Drained ? 0 : request.BytesNeeded;

        if (executed)
        {
            client.LastCommandAt = now;
        }

        return executed;
    }

    /// <summary>
    /// Redis's checkClientOutputBufferLimits: at or past the hard limit at once; at or past the soft limit for more
    /// than its seconds (the time it was first seen there is kept; dropping below clears it).
    /// </summary>
    internal static bool OverOutputLimit(ClientSession client, OutputBufferLimit limit, long unsent, Core.Storage.KeyValueStore store)
    {
        if (limit.Hard > 0 && unsent >= limit.Hard)
        {
            return true;
        }

        if (limit.Soft == 0 || unsent < limit.Soft)
        {
            client.OutputSoftLimitSince = 0;
            return false;
        }

        var now = store.Now;
        if (client.OutputSoftLimitSince == 0)
        {
            client.OutputSoftLimitSince = now;
            return false;
        }

        return now - client.OutputSoftLimitSince > limit.SoftSeconds * 1000;
    }

    /// <summary>Closes a client past its output buffer limit: counted in INFO, logged as <paramref name="log"/> allows.</summary>
    internal static void CloseForOutputLimit(ServerState server, ClientSession client, long unsent, ILogger logger, LogRateLimiter? log)
    {
        server.Clients.CountOutputBufferDisconnection();
        if (log?.ShouldLog() ?? true)
        {
            Log.OutputBufferLimitReached(logger, client.Id, client.RemoteAddress, unsent);
        }

        client.Abort?.Invoke();
    }

    /// <summary>Clients closed for their output buffers: one line per 10 s, then one with how many more there were.</summary>
    internal static LogRateLimiter OutputLimitLog(ILogger logger, TimeProvider time) =>
        new(logger, "output buffer limit", 1, TimeSpan.FromSeconds(10), time);
}
