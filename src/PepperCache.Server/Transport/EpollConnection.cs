using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Transport;

/// <summary>
/// One client socket on an <see cref="EpollLoop"/>. Receives happen on the loop's thread when epoll says the socket
/// is readable (one recv per readiness, as Redis reads: no receive that ends in EAGAIN first); sends happen in the
/// output's flush, on the flushing thread (<see cref="EpollOutput"/>), waiting for EPOLLOUT only when the kernel's
/// buffer is full.
/// </summary>
/// <remarks>
/// Lifetime as Kestrel's socket connection: the input completes when the peer's FIN or an error arrives (and
/// <see cref="ConnectionClosed"/> fires), the send side ends once the application completed the output and all of
/// it went out, and the socket is closed by the loop once both the send side and <see cref="DisposeAsync"/> are done.
/// </remarks>
internal sealed partial class EpollConnection : ConnectionContext, IConnectionSocketFeature, IMemoryPoolFeature,
    IConnectionIdFeature, IConnectionItemsFeature, IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    /// <summary>Kestrel's receive size: half a pool block, so a small read does not take a fresh block.</summary>
    private const int MinReceiveSize = PinnedBlockPool.BlockSize / 2;

    // Receives per readiness while each fills what it was given (Redis reads 16 KB, a big argument's rest at once):
    // a big value does not take one epoll_wait per 4 KB.
    private const int MaxReceivesPerEvent = 16;

    /// <summary>What a receive asks for once the one before filled its memory: more is waiting, likely a big value.</summary>
    internal const int BulkReceiveSize = 256 * 1024;

    /// <summary>The most one readiness adds to the input: past the input limit by at most this much.</summary>
    internal const int MaxReceiveBytesPerEvent = BulkReceiveSize + PinnedBlockPool.BlockSize;

    private static long s_lastId;

    private readonly Socket _socket;
    private readonly EpollLoop _loop;
    private readonly MemoryPool<byte> _pool;
    private readonly Pipe _input;
    private readonly EpollOutput _output;
    private readonly IDuplexPipe _application;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private GCHandle _handle;
    private ulong _data;
    private uint _interest;
    private bool _registered;
    private volatile bool _shutdown;
    private bool _added;
    private int _disposed;
    private bool _isReleased;
    private volatile bool _readPaused;
    private volatile bool _readerDone;
    private bool _readClosed;
    private int _closedFired;

    // Bytes the last readiness brought, up to BulkReceiveSize: the next one's first recv asks for as much. Loop thread only.
    private int _receiveHint;

    // Two things must end before the socket is closed: the send side and the application (DisposeAsync).
    private int _pendingBeforeClose = 2;
    private Exception? _shutdownReason;
    private IDictionary<object, object?>? _items;

    public EpollConnection(Socket socket, EpollLoop loop, MemoryPool<byte> pool, long maxReadBufferSize, long maxWriteBufferSize)
    {
        _socket = socket;
        _loop = loop;
        _pool = pool;
        Fd = (int)socket.Handle;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionId = "E" + Interlocked.Increment(ref s_lastId).ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        // Inline: the handler runs in the receive (shared/PERFORMANCE.md), and sends in its own flush.
        _input = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, maxReadBufferSize, maxReadBufferSize / 2, useSynchronizationContext: false));
        _output = new EpollOutput(this, pool, maxWriteBufferSize);
        _application = new DuplexPipe(_input.Reader, _output);
        Transport = _application;
        var features = new FeatureCollection();
        features.Set<IConnectionSocketFeature>(this);
        features.Set<IMemoryPoolFeature>(this);
        features.Set<IConnectionIdFeature>(this);
        features.Set<IConnectionItemsFeature>(this);
        features.Set<IConnectionLifetimeFeature>(this);
        features.Set<IConnectionEndPointFeature>(this);
        Features = features;
    }

    internal int Fd { get; }

    /// <summary>Whether receiving stopped because the application has the input limit's worth unread.</summary>
    internal bool IsReadingPaused => _readPaused;

    /// <summary>Whether a send waits for the kernel to take more (EPOLLOUT): the client is not reading.</summary>
    internal bool IsWaitingToSend => _output.IsBlocked;

    public Socket Socket => _socket;

    public MemoryPool<byte> MemoryPool => _pool;

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    /// <summary>Adds the socket to its loop.</summary>
    internal void Start()
    {
        _handle = GCHandle.Alloc(this);
        _data = (ulong)GCHandle.ToIntPtr(_handle);
        lock (_gate)
        {
            _interest = LinuxNative.EpollIn;
            _registered = _added = _loop.Add(this, _data);
        }

        if (!_added)
        {
            // The loop is stopping (or the kernel refused): the loop never sees this connection, so its end is here.
            FinishReading(new ConnectionAbortedException("The connection could not be added to an event loop."));
            Abort(new ConnectionAbortedException("The connection could not be added to an event loop."));
        }
    }

    /// <summary>On the loop's thread: what epoll reported for this socket.</summary>
    internal void OnEvents(uint events)
    {
        var hangUp = (events & (LinuxNative.EpollErr | LinuxNative.EpollHup)) != 0;
        if ((events & LinuxNative.EpollIn) != 0 || hangUp)
        {
            if (!_readClosed)
            {
                if (_shutdown)
                {
                    // Aborted: what the kernel still holds is not read, as Kestrel's disposed socket reads nothing more.
                    FinishReading(_shutdownReason ?? new ConnectionAbortedException("The connection was shut down."));
                }
                else if (!_readPaused && !_readerDone)
                {
                    Receive();
                }
                else if (hangUp)
                {
                    // Both directions are gone while the input waits to be read: nothing more will arrive.
                    FinishReading(new ConnectionResetException("The connection was reset by the peer."));
                }
            }
        }

        if ((events & LinuxNative.EpollOut) != 0 || hangUp)
        {
            _output.OnWritable();
        }

        if (hangUp && _readClosed)
        {
            // EPOLLHUP and EPOLLERR cannot be masked: a dead socket would be reported at every wait until closed.
            lock (_gate)
            {
                if (_registered && !_isReleased)
                {
                    _registered = false;
                    _loop.Remove(Fd);
                }
            }
        }
    }

    /// <summary>Sets the epoll interest the state asks for; any thread.</summary>
    internal void UpdateInterest()
    {
        bool updated;
        lock (_gate)
        {
            updated = UpdateInterestLocked();
        }

        if (!updated)
        {
            InterestFailed();
        }
    }

    /// <summary>
    /// From the output, whose send found the kernel full: watch for room (EPOLLOUT). False when no event can come: the
    /// socket is shut down, out of the loop's set, or the kernel refused the change.
    /// </summary>
    internal bool WatchWritable()
    {
        bool watched;
        lock (_gate)
        {
            if (_shutdown || !_registered || _isReleased)
            {
                return false;
            }

            watched = UpdateInterestLocked();
        }

        if (!watched)
        {
            InterestFailed();
        }

        return watched;
    }

    /// <summary>
    /// epoll_ctl refused a change (out of kernel memory): the loop can no longer be trusted to wake this connection,
    /// so it ends, and the handler's pending read is cancelled rather than left waiting for input that may not come.
    /// </summary>
    private void InterestFailed()
    {
        Abort(new ConnectionAbortedException("The connection's readiness could not be watched."));
        _input.Reader.CancelPendingRead();
    }

    /// <summary>Sets the epoll interest the state asks for; false when the kernel refused (the socket is then unwatched).</summary>
    private bool UpdateInterestLocked()
    {
        var wanted = 0u;
        if (!_readClosed && !_readPaused && !_readerDone)
        {
            wanted |= LinuxNative.EpollIn;
        }

        if (_output.IsBlocked)
        {
            wanted |= LinuxNative.EpollOut;
        }

        if (wanted != _interest && _registered && !_isReleased)
        {
            _interest = wanted;
            if (!_loop.Modify(Fd, wanted, _data))
            {
                _registered = false;
                return false;
            }
        }

        return true;
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        Shutdown(abortReason);
        // Sending stops at once: what was not sent is dropped, as by Kestrel.
        _output.Abort();
    }

    /// <summary>
    /// Both directions shut down: the peer sees the close, and the loop hears of it (EPOLLHUP), which ends the input
    /// and wakes a send waiting for room. The descriptor stays open until the loop releases the connection.
    /// </summary>
    private void Shutdown(Exception? reason)
    {
        lock (_gate)
        {
            if (_shutdown || _isReleased)
            {
                return;
            }

            _shutdown = true;
            _shutdownReason = reason as ConnectionAbortedException;
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Not connected any more: nothing to shut down.
            }
        }

        if (!_registered)
        {
            // The loop no longer watches the socket (or never did): a send waiting for room finds out here.
            _output.OnWritable();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The application's halves, as Kestrel completes them (a TLS layer may have replaced Transport).
            _input.Reader.Complete();
            _output.Complete();
            CloseWhenDone();
        }

        // The token source is not disposed: a cancel queued to the pool may still be on its way.
        await _released.Task.ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void CloseWhenDone()
    {
        if (Interlocked.Decrement(ref _pendingBeforeClose) == 0)
        {
            if (_added)
            {
                _loop.Close(this);
            }
            else
            {
                // Never on a loop: nothing else can touch it.
                Release();
            }
        }
    }

    /// <summary>On the loop's thread, after it removed the socket from its epoll set: the end of the connection.</summary>
    internal void Release()
    {
        lock (_gate)
        {
            _isReleased = true;
            _registered = false;
        }

        FinishReading(null);
        _socket.Dispose();
        _handle.Free();
        _released.TrySetResult();
    }

    /// <summary>
    /// From the output, once its send side ended (all sent after the application completed, an abort, or a failed
    /// send): the socket is shut down, a pending read returns, and the socket closes once the application is done.
    /// </summary>
    internal void OnOutputEnded(Exception? reason)
    {
        Shutdown(reason);
        _input.Reader.CancelPendingRead();
        CloseWhenDone();
    }

    internal static IOException SocketError(int errno, string call) => errno switch
    {
        // ECONNRESET, EPIPE, ECONNABORTED, ETIMEDOUT (keepalive), EHOSTUNREACH, ENETUNREACH: the peer is gone.
        104 or 32 or 103 or 110 or 113 or 101 => new ConnectionResetException($"{call} failed: errno {errno}"),
        _ => new IOException($"{call} failed: errno {errno}"),
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
