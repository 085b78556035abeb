using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace PepperCache.Server.Resp;

/// <summary>
/// The lines bound for one MONITOR connection. Any connection's thread queues a line; only the monitor's own
/// connection loop writes them to its output pipe (<see cref="ReadAsync"/>), so the pipe keeps one writer. The
/// queue is bounded by the output buffer limit: a monitor that does not read is closed, as Redis closes it.
/// </summary>
internal sealed class MonitorStream(ClientSession client, ServerState server)
{
    /// <summary>Bytes written between flushes while draining (as the connection's FlushThreshold).</summary>
    private const int FlushEvery = RespConnectionHandler.FlushThreshold;

    private readonly Channel<byte[]> _lines = Channel.CreateUnbounded<byte[]>();
    private Task<ReadResult>? _pendingRead;
    private long _queued;
    private long _softLimitSince;
    private int _closed;
    private bool _gone;

    public ClientSession Client { get; } = client;

    /// <summary>Bytes queued and not yet written to the pipe (part of CLIENT LIST omem).</summary>
    public long QueuedBytes => Interlocked.Read(ref _queued);

    /// <summary>Set by RESET: no more lines are queued; those already queued are still written.</summary>
    public bool Detached { get; private set; }

    public bool IsEmpty => QueuedBytes == 0;

    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The monitor connection's limiter for output-limit warnings (set with <see cref="Logger"/>).</summary>
    public Logging.LogRateLimiter? OutputLimitLog { get; set; }

    public void Detach() => Detached = true;

    public void Enqueue(byte[] line)
    {
        if (Detached || Volatile.Read(ref _closed) != 0)
        {
            return;
        }

        var queued = Interlocked.Add(ref _queued, line.Length);
        _lines.Writer.TryWrite(line);
        if (OverLimit(queued + Client.PendingOutputBytes))
        {
            Close(queued);
        }
    }

    /// <summary>
    /// Redis counts a monitor as a normal client for client-output-buffer-limit. Normal clients have no limit by
    /// default, and a monitor's stream has no end, so then the replica class applies (256mb hard, 64mb for 60 s):
    /// the limit Redis gives to the other connection that receives every command.
    /// </summary>
    private bool OverLimit(long unsent)
    {
        var limits = server.Config.Clients.OutputBuffer;
        var limit = limits.Normal.IsNone ? limits.Replica : limits.Normal;
        if (limit.Hard > 0 && unsent >= limit.Hard)
        {
            return true;
        }

        if (limit.Soft == 0 || unsent < limit.Soft)
        {
            Volatile.Write(ref _softLimitSince, 0);
            return false;
        }

        var now = server.Store.Now;
        var since = Interlocked.CompareExchange(ref _softLimitSince, now, 0);
        return since != 0 && now - since > limit.SoftSeconds * 1000;
    }

    private void Close(long unsent)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            server.Monitors.Remove(this);
            RespConnectionHandler.CloseForOutputLimit(server, Client, unsent, Logger, OutputLimitLog);
        }
    }

    /// <summary>
    /// The monitor connection's read: writes queued lines to <paramref name="output"/> until the client sends
    /// something (or goes), then returns that read. The read stays pending across calls until it completes.
    /// </summary>
    public async ValueTask<ReadResult> ReadAsync(PipeReader input, PipeWriter output)
    {
        while (true)
        {
            _pendingRead ??= input.ReadAsync().AsTask();
            if (!_pendingRead.IsCompleted && !_gone)
            {
                _gone = await DrainAsync(output).ConfigureAwait(false);
            }

            if (_pendingRead.IsCompleted || _gone || (Detached && IsEmpty))
            {
                var read = _pendingRead;
                _pendingRead = null;
                return await read.ConfigureAwait(false);
            }

            await Task.WhenAny(_pendingRead, _lines.Reader.WaitToReadAsync().AsTask()).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is queued, flushing every 64 KB; true when the client is gone.</summary>
    private async ValueTask<bool> DrainAsync(PipeWriter output)
    {
        long written = 0;
        while (_lines.Reader.TryRead(out var line))
        {
            output.Write(line);
            written += line.Length;
            Interlocked.Add(ref _queued, -line.Length);
            if (written >= FlushEvery)
            {
                written = 0;
                Client.CountOutput(output);
                var flush = await output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return true;
                }
            }
        }

        if (written > 0)
        {
            Client.CountOutput(output);
            var flush = await output.FlushAsync().ConfigureAwait(false);
            return flush.IsCompleted || flush.IsCanceled;
        }

        return false;
    }
}
