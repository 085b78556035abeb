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
internal sealed class EpollOutput : PipeWriter, IValueTaskSource<FlushResult>
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

    /// <summary>
    /// Sends committed bytes while the kernel takes them; the caller holds <c>_busy</c>. Returns the writer's flush
    /// result: completed, or (<paramref name="mayWait"/>) waiting when the kernel is full and the write limit passed.
    /// </summary>
    private SendOutcome Send(bool mayWait, CancellationToken cancellationToken)
    {
        while (true)
        {
            var sent = SendOnce(out var aborted);
            if (aborted)
            {
                End(null, null);
                return SendOutcome.Ended;
            }

            if (sent == 0)
            {
                // Bytes counted as queued that no segment holds: a bookkeeping fault, not a reason to spin.
                End(new InvalidOperationException("The output's queue and its segments disagree."), null);
                return SendOutcome.Ended;
            }

            if (sent < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == LinuxNative.Eintr)
                {
                    continue;
                }

                if (errno != LinuxNative.Eagain)
                {
                    var failure = EpollConnection.SocketError(errno, "send");
                    End(failure, failure is ConnectionResetException ? null : failure);
                    return SendOutcome.Ended;
                }

                // The kernel is full: the loop goes on when epoll reports room.
                var outcome = SendOutcome.Sent;
                lock (_lock)
                {
                    if (_abortRequested)
                    {
                        aborted = true;
                    }
                    else
                    {
                        _busy = false;
                        _blocked = true;
                        if (mayWait && _queued >= _pauseAt)
                        {
                            WaitLocked(cancellationToken);
                            outcome = SendOutcome.Waiting;
                        }
                    }
                }

                if (aborted)
                {
                    End(null, null);
                    return SendOutcome.Ended;
                }

                if (!_connection.WatchWritable())
                {
                    // Shut down, or out of the loop's set: no EPOLLOUT will come. Ended here unless a sender already
                    // took over (it meets the same end).
                    lock (_lock)
                    {
                        if (_busy || _ended)
                        {
                            return outcome;
                        }

                        _busy = true;
                    }

                    End(new ConnectionResetException("The connection was closed while a reply was being sent."), null);
                    return SendOutcome.Ended;
                }

                return outcome;
            }

            Segment? freed;
            bool drained;
            bool release;
            bool unblocked;
            bool endNow;
            lock (_lock)
            {
                freed = Consume((int)sent);
                drained = _queued == 0;
                // Drained after the application completed, or aborted meanwhile: the send side ends here.
                endNow = _abortRequested || (drained && _writerCompleted);
                release = !endNow && _flushWaiting && _queued < _resumeAt;
                if (release)
                {
                    _flushWaiting = false;
                }

                unblocked = drained && _blocked;
                if (drained && !endNow)
                {
                    _busy = false;
                    _blocked = false;
                }
            }

            if (freed is not null)
            {
                Free(freed);
            }

            if (endNow)
            {
                End(null, null);
                return SendOutcome.Ended;
            }

            if (unblocked)
            {
                _connection.UpdateInterest();
            }

            if (release)
            {
                // Below the resume mark: the application goes on (inline, here) while the rest goes out.
                ReleaseWaiter(default);
            }

            if (drained)
            {
                return SendOutcome.Sent;
            }
        }
    }

    /// <summary>One send or writev of what is committed; the result of the call (negative: see errno).</summary>
    private unsafe nint SendOnce(out bool aborted)
    {
        var vectors = stackalloc LinuxNative.IoVector[MaxSendSegments];
        var pins = default(SegmentPins);
        var count = 0;
        try
        {
            lock (_lock)
            {
                aborted = _abortRequested;
                if (aborted)
                {
                    return 0;
                }

                for (var segment = _head; segment is not null && count < MaxSendSegments; segment = segment.Next)
                {
                    var length = segment.Committed - segment.Sent;
                    if (length > 0)
                    {
                        pins[count] = segment.Memory.Pin();
                        vectors[count].Base = (byte*)pins[count].Pointer + segment.Sent;
                        vectors[count].Length = length;
                        count++;
                    }

                    if (segment == _lastCommitted)
                    {
                        break;
                    }
                }
            }

            if (count == 0)
            {
                return 0;
            }

            return count == 1
                ? LinuxNative.Send(_connection.Fd, vectors[0].Base, (int)vectors[0].Length, LinuxNative.MsgNoSignal)
                // SIGPIPE is ignored by the .NET runtime, so writev needs no MSG_NOSIGNAL.
                : LinuxNative.Writev(_connection.Fd, vectors, count);
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                pins[i].Dispose();
            }
        }
    }

    /// <summary>Under the lock: the writer's bytes since its last flush become the sender's.</summary>
    private void Commit()
    {
        if (_unflushed == 0)
        {
            return;
        }

        for (var segment = _lastCommitted ?? _head; segment is not null && segment != _tail; segment = segment.Next)
        {
            segment.Committed = segment.Written;
        }

        _tail!.Committed = _tailWritten;
        _lastCommitted = _tail;
        _queued += _unflushed;
        _unflushed = 0;
    }

    /// <summary>Under the lock: <paramref name="sent"/> bytes left; returns the chain of segments now sent and behind.</summary>
    private Segment? Consume(int sent)
    {
        _queued -= sent;
        Segment? freed = null;
        Segment? freedTail = null;
        while (_head is { } head)
        {
            var take = Math.Min(sent, head.Committed - head.Sent);
            head.Sent += take;
            sent -= take;
            if (head.Sent < head.Committed || head == _lastCommitted)
            {
                // Part of it is left, or the writer may still write into it.
                break;
            }

            _head = head.Next;
            head.Next = null;
            if (freedTail is null)
            {
                freed = head;
            }
            else
            {
                freedTail.Next = head;
            }

            freedTail = head;
        }

        return freed;
    }

    /// <summary>The writer's own segment is a large array (a big reply went out): given back once all of it was sent.</summary>
    private void ReleaseLargeTail()
    {
        Segment? tail;
        lock (_lock)
        {
            tail = _tail;
            if (tail is null || _busy || _blocked || _ended || _head != tail || tail.Sent != tail.Committed || tail.Committed != _tailWritten)
            {
                return;
            }

            _head = _tail = _lastCommitted = null;
            _tailWritten = 0;
        }

        Free(tail);
    }

    /// <summary>
    /// The writer needs <paramref name="size"/> bytes its segment does not have: the segment starts over when all of it
    /// was sent (the usual case: one block per connection), else a new one follows it.
    /// </summary>
    private void MakeRoom(int size)
    {
        lock (_lock)
        {
            var tail = _tail;
            if (tail is not null && !_busy && !_blocked && _head == tail && tail.Sent == tail.Committed &&
                tail.Committed == _tailWritten && tail.Memory.Length >= size)
            {
                tail.Sent = tail.Committed = _tailWritten = 0;
                return;
            }

            if (tail is not null)
            {
                tail.Written = _tailWritten;
            }

            var owner = _pool.Rent(size);
            var segment = _spare ?? new Segment();
            _spare = null;
            segment.Owner = owner;
            segment.Memory = owner.Memory;
            segment.Sent = segment.Committed = segment.Written = 0;
            if (_head is null)
            {
                _head = segment;
            }
            else
            {
                tail!.Next = segment;
            }

            _tail = segment;
            _tailWritten = 0;
        }
    }

    /// <summary>Under the lock, after the end: drops what was written, keeping the writer's segment for its next writes.</summary>
    private Segment? DiscardLocked()
    {
        _unflushed = 0;
        if (_tail is null)
        {
            return null;
        }

        Segment? freed = null;
        if (_head != _tail)
        {
            freed = _head;
            for (var segment = _head; segment is not null; segment = segment.Next)
            {
                if (segment.Next == _tail)
                {
                    segment.Next = null;
                    break;
                }
            }
        }

        _head = _lastCommitted = _tail;
        _tail.Sent = _tail.Committed = _tail.Written = _tailWritten = 0;
        return freed;
    }

    /// <summary>Under the lock: every segment, for the end of both sides.</summary>
    private Segment? DetachAllLocked()
    {
        var all = _head;
        _head = _tail = _lastCommitted = null;
        _tailWritten = 0;
        _unflushed = 0;
        return all;
    }

    private void Free(Segment chain)
    {
        for (var segment = chain; segment is not null;)
        {
            var next = segment.Next;
            segment.Owner?.Dispose();
            segment.Owner = null;
            segment.Memory = default;
            segment.Next = null;
            lock (_lock)
            {
                _spare ??= segment;
            }

            segment = next;
        }
    }

    /// <summary>
    /// The send side ends (drained after the application completed, aborted, or the socket failed): a waiting flush
    /// returns, and the connection shuts the socket down and closes it once the application is done too.
    /// </summary>
    private void End(Exception? reason, Exception? unexpected)
    {
        bool waiting;
        Segment? freed = null;
        bool wasBlocked;
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            _busy = false;
            wasBlocked = _blocked;
            _blocked = false;
            _queued = 0;
            _failure = unexpected;
            waiting = _flushWaiting;
            _flushWaiting = false;
            if (_writerCompleted)
            {
                freed = DetachAllLocked();
            }
        }

        if (freed is not null)
        {
            Free(freed);
        }

        if (wasBlocked)
        {
            _connection.UpdateInterest();
        }

        _connection.OnOutputEnded(reason);
        if (waiting)
        {
            if (unexpected is not null)
            {
                _flushCancellation.Dispose();
                _flush.SetException(unexpected);
            }
            else
            {
                ReleaseWaiter(new FlushResult(isCanceled: false, isCompleted: true));
            }
        }
    }

    private static ValueTask<FlushResult> Canceled => new(new FlushResult(isCanceled: true, isCompleted: false));

    /// <summary>A flush after the end: completed, or the send side's own failure (as the pipe latched it).</summary>
    private ValueTask<FlushResult> Ended()
    {
        Exception? failure;
        lock (_lock)
        {
            failure = _failure;
        }

        return failure is null
            ? new(new FlushResult(isCanceled: false, isCompleted: true))
            : ValueTask.FromException<FlushResult>(failure);
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

    private enum SendOutcome
    {
        /// <summary>All of it went out, or the rest waits for room and the writer need not.</summary>
        Sent,

        /// <summary>The rest waits for room, and the writer's flush with it (past the write limit).</summary>
        Waiting,

        /// <summary>The send side ended.</summary>
        Ended,
    }

    private sealed class Segment
    {
        public IMemoryOwner<byte>? Owner;
        public Memory<byte> Memory;

        // Under the lock: bytes sent, and bytes the sender may send.
        public int Sent;
        public int Committed;

        // The writer's: how far it wrote before it moved to the next segment.
        public int Written;
        public Segment? Next;
    }

    [InlineArray(MaxSendSegments)]
    private struct SegmentPins
    {
        private MemoryHandle _first;
    }
}
