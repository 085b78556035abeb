using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace PepperCache.Server.Transport;

/// <summary>The sending: one owner at a time (<c>_busy</c>), send or writev of the committed bytes, and the end of the send side.</summary>
internal sealed partial class EpollOutput
{
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

    private enum SendOutcome
    {
        /// <summary>All of it went out, or the rest waits for room and the writer need not.</summary>
        Sent,

        /// <summary>The rest waits for room, and the writer's flush with it (past the write limit).</summary>
        Waiting,

        /// <summary>The send side ended.</summary>
        Ended,
    }

    [InlineArray(MaxSendSegments)]
    private struct SegmentPins
    {
        private MemoryHandle _first;
    }
}
