using PepperCache.Core.Cluster;
using PepperCache.Core.Storage;
using PepperCache.Server.Cluster;

namespace PepperCache.Server.Http;

/// <summary>
/// Membership calls between members (<c>POST /join</c>, <c>POST /cluster/gossip</c>, <c>POST /leave</c>), each
/// guarded by <see cref="MembershipAccess"/> (the cluster secret, or loopback peers only without one) or, when a
/// password is set, by the admin credentials (either will do), and <c>GET /cluster/nodes</c> for people and tools, in
/// the admin group (credentials only).
/// </summary>
internal static class MembershipApi
{
    public static void MapMembershipApi(this IEndpointRouteBuilder routes, RouteGroupBuilder admin)
    {
        var guarded = routes.MapGroup("").AddEndpointFilter(AdminAuth.RequireSecretOrCredentials);
        guarded.MapPost("/join", Join);
        guarded.MapPost("/cluster/gossip", Gossip);
        guarded.MapPost("/leave", Leave);
        admin.MapGet("/cluster/nodes", GetNodes);
    }

    private static async Task<IResult> Join(HttpRequest request, ClusterState cluster, KeyValueStore store)
    {
        if (await ReadAsync(request).ConfigureAwait(false) is not { } message)
        {
            return Results.BadRequest();
        }

        cluster.Merge(message);
        return Reply(cluster.CreateMessage(includeSlots: true, store.Count));
    }

    private static async Task<IResult> Gossip(HttpRequest request, ClusterState cluster, KeyValueStore store)
    {
        if (await ReadAsync(request).ConfigureAwait(false) is not { } message)
        {
            return Results.BadRequest();
        }

        if (!message.Pull)
        {
            cluster.Merge(message);
        }

        // What the sender lacks of our slot table (the changes since it acknowledged ours, usually none; all of it for a
        // pull), so one round trip merges both ways.
        return Reply(cluster.CreateMessage(includeSlots: true, store.Count, to: message.From, wholeTable: message.Pull));
    }

    /// <summary>Graceful leave, as SIGTERM: the node hands its slots over and exits; 202 at once.</summary>
    private static IResult Leave(IHostApplicationLifetime lifetime)
    {
        _ = Task.Run(lifetime.StopApplication);
        return Results.Accepted();
    }

    private static IResult GetNodes(ClusterState cluster, KeyValueStore store, IServiceProvider services, PeerClient peers)
    {
        var (serving, planned) = cluster.SlotRangesByOwner();
        var planEpoch = cluster.PlanEpoch;
        var rebalancer = services.GetService<IRebalancer>();
        var rows = cluster.Members()
            .OrderBy(m => m.Host, StringComparer.Ordinal).ThenBy(m => m.Port)
            .Select(m =>
            {
                var ranges = serving.GetValueOrDefault(m.Id) ?? [];
                var myself = m.Id == cluster.MyId;
                return new NodeInfo(
                    m.Id, m.Host, m.Port, m.AdminPort, m.Status.ToString().ToLowerInvariant(), myself,
                    ranges.Sum(r => r.Count), ranges.Count, string.Join(',', ranges),
                    myself ? store.Count : cluster.KeyCountOf(m.Id),
                    myself ? rebalancer?.Progress : null,
                    m.TlsPort,
                    string.Join(',', planned.GetValueOrDefault(m.Id) ?? []),
                    planEpoch,
                    myself ? peers.Traffic : null);
            })
            .ToArray();
        return Results.Json(rows, ClusterJsonContext.Default.NodeInfoArray);
    }

    private static async Task<GossipMessage?> ReadAsync(HttpRequest request)
    {
        try
        {
            return await request.ReadFromJsonAsync(ClusterJsonContext.Default.GossipMessage, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static IResult Reply(GossipMessage message) => Results.Json(message, ClusterJsonContext.Default.GossipMessage);
}
