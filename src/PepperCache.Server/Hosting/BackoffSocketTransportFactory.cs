using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Kestrel's transport for the node's two ports: sockets as <c>UseSockets</c> configures them (the connections are
/// made by Kestrel's own <see cref="SocketConnectionContextFactory"/>), accepted by <see cref="BackoffSocketListener"/>,
/// which waits rather than spins when the process is out of descriptors. Registered after Kestrel's socket
/// transport, so Kestrel picks it for every IP endpoint.
/// </summary>
internal sealed class BackoffSocketTransportFactory(
    IOptions<SocketTransportOptions> options,
    DescriptorHeadroom headroom,
    IServiceProvider services,
    ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var transport = options.Value;
        var socket = transport.CreateBoundListenSocket(endpoint);
        socket.Listen(transport.Backlog);
        var settings = new SocketConnectionFactoryOptions
        {
            IOQueueCount = transport.IOQueueCount,
            WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer,
            MaxReadBufferSize = transport.MaxReadBufferSize,
            MaxWriteBufferSize = transport.MaxWriteBufferSize,
            UnsafePreferInlineScheduling = transport.UnsafePreferInlineScheduling,
        };
        var logger = loggers.CreateLogger<BackoffSocketListener>();
        var connections = new SocketConnectionContextFactory(settings, logger);
        return new(new BackoffSocketListener(socket, connections, transport.NoDelay, headroom, Recount, logger, services.GetRequiredService<TimeProvider>()));
    }

    /// <summary>Out of descriptors: count again what fits, so the next clients are refused as at maxclients.</summary>
    private void Recount()
    {
        // Resolved here, not at construction: Kestrel is built before the node's state may be read (see NodeEndpoints).
        var server = services.GetRequiredService<ServerState>();
        headroom.Recount(server.Config.Clients, server.Clients.Admitted);
    }
}
