using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Transport;

/// <summary>
/// One thread and one level-triggered epoll set serving its share of the connections, as one of Redis's event
/// loops: wait, then for each ready socket one receive whose bytes run straight through the command handler
/// (the pipes schedule inline), replies sent on the way back. A connection is never touched after its release, which
/// runs here between two waits, so an event of the same batch cannot find it freed. A loop's set may be served by
/// the first loop's thread instead of its own while the load is light (EpollLoop.Guests.cs); one thread at a time
/// serves a set either way.
/// </summary>
internal sealed unsafe partial class EpollLoop : IDisposable
{
    private const int MaxEvents = 256;

    // epoll data of the loop's own wake-up descriptor; connections carry a GCHandle, never 0.
    private const ulong WakeData = 0;

    // How long a stopping loop waits for its aborted connections to be released before it lets them go.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly int _index;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private readonly byte* _events;
    private readonly ConcurrentQueue<EpollConnection> _closing = new();
    private readonly HashSet<EpollConnection> _live = [];
    private readonly Lock _liveGate = new();

    // Held to write the wake-up descriptor and to close it, so no late wake-up writes into a reused descriptor.
    private readonly Lock _wakeGate = new();
    private bool _closed;
    private volatile bool _stopping;
    private volatile bool _exited;

    /// <param name="index">The loop's number, 0 for the first.</param>
    /// <param name="logger">Where connection faults go.</param>
    /// <param name="scaling">When loops beyond the first run on their own threads.</param>
    /// <param name="host">The first loop, for every other; null for the first itself.</param>
    /// <param name="loops">How many loops there are in all.</param>
    public EpollLoop(int index, ILogger logger, EpollLoopScaling scaling, EpollLoop? host, int loops)
    {
        _index = index;
        _logger = logger;
        _scaling = scaling;
        _pollTicks = scaling.IdlePollMicroseconds * Stopwatch.Frequency / 1_000_000;
        _host = host;
        _guests = host is null ? new EpollLoop?[loops] : [];
        _machine = host is null && loops > 1 && scaling.Adapts ? new MachineIdleMeter() : null;
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

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LinuxNative.EventSize));
        if (host is not null && scaling.Adapts)
        {
            host.Adopt(this);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = $"PepperCache epoll {index}" };
        _thread.Start();
    }

    internal ILogger Logger => _logger;

    /// <summary>Adds a connection's socket, readable interest only; false once the loop is stopping.</summary>
    internal bool Add(EpollConnection connection, ulong data)
    {
        lock (_liveGate)
        {
            if (_stopping || LinuxNative.Control(_epoll, LinuxNative.EpollCtlAdd, connection.Fd, LinuxNative.EpollIn, data) != 0)
            {
                return false;
            }

            _live.Add(connection);
            return true;
        }
    }

    /// <summary>Takes a socket out of the set, so its unmaskable EPOLLHUP is not reported again.</summary>
    internal void Remove(int fd) => LinuxNative.Control(_epoll, LinuxNative.EpollCtlDel, fd, 0, 0);

    /// <summary>Changes a connection's interest; any thread (epoll_ctl is thread-safe). False when the kernel refused.</summary>
    internal bool Modify(int fd, uint events, ulong data) => LinuxNative.Control(_epoll, LinuxNative.EpollCtlMod, fd, events, data) == 0;

    /// <summary>Has the loop close the connection's socket and let it go after the current batch of events.</summary>
    internal void Close(EpollConnection connection)
    {
        _closing.Enqueue(connection);
        if (_exited)
        {
            // The loop is gone: nobody else can touch the connection now, so it is released here.
            ReleaseClosing(removeFromEpoll: false);
            return;
        }

        Wake();
    }

    private void Wake()
    {
        lock (_wakeGate)
        {
            if (!_closed)
            {
                ulong one = 1;
                LinuxNative.Write(_wake, (byte*)&one, sizeof(ulong));
            }
        }
    }

    private void ReleaseClosing(bool removeFromEpoll)
    {
        while (_closing.TryDequeue(out var closing))
        {
            if (removeFromEpoll)
            {
                Remove(closing.Fd);
            }

            lock (_liveGate)
            {
                _live.Remove(closing);
            }

            closing.Release();
        }
    }

    private void Run()
    {
        var stopBy = long.MaxValue;
        try
        {
            ParkWhileGuest();
            _load.Restart();
            while (true)
            {
                ReleaseClosing(removeFromEpoll: true);
                if (_stopping)
                {
                    ReturnGuests();
                    stopBy = Math.Min(stopBy, Environment.TickCount64 + (long)StopGrace.TotalMilliseconds);
                    int live;
                    lock (_liveGate)
                    {
                        live = _live.Count;
                    }

                    if (live == 0 || Environment.TickCount64 >= stopBy)
                    {
                        if (live > 0)
                        {
                            Log.EventLoopStoppedWithConnections(_logger, _index, live);
                        }

                        return;
                    }
                }

                var count = WaitForEvents();
                if (count < 0)
                {
                    FailUnlessInterrupted();
                    continue;
                }

                DispatchBatch(count);
                Rescale();
            }
        }
        finally
        {
            _exited = true;
            ReleaseClosing(removeFromEpoll: false);
        }
    }

    /// <summary>Serves one batch of the set's events; true when it drained the loop's wake-up descriptor.</summary>
    private bool DispatchBatch(int count)
    {
        var size = LinuxNative.EventSize;
        var dataOffset = LinuxNative.EventDataOffset;
        var woken = false;
        for (var i = 0; i < count; i++)
        {
            var ev = _events + (i * size);
            var data = *(ulong*)(ev + dataOffset);
            if (data == WakeData)
            {
                ulong drained;
                LinuxNative.Read(_wake, (byte*)&drained, sizeof(ulong));
                woken = true;
            }
            else if (data < GuestDataLimit)
            {
                _guests[(int)data]!.ServeAsGuest();
            }
            else if (GCHandle.FromIntPtr((nint)data).Target is EpollConnection connection)
            {
                Dispatch(connection, *(uint*)ev);
            }
        }

        return woken;
    }

    private void FailUnlessInterrupted()
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno != LinuxNative.Eintr)
        {
            // EBADF, EFAULT or EINVAL: the loop's own state is broken, and every connection on it would hang.
            Environment.FailFast($"epoll_wait failed in event loop {_index}: errno {errno}");
        }
    }

    /// <summary>
    /// The handler runs inline in here: whatever escapes it ends that connection, as a failed connection ends in
    /// Kestrel, not the loop and every other connection on it.
    /// </summary>
    private void Dispatch(EpollConnection connection, uint events)
    {
        try
        {
            connection.OnEvents(events);
        }
        catch (Exception ex)
        {
            Log.EventLoopConnectionFault(_logger, ex, connection.ConnectionId);
            connection.Fail(ex);
        }
    }

    /// <summary>
    /// Aborts the connections still open, lets the loop release them (at most <see cref="StopGrace"/>), and closes
    /// its descriptors only once its thread is gone, so no later close or wake-up can reach a reused descriptor.
    /// </summary>
    public void Dispose()
    {
        EpollConnection[] live;
        lock (_liveGate)
        {
            _stopping = true;
            live = [.. _live];
        }

        foreach (var connection in live)
        {
            connection.Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("The server is stopping."));
        }

        Wake();
        var joined = _thread.Join(StopGrace + TimeSpan.FromSeconds(3));
        int left;
        lock (_liveGate)
        {
            left = _live.Count;
        }

        if (!joined || left > 0)
        {
            // A handler stuck on the loop's thread, or connections it had to let go: the descriptors stay open
            // rather than be closed under them (the process is stopping).
            return;
        }

        lock (_wakeGate)
        {
            // Once: a second Dispose must not close descriptor numbers that may belong to someone else by now.
            if (_closed)
            {
                return;
            }

            _closed = true;
            LinuxNative.Close(_wake);
            LinuxNative.Close(_epoll);
            NativeMemory.Free(_events);
            _machine?.Dispose();
        }
    }
}
