using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PepperCache.Server.Acl;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Membership calls to other members' admin ports: JSON over HTTP/1.1, with the cluster secret when one is set and,
/// when this node has a requirepass, the default user's credentials with it (members of one cluster share requirepass).
/// Over HTTPS when this node's admin port serves HTTPS (<c>--tls-admin</c>/<c>--tls-cluster</c>; members are set
/// alike), presenting this node's certificate and trusting only the CA's.
/// </summary>
internal sealed class PeerClient : IDisposable
{
    public const string SecretHeader = "X-Pepper-Cluster-Secret";

    private readonly HttpClient _http;
    private readonly AclState? _acl;
    private readonly string _scheme = "http";

    public PeerClient(IOptions<PepperCacheOptions> options, AclState? acl = null, Tls.NodeTls? tls = null)
    {
        _acl = acl;
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2) };
        if (tls is { AdminHttps: true })
        {
            // Peers are addressed by IP; their certificates are checked against the CA, not against a host name.
            handler.SslOptions = tls.ClientOptions(targetHost: null);
            _scheme = "https";
        }

        _http = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrEmpty(options.Value.ClusterSecret))
        {
            _http.DefaultRequestHeaders.Add(SecretHeader, options.Value.ClusterSecret);
        }
    }

    /// <summary>Exchanges this node started and their bytes (request and reply bodies), for <c>GET /cluster/nodes</c> and the benchmark.</summary>
    public GossipTraffic Traffic => new(
        Interlocked.Read(ref _exchanges), Interlocked.Read(ref _bytesSent), Interlocked.Read(ref _bytesReceived),
        Interlocked.Read(ref _wholeTables), Interlocked.Read(ref _deltas));

    private long _exchanges;
    private long _bytesSent;
    private long _bytesReceived;
    private long _wholeTables;
    private long _deltas;

    /// <summary>
    /// A network partition for tests: exchanges with a peer whose admin port this returns true for fail as unreachable
    /// (set on both sides, it cuts every membership exchange between them, each being a request and its reply).
    /// </summary>
    internal Func<int, bool>? CutOff { get; set; }

    /// <summary>Posts <paramref name="message"/> to <c>http(s)://host:adminPort/path</c> and returns the peer's reply.</summary>
    /// <exception cref="HttpRequestException">Unreachable, refused, or not a member reply.</exception>
    /// <exception cref="OperationCanceledException">No reply within <paramref name="timeout"/>.</exception>
    public async Task<GossipMessage> ExchangeAsync(string host, int adminPort, string path, GossipMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (CutOff?.Invoke(adminPort) == true)
        {
            throw new HttpRequestException($"{host}:{adminPort} is cut off from this node (test partition)");
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var uri = new Uri($"{_scheme}://{FormatHost(host)}:{adminPort}{path}");
        // Serialised up front (not streamed) so the bytes can be counted: a message is a few hundred bytes to a few KB.
        var body = JsonSerializer.SerializeToUtf8Bytes(message, ClusterJsonContext.Default.GossipMessage);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        // Read per call: CONFIG SET requirepass takes effect for the next exchange.
        if (_acl is not null && Http.AdminAuth.PeerCredentials(_acl) is { } credentials)
        {
            request.Headers.Authorization = credentials;
        }

        Interlocked.Increment(ref _exchanges);
        Interlocked.Add(ref _bytesSent, body.Length);
        Interlocked.Increment(ref message.Slots is not null ? ref _wholeTables : ref _deltas);
        using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var reply = await response.Content.ReadAsByteArrayAsync(cts.Token).ConfigureAwait(false);
        Interlocked.Add(ref _bytesReceived, reply.Length);
        return JsonSerializer.Deserialize(reply, ClusterJsonContext.Default.GossipMessage)
               ?? throw new HttpRequestException("empty reply from " + uri);
    }

    public void Dispose() => _http.Dispose();

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
}

/// <summary>
/// Gossip exchanges a node started: how many, the bytes of their requests and replies, and how many requests carried
/// the whole slot table rather than a delta (or nothing).
/// </summary>
internal sealed record GossipTraffic(long Exchanges, long BytesSent, long BytesReceived, long WholeTables, long Deltas);
