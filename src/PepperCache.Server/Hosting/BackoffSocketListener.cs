using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Accepts a port's connections as Kestrel's socket listener does, except when accept fails for want of resources.
/// </summary>
/// <remarks>
/// At the open-files limit accept4 fails with EMFILE while the client waits in the backlog, so the listening socket
/// stays readable. Kestrel's listener takes every accept error for a connection reset in the backlog and accepts
/// again at once: a busy loop (61,393 failed accepts in 35 s at 104% CPU), until the runtime, unable to start a
/// thread without a descriptor, printed "Out of memory." and exited. Here such a failure lets the spare descriptors
/// go (<see cref="DescriptorHeadroom"/>), has the clients that fit counted again (<paramref name="exhausted"/>: the
/// next ones are refused with Redis's maxclients error) and waits before accepting again, 5 ms doubling to
/// <see cref="MaxDelayMs"/>, while open connections are served. A warning comes at most every 10 s.
/// </remarks>
internal sealed class BackoffSocketListener(
    Socket listenSocket,
    Func<Socket, ConnectionContext> connections,
    IDisposable? ownedTransport,
    bool noDelay,
    DescriptorHeadroom headroom,
    Action exhausted,
    ILogger logger,
    TimeProvider time) : IConnectionListener
{
    /// <summary>The longest wait between two accepts while descriptors are short: how soon a freed one is used.</summary>
    internal const int MaxDelayMs = 200;

    private const int MinDelayMs = 5;

    // One line per 10 s while accepts fail, then one with how many more there were.
    private readonly LogRateLimiter _failureLog = new(logger, "accept failure", 1, TimeSpan.FromSeconds(10), time);
    private int _delayMs;
    private long _failures;

    public EndPoint EndPoint { get; } = listenSocket.LocalEndPoint!;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var socket = await listenSocket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                if (_failures > 0)
                {
                    Log.AcceptRecovered(logger, _failures);
                    _failures = 0;
                    _delayMs = 0;
                }

                if (socket.LocalEndPoint is IPEndPoint)
                {
                    socket.NoDelay = noDelay;
                }

                return connections(socket);
            }
            catch (ObjectDisposedException)
            {
                // Unbound: no more connections.
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // EMFILE/ENFILE (descriptors), ENOBUFS/ENOMEM (kernel memory): trying again at once gains nothing.
                headroom.Release();
                exhausted();
                _failures++;
                if (_failureLog.ShouldLog())
                {
                    Log.AcceptFailing(logger, ex.Message, MaxDelayMs);
                }

                _delayMs = Math.Clamp(_delayMs * 2, MinDelayMs, MaxDelayMs);
                try
                {
                    await Task.Delay(_delayMs, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
            catch (SocketException)
            {
                // As Kestrel: the connection was reset while it waited in the backlog; take the next one.
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listenSocket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        listenSocket.Dispose();
        ownedTransport?.Dispose();
        return ValueTask.CompletedTask;
    }
}
