using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using PepperCache.Server.Resp;
using PepperCache.Server.Transport;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Kestrel's transport for the node's ports, accepted by <see cref="BackoffSocketListener"/>, which waits rather than
/// spins when the process is out of descriptors. The cache ports' connections run on <see cref="EpollTransport"/>
/// when it is enabled (<c>--transport</c>), the admin port's, and all of them otherwise, on Kestrel's own socket
/// connections as <c>UseSockets</c> configures them. Registered after Kestrel's socket transport, so Kestrel picks it
/// for every IP endpoint.
/// </summary>
internal sealed class BackoffSocketTransportFactory(
    IOptions<SocketTransportOptions> options,
    IOptions<PepperCacheOptions> node,
    DescriptorHeadroom headroom,
    EventLoopStatus loops,
    IServiceProvider services,
    ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly Lock _lock = new();
    private EpollTransport? _epoll;

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    /// <summary>The epoll transport's loops once the cache port is bound on it; null before, or on Kestrel's sockets.</summary>
    internal int? EventLoops
    {
        get
        {
            lock (_lock)
            {
                return _epoll?.LoopCount;
            }
        }
    }

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var transport = options.Value;
        var socket = transport.CreateBoundListenSocket(endpoint);
        socket.Listen(transport.Backlog);
        var logger = loggers.CreateLogger<BackoffSocketListener>();
        Func<Socket, ConnectionContext> connections;
        IDisposable? owned = null;
        if (node.Value.EpollTransportEnabled && NodeEndpoints.IsCacheEndPoint(endpoint))
        {
            // One set of loops for the plain and the TLS cache port, made at the first bind.
            var epoll = Epoll(transport);
            connections = epoll.Create;
        }
        else
        {
            var settings = new SocketConnectionFactoryOptions
            {
                IOQueueCount = transport.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = transport.MaxReadBufferSize,
                MaxWriteBufferSize = transport.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
            };
            var factory = new SocketConnectionContextFactory(settings, logger);
            connections = factory.Create;
            owned = factory;
        }

        return new(new BackoffSocketListener(socket, connections, owned, transport.NoDelay, headroom, Recount, logger, services.GetRequiredService<TimeProvider>()));
    }

    private EpollTransport Epoll(SocketTransportOptions transport)
    {
        lock (_lock)
        {
            if (_epoll is null)
            {
                _epoll = new EpollTransport(
                    node.Value.EventLoops,
                    transport.MaxReadBufferSize ?? RespConnectionHandler.MaxReadBufferSize,
                    transport.MaxWriteBufferSize ?? 64 * 1024,
                    loggers.CreateLogger<EpollTransport>());
                loops.Attach(_epoll);
            }

            return _epoll;
        }
    }

    /// <summary>Out of descriptors: count again what fits, so the next clients are refused as at maxclients.</summary>
    private void Recount()
    {
        // Resolved here, not at construction: Kestrel is built before the node's state may be read (see NodeEndpoints).
        var server = services.GetRequiredService<ServerState>();
        headroom.Recount(server.Config.Clients, server.Clients.Admitted);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            loops.Attach(null);
            _epoll?.Dispose();
            _epoll = null;
        }
    }
}
