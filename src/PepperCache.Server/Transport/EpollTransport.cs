using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace PepperCache.Server.Transport;

/// <summary>
/// The cache port's connections on epoll loops of our own instead of .NET's socket engine: one loop per core (or
/// <c>--io-threads</c>), each connection on one loop for its life (round robin), the loops beyond the first served by
/// the first one's thread until the load needs more (<see cref="EpollLoopScaling"/>). Measured against Kestrel's
/// socket transport in docs/benchmarks.md; Linux only.
/// </summary>
internal sealed class EpollTransport : IDisposable
{
    private readonly EpollLoop[] _loops;
    private readonly PinnedBlockPool _pool = new();
    private readonly long _maxReadBufferSize;
    private readonly long _maxWriteBufferSize;
    private uint _next;

    public EpollTransport(int loops, long maxReadBufferSize, long maxWriteBufferSize, ILogger logger, EpollLoopScaling? scaling = null)
    {
        _maxReadBufferSize = maxReadBufferSize;
        _maxWriteBufferSize = maxWriteBufferSize;
        _loops = new EpollLoop[Math.Max(1, loops)];
        for (var i = 0; i < _loops.Length; i++)
        {
            _loops[i] = new EpollLoop(i, logger, scaling ?? EpollLoopScaling.Default, i == 0 ? null : _loops[0], _loops.Length);
        }
    }

    /// <summary>The loops the connections are spread over.</summary>
    public int LoopCount => _loops.Length;

    /// <summary>How many threads serve the loops now: the first loop's, and each loop's that runs on its own.</summary>
    public int ActiveThreads => _loops.Count(loop => loop.OnOwnThread);

    /// <summary>How many times a loop's set went from one thread to another.</summary>
    internal int HandOvers => _loops[0].HandOvers;

    /// <summary>Whether this platform has epoll (and the transport's struct layouts): Linux on x64 or arm64.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() &&
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is System.Runtime.InteropServices.Architecture.X64 or System.Runtime.InteropServices.Architecture.Arm64;

    /// <summary>Takes over an accepted socket.</summary>
    public ConnectionContext Create(Socket socket)
    {
        socket.Blocking = false;
        var loop = _loops[Interlocked.Increment(ref _next) % (uint)_loops.Length];
        var connection = new EpollConnection(socket, loop, _pool, _maxReadBufferSize, _maxWriteBufferSize);
        connection.Start();
        return connection;
    }

    public void Dispose()
    {
        // The first loop first: as it stops it hands every guest its set back, so each stops on its own thread.
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }

        _pool.Dispose();
    }
}
