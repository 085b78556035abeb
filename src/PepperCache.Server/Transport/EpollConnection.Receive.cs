using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Transport;

/// <summary>The receive side, on the loop's thread: readiness to input pipe, backpressure, the end of the input.</summary>
internal sealed partial class EpollConnection
{
    /// <summary>
    /// Reads what the socket holds, up to <see cref="MaxReceiveBytesPerEvent"/>, straight into the input pipe's
    /// memory. The first recv asks for half a pool block, which is all a command of a few KB needs (or for what the last
    /// readiness brought, when that was more than a block). A recv that fills its memory means more is waiting: the
    /// loop asks the kernel how much (FIONREAD) and the pipe for that much, up to <see cref="BulkReceiveSize"/>. A big value's rest so comes in one recv, into an array from the shared pool that
    /// the pipe gives back once the parser has copied the value out (measured: 2 recv calls per 200 KB SET, against
    /// 7.6 and a copy through 64 KB of scratch before; Redis reads a big argument's rest in one call), while a client
    /// streaming small pipelined commands still reads into blocks, not a 256 KB array per connection.
    /// </summary>
    private unsafe void Receive()
    {
        var writer = _input.Writer;
        long total = 0;
        var ended = false;
        var bulk = false;
        Exception? error = null;
        for (var receives = 0; receives < MaxReceivesPerEvent && total < MaxReceiveBytesPerEvent; receives++)
        {
            // A connection whose last readiness brought more than a block (big values, or long pipelines) starts with
            // that much: a stream of 20 KB SETs costs one recv each, not two and an ioctl.
            var wanted = receives == 0 && _receiveHint > PinnedBlockPool.BlockSize ? _receiveHint : MinReceiveSize;
            if (bulk)
            {
                int waiting;
                if (LinuxNative.Ioctl(Fd, LinuxNative.Fionread, &waiting) == 0)
                {
                    if (waiting <= 0)
                    {
                        // Nothing more yet: a recv would only find EAGAIN.
                        break;
                    }

                    wanted = Math.Clamp(waiting, MinReceiveSize, BulkReceiveSize);
                }
            }

            var memory = writer.GetMemory(wanted);
            var asked = (int)Math.Min(memory.Length, MaxReceiveBytesPerEvent - total);
            nint received;
            using (var pin = memory.Pin())
            {
                received = LinuxNative.Recv(Fd, (byte*)pin.Pointer, asked, 0);
            }

            writer.Advance(received > 0 ? (int)received : 0);
            if (received > 0)
            {
                total += received;
                if (received < asked)
                {
                    break;
                }

                bulk = true;
                continue;
            }

            if (received == 0)
            {
                ended = true;
                break;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (LinuxNative.Eagain or LinuxNative.Eintr))
            {
                ended = true;
                error = SocketError(errno, "recv");
            }

            break;
        }

        if (total > 0)
        {
            _receiveHint = (int)Math.Min(total, BulkReceiveSize);
            var flush = writer.FlushAsync();
            if (!flush.IsCompletedSuccessfully)
            {
                PauseReading(flush);
            }
            else if (flush.Result.IsCompleted)
            {
                // The application stopped reading: read no more.
                _readerDone = true;
                UpdateInterest();
            }
        }

        if (ended)
        {
            FinishReading(error);
        }
    }

    /// <summary>On the loop's thread, after the handler threw out of an event: the connection ends, the loop goes on.</summary>
    internal void Fail(Exception error)
    {
        Abort(new ConnectionAbortedException("The connection failed in its event loop.", error));
        _input.Reader.CancelPendingRead();
        try
        {
            FinishReading(error);
        }
        catch (InvalidOperationException)
        {
            // The input pipe was left mid-write by the failure: the cancelled read ends the handler instead.
        }
    }

    /// <summary>The application has 1 MB of input unread (Kestrel's MaxReadBufferSize): stop reading until it catches up.</summary>
    private void PauseReading(ValueTask<FlushResult> flush)
    {
        _readPaused = true;
        UpdateInterest();
        _ = ResumeReadingAsync(flush);
    }

    private async Task ResumeReadingAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            if ((await flush.ConfigureAwait(false)).IsCompleted)
            {
                _readerDone = true;
            }
        }
        catch (Exception)
        {
            _readerDone = true;
        }

        _readPaused = false;
        UpdateInterest();
    }

    /// <summary>On the loop's thread: the input ends (FIN, an error, or the loop releasing the connection).</summary>
    private void FinishReading(Exception? error)
    {
        if (_readClosed)
        {
            return;
        }

        _readClosed = true;
        UpdateInterest();
        _input.Writer.Complete(_shutdownReason ?? error);
        FireConnectionClosed();
    }

    private void FireConnectionClosed()
    {
        if (Interlocked.Exchange(ref _closedFired, 1) == 0)
        {
            // As Kestrel: on the pool, so a registration's work does not run inside the event loop.
            ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.CancelConnectionClosed(), this, preferLocal: false);
        }
    }

    private void CancelConnectionClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (Exception ex)
        {
            // As Kestrel: a failing callback is logged, not left to end the process on a pool thread.
            Log.ConnectionClosedCallbackFailed(_loop.Logger, ex, ConnectionId);
        }
    }
}
