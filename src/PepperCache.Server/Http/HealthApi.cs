using Microsoft.AspNetCore.Http.HttpResults;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Http;

/// <summary>
/// Probes: <c>GET /healthz</c> (the process answers) and <c>GET /readyz</c> (it should get traffic). Both open
/// without credentials whatever requirepass says: load balancers and Kubernetes probes carry none.
/// </summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", GetHealth);
        routes.MapGet("/readyz", GetReady);
        return routes;
    }

    /// <summary>Plain-text <c>OK</c> for load balancers and probes; 200 means both listeners are up.</summary>
    internal static ContentHttpResult GetHealth() => TypedResults.Text("OK");

    /// <summary>200 <c>OK</c> once ready; 503 with the reason in plain text before (see <see cref="Readiness"/>).</summary>
    internal static ContentHttpResult GetReady(Readiness readiness) =>
        readiness.NotReadyReason() is { } reason
            ? TypedResults.Text(reason, "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Text("OK");
}
