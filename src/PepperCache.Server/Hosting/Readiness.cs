using Microsoft.Extensions.Options;
using PepperCache.Server.Cluster;
using PepperCache.Server.Persistence;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Whether the node should get traffic (<c>GET /readyz</c>): the append-only file is loaded and the node has joined
/// its cluster (or founded one, started without <c>--cluster</c>), and it is neither leaving nor shutting down.
/// Otherwise one line saying why, for the 503 body and the operator reading a probe's failure.
/// </summary>
/// <remarks>
/// While the file replays, Kestrel does not accept yet (the connection waits in the kernel's backlog; see
/// <see cref="NodeEndpoints"/>), so a probe times out rather than read "loading"; the reason is kept for a load that
/// a later version may run behind an open port, and for tests.
/// </remarks>
internal sealed class Readiness(
    IHostApplicationLifetime lifetime,
    AppendOnlyLog aof,
    ClusterState cluster,
    GossipService gossip,
    IOptions<PepperCacheOptions> options)
{
    /// <summary>Null when ready; otherwise why not, in a few words.</summary>
    public string? NotReadyReason()
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return "shutting down";
        }

        if (aof.Loading)
        {
            return "loading the append-only file";
        }

        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return "starting";
        }

        switch (cluster.MyStatus)
        {
            case MemberStatus.Leaving:
                return "leaving the cluster: handing its slots over";
            case MemberStatus.Left:
                return "left the cluster";
        }

        var seed = options.Value.Cluster;
        var failures = gossip.FailedJoins;
        var lastFailure = failures > 0 ? $" ({failures} attempts failed, the last: {gossip.LastJoinFailure})" : "";
        return gossip.Join switch
        {
            StartupJoin.Done => null,
            StartupJoin.GaveUp => $"gave up joining the cluster through {seed}{lastFailure}",
            _ when cluster.IsReturning => "rejoining the cluster: taking its current state from the members",
            _ when !string.IsNullOrWhiteSpace(seed) => $"joining the cluster through {seed}{lastFailure}",
            _ => "starting",
        };
    }
}
