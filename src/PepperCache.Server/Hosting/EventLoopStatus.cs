using PepperCache.Server.Transport;

namespace PepperCache.Server.Hosting;

/// <summary>
/// The cache port's event loops as INFO reports them: set by the transport factory once it made them, read by the
/// command handlers, which are built before any port is bound.
/// </summary>
internal sealed class EventLoopStatus
{
    private volatile EpollTransport? _transport;

    /// <summary>How many threads serve the loops now; 0 before the port is bound, or on Kestrel's sockets.</summary>
    public int ActiveThreads => _transport?.ActiveThreads ?? 0;

    internal void Attach(EpollTransport? transport) => _transport = transport;
}
