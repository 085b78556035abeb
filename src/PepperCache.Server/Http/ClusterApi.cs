using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Http;

/// <summary>The admin HTTP API on the admin port: cluster membership and health.</summary>
internal static class ClusterApi
{
    public static RouteGroupBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("");
        api.MapGet("/cluster", GetCluster);
        api.MapGet("/healthz", GetHealth);
        return api;
    }

    /// <summary>The members' addresses in the original tool's format: <c>["127.0.0.1"]</c>; <c>host:port</c> when ports differ from the defaults.</summary>
    internal static Ok<string[]> GetCluster(IOptions<PepperCacheOptions> options, NodeEndpoints endpoints)
    {
        var node = options.Value;
        var port = endpoints.RespEndPoint?.Port ?? node.Port;
        var adminPort = endpoints.AdminEndPoint?.Port ?? node.AdminPort;
        var address = port == PepperCacheOptions.DefaultPort && adminPort == PepperCacheOptions.DefaultAdminPort ? node.Node : $"{node.Node}:{port}";
        return TypedResults.Ok(new[] { address });
    }

    /// <summary>Plain-text <c>OK</c> for load balancers and probes; 200 means both listeners are up.</summary>
    internal static ContentHttpResult GetHealth() => TypedResults.Text("OK");
}
