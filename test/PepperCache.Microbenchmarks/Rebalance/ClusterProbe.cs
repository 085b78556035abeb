using System.Globalization;
using System.Text.Json;
using PepperCache.Protocol;

namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>What <c>GET /cluster/nodes</c> on each benchmark node says, and whether the cluster has settled.</summary>
internal sealed class ClusterProbe : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>One node's own view: its id, the alive members' ids, each slot's owner, its rebalance progress.</summary>
    internal sealed record NodeView(string MyId, string[] AliveIds, string?[] Owners, bool Rebalancing, long KeysMoved, int SlotsMoved, string?[] Planned, long PlanEpoch, Gossip Gossip);

    /// <summary>The gossip exchanges a node started: how many, their request and reply bytes, and how many sent the whole slot table.</summary>
    internal readonly record struct Gossip(long Exchanges, long Bytes, long WholeTables)
    {
        public static Gossip operator -(Gossip a, Gossip b) => new(a.Exchanges - b.Exchanges, a.Bytes - b.Bytes, a.WholeTables - b.WholeTables);

        public static Gossip operator +(Gossip a, Gossip b) => new(a.Exchanges + b.Exchanges, a.Bytes + b.Bytes, a.WholeTables + b.WholeTables);
    }

    /// <summary>The sum of every node's gossip counters (a node that does not answer counts nothing).</summary>
    public async Task<Gossip> GossipAsync(IReadOnlyList<ServerProcess> nodes, CancellationToken cancellationToken)
    {
        var sum = default(Gossip);
        foreach (var node in nodes)
        {
            if (await TryReadAsync(node, cancellationToken).ConfigureAwait(false) is { } view)
            {
                sum += view.Gossip;
            }
        }

        return sum;
    }

    public async Task<NodeView?> TryReadAsync(ServerProcess node, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{node.AdminPort}/cluster/nodes"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            return Parse(json.RootElement);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Settled: every node answers, lists exactly <paramref name="expected"/> as its alive members, runs no rebalance,
    /// holds the same slot plan (one epoch, over those members), and has every slot where that plan puts it (so all
    /// agree, and nothing is left to move).
    /// </summary>
    public async Task<NodeView[]?> SettledAsync(IReadOnlyList<ServerProcess> nodes, IReadOnlyCollection<string> expected, CancellationToken cancellationToken)
    {
        var views = new NodeView[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            if (await TryReadAsync(nodes[i], cancellationToken).ConfigureAwait(false) is not { } view
                || view.Rebalancing
                || !view.AliveIds.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
            {
                return null;
            }

            if (i > 0 && (view.PlanEpoch != views[0].PlanEpoch || !view.Planned.SequenceEqual(views[0].Planned)) ||
                !view.Planned.Distinct().Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
            {
                return null;
            }

            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                if (view.Owners[slot] != view.Planned[slot])
                {
                    return null;
                }
            }

            views[i] = view;
        }

        return views;
    }

    public void Dispose() => _http.Dispose();

    private static NodeView Parse(JsonElement rows)
    {
        var owners = new string?[HashSlot.SlotCount];
        var planned = new string?[HashSlot.SlotCount];
        long planEpoch = 0;
        var alive = new List<string>();
        string? myId = null;
        var rebalancing = false;
        long keysMoved = 0;
        var slotsMoved = 0;
        var gossip = default(Gossip);
        foreach (var row in rows.EnumerateArray())
        {
            var id = row.GetProperty("id").GetString()!;
            if (row.GetProperty("state").GetString() == "alive")
            {
                alive.Add(id);
            }

            if (row.GetProperty("myself").GetBoolean())
            {
                myId = id;
                if (row.TryGetProperty("rebalance", out var progress) && progress.ValueKind == JsonValueKind.Object)
                {
                    rebalancing = progress.GetProperty("running").GetBoolean();
                    keysMoved = progress.GetProperty("keysMoved").GetInt64();
                    slotsMoved = progress.GetProperty("slotsMoved").GetInt32();
                }

                // Absent from builds before gossip deltas.
                if (row.TryGetProperty("gossip", out var traffic) && traffic.ValueKind == JsonValueKind.Object)
                {
                    gossip = new Gossip(
                        traffic.GetProperty("exchanges").GetInt64(),
                        traffic.GetProperty("bytesSent").GetInt64() + traffic.GetProperty("bytesReceived").GetInt64(),
                        traffic.GetProperty("wholeTables").GetInt64());
                }
            }

            Fill(owners, id, row.GetProperty("slotRanges").GetString()!);
            if (row.TryGetProperty("plannedSlotRanges", out var plannedRanges))
            {
                Fill(planned, id, plannedRanges.GetString()!);
                planEpoch = row.GetProperty("planEpoch").GetInt64();
            }
        }

        return new NodeView(myId ?? throw new FormatException("no row with myself: true"), [.. alive], owners, rebalancing, keysMoved, slotsMoved, planned, planEpoch, gossip);
    }

    /// <summary>Sets the owner of every slot in <paramref name="ranges"/> ("0-99,200,...") to <paramref name="id"/>.</summary>
    private static void Fill(string?[] owners, string id, string ranges)
    {
        foreach (var range in ranges.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            var start = int.Parse(dash < 0 ? range : range[..dash], CultureInfo.InvariantCulture);
            var end = dash < 0 ? start : int.Parse(range[(dash + 1)..], CultureInfo.InvariantCulture);
            Array.Fill(owners, id, start, end - start + 1);
        }
    }
}
