using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Http;

/// <summary>The admin HTTP API on the admin port: cluster membership and health.</summary>
internal static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/cluster", GetCluster);
        routes.MapGet("/healthz", GetHealth);
        return routes;
    }

    /// <summary>The members' addresses in the original tool's format: <c>["127.0.0.1"]</c>; <c>host:port</c> when ports differ from the defaults.</summary>
    internal static Ok<string[]> GetCluster(IOptions<PepperCacheOptions> options, NodeEndpoints endpoints)
    {
        var node = options.Value;
        var port = endpoints.RespEndPoint?.Port ?? node.Port;
        var adminPort = endpoints.AdminEndPoint?.Port ?? node.AdminPort;
        var address = port == 9004 && adminPort == 18088 ? node.Node : $"{node.Node}:{port}";
        return TypedResults.Ok(new[] { address });
    }

    internal static Ok<string> GetHealth() => TypedResults.Ok("OK");
}
