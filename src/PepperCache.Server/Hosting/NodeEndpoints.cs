using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace PepperCache.Server.Hosting;

/// <summary>A port the node cannot listen on: reported in one line, as <c>cannot bind the cache port 127.0.0.1:9004: address already in use</c>.</summary>
internal sealed class PortUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The node's listen sockets: the cache port (RESP), the TLS cache port when <c>--tls-port</c> is set, and the admin
/// port (HTTP or HTTPS).
/// </summary>
/// <remarks>
/// <see cref="Bind"/> opens both, and it is called before anything reads or writes the node's data (before
/// <c>ClusterState</c> is made, which reads <c>nodes.json</c>; before <c>AofService</c> replays the append-only file),
/// so a node whose port is taken exits having touched no file. The sockets listen from then on, but Kestrel accepts from them only when it
/// starts, after the append-only file has been replayed (the web host starts after every other hosted service):
/// until then a client's connection waits in the kernel's backlog and is not answered from a half-loaded store.
/// Kestrel takes the sockets over through <see cref="SocketTransportOptions.CreateBoundListenSocket"/>; those it never
/// took (a start that failed) are closed on dispose.
/// </remarks>
public sealed class NodeEndpoints : IDisposable
{
    private readonly Lock _lock = new();
    private readonly PepperCacheOptions _options;
    private Socket? _resp;
    private Socket? _admin;
    private Socket? _tls;
    private bool _bound;

    public NodeEndpoints(IOptions<PepperCacheOptions> options) => _options = options.Value;

    /// <summary>Which of the node's two ports.</summary>
    internal enum NodePort
    {
        Cache,
        Admin,
        Tls,
    }

    /// <summary>The bound plain cache (RESP) endpoint, with the real port when 0 was asked for; null until <see cref="Bind"/>, and with no plain port.</summary>
    public IPEndPoint? RespEndPoint { get; private set; }

    /// <summary>The bound admin (HTTP) endpoint; null until <see cref="Bind"/>.</summary>
    public IPEndPoint? AdminEndPoint { get; private set; }

    /// <summary>The bound TLS cache endpoint (<c>--tls-port</c>); null until <see cref="Bind"/>, and when there is none.</summary>
    public IPEndPoint? TlsEndPoint { get; private set; }

    /// <summary>Binds and listens on the node's ports, once; later calls return at once.</summary>
    /// <exception cref="PortUnavailableException">A port is in use, or the address is not this machine's.</exception>
    public void Bind()
    {
        lock (_lock)
        {
            if (_bound)
            {
                return;
            }

            var opened = new List<Socket>(3);
            try
            {
                if (_options.PlainPortEnabled)
                {
                    _resp = Open(NodePort.Cache, new IPEndPoint(ListenAddress, _options.Port));
                    opened.Add(_resp);
                }

                if (_options.TlsPort != 0)
                {
                    _tls = Open(NodePort.Tls, new IPEndPoint(ListenAddress, _options.TlsPort));
                    opened.Add(_tls);
                }

                _admin = Open(NodePort.Admin, new IPEndPoint(ListenAddress, _options.AdminPort));
            }
            catch
            {
                foreach (var socket in opened)
                {
                    socket.Dispose();
                }

                _resp = _tls = null;
                throw;
            }

            RespEndPoint = (IPEndPoint?)_resp?.LocalEndPoint;
            TlsEndPoint = (IPEndPoint?)_tls?.LocalEndPoint;
            AdminEndPoint = (IPEndPoint)_admin.LocalEndPoint!;
            _bound = true;
        }
    }

    /// <summary>The port clients reach this node on: the plain one, or the TLS one when there is no plain one.</summary>
    public IPEndPoint? ClientEndPoint => RespEndPoint ?? TlsEndPoint;

    /// <summary>
    /// The endpoint to give Kestrel for <paramref name="port"/>: the configured address and port (0 until bound),
    /// tagged with which of the two it is, so <see cref="CreateBoundListenSocket"/> can hand over the right socket
    /// even when both ports are 0. Kestrel is configured before the ports are bound: building the host configures it.
    /// </summary>
    internal IPEndPoint ListenEndPoint(NodePort port) => new TaggedEndPoint(port, ListenAddress, port switch
    {
        NodePort.Cache => _options.Port,
        NodePort.Tls => _options.TlsPort,
        _ => _options.AdminPort,
    });

    /// <summary>Whether Kestrel binds <paramref name="endpoint"/> for RESP clients (the cache port, plain or TLS), not for HTTP.</summary>
    internal static bool IsCacheEndPoint(EndPoint endpoint) => endpoint is TaggedEndPoint { Which: NodePort.Cache or NodePort.Tls };

    /// <summary>Kestrel's <see cref="SocketTransportOptions.CreateBoundListenSocket"/>: the socket bound for that port.</summary>
    internal Socket CreateBoundListenSocket(EndPoint endpoint)
    {
        if (endpoint is not TaggedEndPoint tagged)
        {
            // Not one of the node's two ports (none other is configured): bound as Kestrel would.
            return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }

        Bind();
        lock (_lock)
        {
            ref var socket = ref tagged.Which == NodePort.Cache ? ref _resp : ref tagged.Which == NodePort.Tls ? ref _tls : ref _admin;
            var taken = socket ?? throw new InvalidOperationException($"The {tagged.Which} port's socket was handed over already");
            socket = null;
            return taken;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _resp?.Dispose();
            _tls?.Dispose();
            _admin?.Dispose();
            _resp = null;
            _tls = null;
            _admin = null;
        }
    }

    private IPAddress ListenAddress => _options.BindAddress == "localhost" ? IPAddress.Loopback : IPAddress.Parse(_options.BindAddress);

    private static Socket Open(NodePort port, IPEndPoint endpoint)
    {
        Socket? socket = null;
        try
        {
            socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            // Listening at once: on Linux a second .NET socket can bind a port that another has bound but does not
            // listen on (tried), so only listen() makes the port this node's. Kestrel listens again when it takes
            // the socket, which only sets the backlog.
            socket.Listen();
            return socket;
        }
        catch (SocketException ex)
        {
            socket?.Dispose();
            var reason = ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "address already in use",
                SocketError.AddressNotAvailable => "the address is not this machine's (check --bind and --node)",
                SocketError.AccessDenied => "permission denied",
                _ => ex.Message,
            };
            var name = port switch
            {
                NodePort.Cache => "cache",
                NodePort.Tls => "TLS cache",
                _ => "admin",
            };
            throw new PortUnavailableException($"cannot bind the {name} port {endpoint}: {reason}", ex);
        }
    }

    /// <summary>An endpoint that knows which of the node's ports it is.</summary>
    private sealed class TaggedEndPoint(NodePort port, IPAddress address, int number) : IPEndPoint(address, number)
    {
        public NodePort Which { get; } = port;
    }
}
