using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Transport;

/// <summary>The send side, on whatever thread flushes the output: send or writev, and a wait for EPOLLOUT when the kernel is full.</summary>
internal sealed partial class EpollConnection
{
    private async Task SendLoopAsync()
    {
        Exception? unexpected = null;
        Exception? reason = null;
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    var sent = Send(buffer);
                    if (sent > 0)
                    {
                        buffer = buffer.Slice(sent);
                    }
                    else
                    {
                        await WaitWritableAsync().ConfigureAwait(false);
                    }
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (ConnectionResetException ex)
        {
            reason = ex;
        }
        catch (Exception ex)
        {
            reason = ex;
            unexpected = ex;
        }
        finally
        {
            Shutdown(reason);
            // As Kestrel: a reset ends the application's writes quietly; anything else reaches its next flush.
            reader.Complete(unexpected);
            _input.Reader.CancelPendingRead();
            CloseWhenDone();
        }
    }

    private unsafe nint Send(in ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            nint sent;
            if (buffer.IsSingleSegment)
            {
                var memory = buffer.First;
                using var pin = memory.Pin();
                sent = LinuxNative.Send(Fd, (byte*)pin.Pointer, memory.Length, LinuxNative.MsgNoSignal);
            }
            else
            {
                sent = SendSegments(buffer);
            }

            if (sent >= 0)
            {
                return sent;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == LinuxNative.Eagain)
            {
                return 0;
            }

            if (errno != LinuxNative.Eintr)
            {
                throw SocketError(errno, "send");
            }
        }
    }

    private unsafe nint SendSegments(in ReadOnlySequence<byte> buffer)
    {
        var vectors = stackalloc LinuxNative.IoVector[MaxSendSegments];
        var pins = default(SegmentPins);
        var count = 0;
        try
        {
            foreach (var segment in buffer)
            {
                if (segment.IsEmpty)
                {
                    continue;
                }

                pins[count] = segment.Pin();
                vectors[count].Base = (byte*)pins[count].Pointer;
                vectors[count].Length = segment.Length;
                if (++count == MaxSendSegments)
                {
                    break;
                }
            }

            // SIGPIPE is ignored by the .NET runtime, so writev needs no MSG_NOSIGNAL.
            return LinuxNative.Writev(Fd, vectors, count);
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                pins[i].Dispose();
            }
        }
    }

    private Task WaitWritableAsync()
    {
        // Rare (the kernel's send buffer is full): a task per wait is fine. Completed on the loop's thread, inline.
        var writable = new TaskCompletionSource();
        lock (_gate)
        {
            if (_shutdown || !_registered)
            {
                throw new ConnectionResetException("The connection was closed while a reply was being sent.");
            }

            _writable = writable;
            if (!UpdateInterestLocked())
            {
                _writable = null;
                throw new ConnectionResetException("The connection could not wait for room to send.");
            }
        }

        return writable.Task;
    }

    private void WakeWriter()
    {
        TaskCompletionSource? writable;
        var failed = false;
        lock (_gate)
        {
            writable = _writable;
            _writable = null;
            if (writable is not null)
            {
                failed = !UpdateInterestLocked();
            }
        }

        writable?.SetResult();
        if (failed)
        {
            InterestFailed();
        }
    }

    [InlineArray(MaxSendSegments)]
    private struct SegmentPins
    {
        private MemoryHandle _first;
    }
}
