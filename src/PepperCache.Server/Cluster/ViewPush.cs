using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Cluster;

/// <summary>
/// One gossip exchange with one member outside the rounds: the message a round would send it, and its reply merged
/// here. The rebalancer sends it to a target that refused a hand-over because it had not heard this node's plan (or
/// slot table) yet, rather than back off until a spaced round brings it (docs/cluster.md, "Rebalance"). It takes the
/// authenticated membership path, so the target learns nothing from a mover that it would not learn from gossip.
/// </summary>
internal sealed class ViewPush(ClusterState cluster, PeerClient peers, KeyValueStore store, IOptions<PepperCacheOptions> options)
{
    /// <summary>One exchange may take this long (as a gossip round's, <see cref="GossipService"/>).</summary>
    internal static TimeSpan RequestTimeout(PepperCacheOptions options) => TimeSpan.FromMilliseconds(Math.Clamp(options.NodeTimeout / 2, 200, 2000));

    /// <summary>Exchanges views with <paramref name="target"/>; false when it could not be reached or did not answer as a member.</summary>
    public async Task<bool> SendAsync(ClusterNode target, CancellationToken cancellationToken)
    {
        if (await ExchangeAsync(target.Id, target.Host, target.AdminPort, cancellationToken).ConfigureAwait(false) is not { } reply)
        {
            return false;
        }

        cluster.Merge(reply);
        return true;
    }

    /// <summary>
    /// The exchange a gossip round makes with each member (<see cref="GossipService"/>) and this class with a target:
    /// this node's message, slot table included, and the member's reply, not yet merged; null when it did not answer.
    /// </summary>
    public async Task<GossipMessage?> ExchangeAsync(string id, string host, int adminPort, CancellationToken cancellationToken)
    {
        try
        {
            var message = cluster.CreateMessage(includeSlots: true, store.Count, to: id);
            return await peers.ExchangeAsync(host, adminPort, "/cluster/gossip", message, RequestTimeout(options.Value), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when ((ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException) && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
