using System.Net.Http.Json;
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

    /// <summary>Posts <paramref name="message"/> to <c>http(s)://host:adminPort/path</c> and returns the peer's reply.</summary>
    /// <exception cref="HttpRequestException">Unreachable, refused, or not a member reply.</exception>
    /// <exception cref="OperationCanceledException">No reply within <paramref name="timeout"/>.</exception>
    public async Task<GossipMessage> ExchangeAsync(string host, int adminPort, string path, GossipMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var uri = new Uri($"{_scheme}://{FormatHost(host)}:{adminPort}{path}");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = JsonContent.Create(message, ClusterJsonContext.Default.GossipMessage),
        };
        // Read per call: CONFIG SET requirepass takes effect for the next exchange.
        if (_acl is not null && Http.AdminAuth.PeerCredentials(_acl) is { } credentials)
        {
            request.Headers.Authorization = credentials;
        }

        using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ClusterJsonContext.Default.GossipMessage, cts.Token).ConfigureAwait(false)
               ?? throw new HttpRequestException("empty reply from " + uri);
    }

    public void Dispose() => _http.Dispose();

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
}
