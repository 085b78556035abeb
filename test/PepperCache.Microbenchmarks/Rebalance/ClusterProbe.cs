using System.Globalization;
using System.Text.Json;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>What <c>GET /cluster/nodes</c> on each benchmark node says, and whether the cluster has settled.</summary>
internal sealed class ClusterProbe : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>One node's own view: its id, the alive members' ids, each slot's owner, its rebalance progress.</summary>
    internal sealed record NodeView(string MyId, string[] AliveIds, string?[] Owners, bool Rebalancing, long KeysMoved, int SlotsMoved);

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
    /// and has every slot where the slot map over those members puts it (so all agree, and nothing is left to move).
    /// </summary>
    public async Task<NodeView[]?> SettledAsync(IReadOnlyList<ServerProcess> nodes, IReadOnlyCollection<string> expected, CancellationToken cancellationToken)
    {
        var map = SlotMap.Build(expected);
        var views = new NodeView[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            if (await TryReadAsync(nodes[i], cancellationToken).ConfigureAwait(false) is not { } view
                || view.Rebalancing
                || !view.AliveIds.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
            {
                return null;
            }

            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                if (view.Owners[slot] != map.OwnerOf(slot))
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
        var alive = new List<string>();
        string? myId = null;
        var rebalancing = false;
        long keysMoved = 0;
        var slotsMoved = 0;
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
            }

            foreach (var range in row.GetProperty("slotRanges").GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                var start = int.Parse(dash < 0 ? range : range[..dash], CultureInfo.InvariantCulture);
                var end = dash < 0 ? start : int.Parse(range[(dash + 1)..], CultureInfo.InvariantCulture);
                for (var slot = start; slot <= end; slot++)
                {
                    owners[slot] = id;
                }
            }
        }

        return new NodeView(myId ?? throw new FormatException("no row with myself: true"), [.. alive], owners, rebalancing, keysMoved, slotsMoved);
    }
}
