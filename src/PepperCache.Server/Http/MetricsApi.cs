using PepperCache.Server.Hosting;

namespace PepperCache.Server.Http;

/// <summary><c>GET /metrics</c>: the node's figures in Prometheus's text format (see <see cref="NodeMetrics"/> and docs/operations.md).</summary>
internal static class MetricsApi
{
    /// <summary>Prometheus's text exposition format, version 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static RouteHandlerBuilder MapMetricsApi(this RouteGroupBuilder api) => api.MapGet("/metrics", GetMetricsAsync);

    internal static async Task GetMetricsAsync(HttpContext http, NodeMetrics metrics)
    {
        http.Response.ContentType = ContentType;
        await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
    }
}
