using Microsoft.AspNetCore.Http.HttpResults;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Http;

/// <summary>
/// The admin HTTP API on the admin port: cluster membership and health. With a password on the default user every
/// route but /healthz and /readyz asks for credentials (<see cref="AdminAuth"/>); membership calls take the cluster secret too.
/// </summary>
internal static class ClusterApi
{
    public static RouteGroupBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        // Open: load balancers and probes carry no credentials.
        routes.MapHealthApi();
        var api = routes.MapGroup("").AddEndpointFilter(AdminAuth.RequireCredentials);
        api.MapGet("/cluster", GetCluster);
        api.MapMetricsApi();
        routes.MapMembershipApi(api);
        return api;
    }

    /// <summary>The serving members' addresses in the original tool's format: <c>["127.0.0.1"]</c>; <c>host:port</c> when ports differ from the defaults.</summary>
    internal static Ok<string[]> GetCluster(ClusterState cluster) => TypedResults.Ok(
        cluster.Members()
            .Where(m => m.IsServing)
            .OrderBy(m => m.Host, StringComparer.Ordinal)
            .ThenBy(m => m.Port)
            // A member serving TLS only is listed with its TLS port.
            .Select(m => FormatAddress(m.Host, m.ToNode().ClientPort(tls: false), m.AdminPort))
            .ToArray());

    /// <summary>The bare address on the default ports, else <c>host:port</c> (the cache port).</summary>
    internal static string FormatAddress(string host, int port, int adminPort) =>
        port == PepperCacheOptions.DefaultPort && adminPort == PepperCacheOptions.DefaultAdminPort ? host : $"{host}:{port}";
}
