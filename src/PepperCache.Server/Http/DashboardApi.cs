using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Http;

/// <summary>
/// The dashboard: a static page at <c>/</c> (files embedded in the server, nothing fetched from elsewhere) that polls
/// <c>/cluster/nodes</c> on this node and <c>/dashboard/stats</c> on every member. Behind the same credentials as
/// <c>GET /cluster</c>; the page itself holds no secret.
/// </summary>
internal static class DashboardApi
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
    };

    // Only what the page's own files need: scripts and styles from this origin, data from any member's admin port.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src *; base-uri 'none'; frame-ancestors 'none'";

    public static void MapDashboardApi(this RouteGroupBuilder api)
    {
        api.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        api.MapGet("/dashboard/{file}", (HttpContext http, string file) => Serve(http, file));
        api.MapGet("/dashboard/stats", GetStats);
    }

    private static IResult Serve(HttpContext http, string file)
    {
        if (!Files.TryGetValue(file, out var contentType) ||
            typeof(DashboardApi).Assembly.GetManifestResourceStream("dashboard/" + file) is not { } stream)
        {
            return Results.NotFound();
        }

        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Stream(stream, contentType);
    }

    /// <summary>
    /// This node's figures for the dashboard. Other members' pages read it across origins (each admin port is an
    /// origin of its own), so it allows any origin; it carries nothing /metrics does not.
    /// </summary>
    internal static IResult GetStats(HttpContext http, ServerState server, ClusterState cluster, IServiceProvider services)
    {
        http.Response.Headers.AccessControlAllowOrigin = "*";
        var stats = StatsSnapshot.Take(server);
        var store = server.Store;
        var rebalance = services.GetService<IRebalancer>()?.Progress;
        return Results.Json(
            new DashboardStats(
                cluster.MyId, store.Now, store.Count, store.UsedMemoryExact, server.Config.MaxMemory, Environment.WorkingSet,
                stats.Commands, stats.Hits, stats.Misses, server.Clients.ConnectedCount, (store.Now - server.StartedAt) / 1000, rebalance),
            DashboardJsonContext.Default.DashboardStats);
    }
}

/// <summary>What <c>/dashboard/stats</c> answers: counters are totals since start; the page turns them into rates.</summary>
internal sealed record DashboardStats(
    string Id,
    long Time,
    long Keys,
    long UsedMemory,
    long MaxMemory,
    long Rss,
    long Commands,
    long Hits,
    long Misses,
    int Clients,
    long UptimeSeconds,
    RebalanceProgress? Rebalance);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DashboardStats))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
