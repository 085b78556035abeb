using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Cluster;

/// <summary>Membership calls to other members' admin ports: JSON over HTTP/1.1, with the cluster secret when one is set.</summary>
internal sealed class PeerClient : IDisposable
{
    public const string SecretHeader = "X-Pepper-Cluster-Secret";

    private readonly HttpClient _http;

    public PeerClient(IOptions<PepperCacheOptions> options)
    {
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrEmpty(options.Value.ClusterSecret))
        {
            _http.DefaultRequestHeaders.Add(SecretHeader, options.Value.ClusterSecret);
        }
    }

    /// <summary>Posts <paramref name="message"/> to <c>http://host:adminPort/path</c> and returns the peer's reply.</summary>
    /// <exception cref="HttpRequestException">Unreachable, refused, or not a member reply.</exception>
    /// <exception cref="OperationCanceledException">No reply within <paramref name="timeout"/>.</exception>
    public async Task<GossipMessage> ExchangeAsync(string host, int adminPort, string path, GossipMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var uri = new Uri($"http://{FormatHost(host)}:{adminPort}{path}");
        using var content = JsonContent.Create(message, ClusterJsonContext.Default.GossipMessage);
        using var response = await _http.PostAsync(uri, content, cts.Token).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ClusterJsonContext.Default.GossipMessage, cts.Token).ConfigureAwait(false)
               ?? throw new HttpRequestException("empty reply from " + uri);
    }

    public void Dispose() => _http.Dispose();

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
}
