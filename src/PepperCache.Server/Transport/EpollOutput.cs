using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Connections;

namespace PepperCache.Server.Transport;

/// <summary>
/// An <see cref="EpollConnection"/>'s output: replies are written into the connection's own blocks and sent by the
/// flush that commits them, on the flushing thread, as Redis writes a reply from its event loop. There is no second
/// pipe and no send loop to hand the bytes to (measured: that handoff, the pipe's block per flush and the send loop's
/// resumption were about 3 % of a node's CPU at <c>-P 1</c>). What the kernel will not take waits here and goes out
/// on the loop's thread when epoll reports room (EPOLLOUT); past the write limit the application's flush waits for it,
/// as the pipe's writer paused.
/// </summary>
/// <remarks>
/// One thread writes (the application's, as for any <see cref="PipeWriter"/>), and one thread at a time sends
/// (<c>_busy</c>): the flushing writer, or the loop once the kernel was full. The sender reads only committed bytes, up
/// to <c>_lastCommitted</c>; the writer appends past them. A block stays with the connection while it is the last
/// one, so a connection answering one command at a time writes every reply into the same block.
/// </remarks>
internal sealed partial class EpollOutput : PipeWriter, IValueTaskSource<FlushResult>
{
    // Most segments one writev sends; a longer reply is sent in several calls.
    private const int MaxSendSegments = 64;

    private readonly EpollConnection _connection;
    private readonly MemoryPool<byte> _pool;
    private readonly long _pauseAt;
    private readonly long _resumeAt;
    private readonly Lock _lock = new();

    // The writer's own: the segment it writes into, how far, and what it wrote since its last flush.
    private Segment? _tail;
    private int _tailWritten;
    private long _unflushed;
    private bool _writerCompleted;

    // Under _lock.
    private Segment? _head;
    private Segment? _lastCommitted;
    private Segment? _spare;
    private long _queued;
    private bool _busy;
    private volatile bool _blocked;
    private bool _ended;
    private bool _abortRequested;
    private bool _cancelNextFlush;
    private bool _flushWaiting;
    private Exception? _failure;
    private ManualResetValueTaskSourceCore<FlushResult> _flush;
    private CancellationTokenRegistration _flushCancellation;

    public EpollOutput(EpollConnection connection, MemoryPool<byte> pool, long pauseAt)
    {
        _connection = connection;
        _pool = pool;
        _pauseAt = pauseAt;
        _resumeAt = pauseAt / 2;
        // A waiting flush goes on inline on the thread that made room (the loop's), as the pipe's inline scheduler did.
        _flush.RunContinuationsAsynchronously = false;
    }

    /// <summary>Whether sending waits for the kernel to take more (EPOLLOUT): the client is not reading.</summary>
    public bool IsBlocked => _blocked;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public override void Advance(int bytes)
    {
        if (_tail is null || (uint)bytes > (uint)(_tail.Memory.Length - _tailWritten))
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), "Advanced past the memory the writer was given.");
        }

        _tailWritten += bytes;
        _unflushed += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_writerCompleted)
        {
            throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        }

        var size = Math.Max(sizeHint, 1);
        if (_tail is null || _tail.Memory.Length - _tailWritten < size)
        {
            MakeRoom(size);
        }

        return _tail!.Memory[_tailWritten..];
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool cancel;
        var ended = false;
        Segment? discarded = null;
        lock (_lock)
        {
            if (_ended)
            {
                // Nobody sends any more: what was written is dropped, as the pipe dropped it once its reader was gone.
                ended = true;
                discarded = DiscardLocked();
                cancel = false;
            }
            else
            {
                Commit();
                cancel = _cancelNextFlush;
                _cancelNextFlush = false;
                if (_queued == 0)
                {
                    return cancel ? Canceled : default;
                }

                if (_busy || _blocked)
                {
                    // Someone else sends it: the loop, once the kernel has room.
                    if (cancel || _queued < _pauseAt)
                    {
                        return cancel ? Canceled : default;
                    }

                    WaitLocked(cancellationToken);
                    return new(this, _flush.Version);
                }

                _busy = true;
            }
        }

        if (ended)
        {
            if (discarded is not null)
            {
                Free(discarded);
            }

            return Ended();
        }

        var outcome = Send(mayWait: !cancel, cancellationToken);
        if (_tail is { } tail && tail.Memory.Length > PinnedBlockPool.BlockSize)
        {
            ReleaseLargeTail();
        }

        return outcome switch
        {
            SendOutcome.Ended => Ended(),
            _ when cancel => Canceled,
            SendOutcome.Waiting => new(this, _flush.Version),
            _ => default,
        };
    }

    public override void CancelPendingFlush()
    {
        lock (_lock)
        {
            if (!_flushWaiting)
            {
                _cancelNextFlush = true;
                return;
            }

            _flushWaiting = false;
        }

        ReleaseWaiter(new FlushResult(isCanceled: true, isCompleted: false));
    }

    /// <summary>
    /// The application is done writing: what it wrote is still sent (a reply before the FIN), then the send side ends.
    /// An exception drops it instead.
    /// </summary>
    public override void Complete(Exception? exception = null)
    {
        if (_writerCompleted)
        {
            return;
        }

        _writerCompleted = true;
        Segment? freed = null;
        var endNow = false;
        var send = false;
        lock (_lock)
        {
            if (_ended)
            {
                freed = DetachAllLocked();
            }
            else if (exception is not null)
            {
                _abortRequested = true;
                endNow = !_busy;
            }
            else
            {
                Commit();
                if (!_busy && !_blocked)
                {
                    // Idle: end now, or send what is left first (it ends once that is out).
                    endNow = _queued == 0;
                    send = !endNow;
                    _busy = send;
                }
            }
        }

        if (freed is not null)
        {
            Free(freed);
        }

        if (endNow)
        {
            End(exception, null);
        }
        else if (send)
        {
            Send(mayWait: false, default);
        }
    }

    /// <summary>The connection was aborted: nothing more is sent, and a waiting flush returns (completed).</summary>
    public void Abort()
    {
        lock (_lock)
        {
            _abortRequested = true;
            if (_busy || _ended)
            {
                // The sender ends it after its current call.
                return;
            }
        }

        End(null, null);
    }

    /// <summary>On the loop's thread (or the aborting one, once the socket left the loop): the kernel has room, or the socket is gone.</summary>
    public void OnWritable()
    {
        lock (_lock)
        {
            if (!_blocked || _busy || _ended)
            {
                return;
            }

            _busy = true;
        }

        Send(mayWait: false, default);
    }

    /// <summary>Under the lock: the writer's flush waits until the queue is below the resume mark.</summary>
    private void WaitLocked(CancellationToken cancellationToken)
    {
        _flush.Reset();
        _flushWaiting = true;
        if (cancellationToken.CanBeCanceled)
        {
            _flushCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((EpollOutput)state!).CancelWait(token), this);
        }
    }

    private void CancelWait(CancellationToken token)
    {
        lock (_lock)
        {
            if (!_flushWaiting)
            {
                return;
            }

            _flushWaiting = false;
        }

        _flush.SetException(new OperationCanceledException(token));
    }

    private void ReleaseWaiter(FlushResult result)
    {
        _flushCancellation.Dispose();
        _flush.SetResult(result);
    }

    FlushResult IValueTaskSource<FlushResult>.GetResult(short token) => _flush.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<FlushResult>.GetStatus(short token) => _flush.GetStatus(token);

    void IValueTaskSource<FlushResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _flush.OnCompleted(continuation, state, token, flags);
}
