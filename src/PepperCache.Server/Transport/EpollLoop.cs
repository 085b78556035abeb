using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace PepperCache.Server.Transport;

/// <summary>
/// One thread and one level-triggered epoll set serving its share of the connections, as one of Redis's event
/// loops: wait, then for each ready socket one receive whose bytes run straight through the command handler
/// (the pipes schedule inline), replies sent on the way back. A connection is never touched after its cleanup, which
/// runs here between two waits, so an event of the same batch cannot find it freed.
/// </summary>
internal sealed unsafe class EpollLoop : IDisposable
{
    private const int MaxEvents = 256;

    // epoll data of the loop's own wake-up descriptor; connections carry a GCHandle, never 0.
    private const ulong WakeData = 0;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<EpollConnection> _closing = new();
    private volatile bool _stopping;

    public EpollLoop(int index)
    {
        _epoll = LinuxNative.EpollCreate1(LinuxNative.EpollCloexec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _wake = LinuxNative.EventFd(0, LinuxNative.EfdCloexec | LinuxNative.EfdNonblock);
        if (_wake < 0 || LinuxNative.Control(_epoll, LinuxNative.EpollCtlAdd, _wake, LinuxNative.EpollIn, WakeData) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LinuxNative.Close(_epoll);
            throw new IOException($"eventfd failed: errno {errno}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = $"PepperCache epoll {index}" };
        _thread.Start();
    }

    /// <summary>Adds a connection's socket, readable interest only.</summary>
    internal bool Add(int fd, ulong data) => LinuxNative.Control(_epoll, LinuxNative.EpollCtlAdd, fd, LinuxNative.EpollIn, data) == 0;

    /// <summary>Takes a socket out of the set, so its unmaskable EPOLLHUP is not reported again.</summary>
    internal void Remove(int fd) => LinuxNative.Control(_epoll, LinuxNative.EpollCtlDel, fd, 0, 0);

    /// <summary>Changes a connection's interest; any thread (epoll_ctl is thread-safe).</summary>
    internal void Modify(int fd, uint events, ulong data) => LinuxNative.Control(_epoll, LinuxNative.EpollCtlMod, fd, events, data);

    /// <summary>Has the loop close the connection's socket and let it go after the current batch of events.</summary>
    internal void Close(EpollConnection connection)
    {
        _closing.Enqueue(connection);
        Wake();
    }

    private void Wake()
    {
        ulong one = 1;
        LinuxNative.Write(_wake, (byte*)&one, sizeof(ulong));
    }

    private void Run()
    {
        var size = LinuxNative.EventSize;
        var dataOffset = LinuxNative.EventDataOffset;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        try
        {
            while (!_stopping)
            {
                while (_closing.TryDequeue(out var closing))
                {
                    LinuxNative.Control(_epoll, LinuxNative.EpollCtlDel, closing.Fd, 0, 0);
                    closing.Release();
                }

                var count = LinuxNative.EpollWait(_epoll, events, MaxEvents, -1);
                if (count < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LinuxNative.Eintr)
                    {
                        continue;
                    }

                    break;
                }

                for (var i = 0; i < count; i++)
                {
                    var ev = events + (i * size);
                    var data = *(ulong*)(ev + dataOffset);
                    if (data == WakeData)
                    {
                        ulong drained;
                        LinuxNative.Read(_wake, (byte*)&drained, sizeof(ulong));
                        continue;
                    }

                    if (GCHandle.FromIntPtr((nint)data).Target is EpollConnection connection)
                    {
                        connection.OnEvents(*(uint*)ev);
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        _thread.Join(TimeSpan.FromSeconds(5));
        while (_closing.TryDequeue(out var closing))
        {
            closing.Release();
        }

        LinuxNative.Close(_wake);
        LinuxNative.Close(_epoll);
    }
}
