using PepperCache.Client;
using PepperCache.Client.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>
/// A lean redirect-following reader client: the slot map is read once, and each <c>-MOVED</c> patches the one slot it
/// names (no CLUSTER SLOTS refresh, which on a 4-node cluster is a reply of about 16,000 ranges). One pipelined
/// <see cref="RespConnection"/> per node. Compare <see cref="ClusterClient"/>, which also refreshes the whole map
/// in the background after a MOVED.
/// </summary>
internal sealed class SlotPatchingRouter : IAsyncDisposable
{
    private const int MaxRedirects = 16;

    // Per slot an index into _nodes, which only grows.
    private readonly int[] _owners = new int[HashSlot.SlotCount];
    private readonly List<(ClusterNode Node, Task<RespConnection> Connection)> _nodes = [];
    private readonly Lock _lock = new();

    private SlotPatchingRouter(SlotTable slots, ClusterNode seed)
    {
        var seedIndex = IndexOf(seed);
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            _owners[slot] = slots.OwnerOf(slot) is { } owner ? IndexOf(owner) : seedIndex;
        }
    }

    public static async Task<SlotPatchingRouter> ConnectAsync(string host, int port)
    {
        await using var client = await ClusterClient.ConnectAsync(host, port).ConfigureAwait(false);
        return new SlotPatchingRouter(client.Slots, new ClusterNode(host, port));
    }

    public async Task<RespReply> ExecuteAsync(byte[][] arguments)
    {
        var slot = HashSlot.Of(arguments[1]);
        for (var redirects = 0; ; redirects++)
        {
            var (node, connection) = NodeAt(Volatile.Read(ref _owners[slot]));
            var reply = await (await connection.ConfigureAwait(false)).ExecuteAsync(arguments).ConfigureAwait(false);
            if (!reply.IsError || redirects == MaxRedirects || !Redirect.TryParse(reply.Bytes, out var redirect) || redirect.Kind != RedirectKind.Moved)
            {
                return reply;
            }

            Volatile.Write(ref _owners[slot], IndexOf(redirect.Host.Length == 0 ? redirect.Target with { Host = node.Host } : redirect.Target));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<RespConnection>[] connections;
        lock (_lock)
        {
            connections = [.. _nodes.Select(n => n.Connection)];
        }

        foreach (var connection in connections)
        {
            await (await connection.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }

    private (ClusterNode Node, Task<RespConnection> Connection) NodeAt(int index)
    {
        lock (_lock)
        {
            return _nodes[index];
        }
    }

    private int IndexOf(ClusterNode node)
    {
        lock (_lock)
        {
            var index = _nodes.FindIndex(n => n.Node == node);
            if (index < 0)
            {
                _nodes.Add((node, RespConnection.ConnectAsync(node.Host, node.Port)));
                index = _nodes.Count - 1;
            }

            return index;
        }
    }
}
