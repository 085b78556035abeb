using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Client.Cluster;

/// <summary>
/// Who serves each of the 16,384 slots: one small index per slot into a list of nodes, so routing is an array
/// read. Immutable; a new map replaces the old one.
/// </summary>
/// <remarks>
/// Built straight from CLUSTER SLOTS. A PepperCache cluster scatters slots (a 3-node map has about 11,000 ranges), so
/// parsing is one pass over the ranges, each filling its span of the table, with the nodes deduplicated as they come.
/// </remarks>
public sealed class SlotTable
{
    private const short Unowned = -1;

    private readonly short[] _owners;
    private readonly ClusterNode[] _nodes;

    private SlotTable(short[] owners, ClusterNode[] nodes)
    {
        _owners = owners;
        _nodes = nodes;
    }

    /// <summary>Every node that serves at least one slot (masters only), in order of first appearance.</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>A map where one node serves everything: a server that is not in cluster mode.</summary>
    public static SlotTable Single(ClusterNode node)
    {
        var owners = new short[KeySlot.SlotCount];
        return new SlotTable(owners, [node]);
    }

    /// <summary>
    /// Builds the map from a CLUSTER SLOTS reply: <c>[start, end, [host, port, id, ...], replicas...]</c> per range.
    /// </summary>
    /// <param name="reply">The reply.</param>
    /// <param name="askedHost">The host the reply came from; a node reported with an empty host lives there.</param>
    /// <exception cref="FormatException">The reply is not a CLUSTER SLOTS reply.</exception>
    public static SlotTable Parse(RespReply reply, string askedHost)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Kind != RespReplyKind.Array)
        {
            throw new FormatException($"CLUSTER SLOTS answered {reply}");
        }

        var owners = new short[KeySlot.SlotCount];
        Array.Fill(owners, Unowned);
        var nodes = new List<ClusterNode>();

        // The nodes as the reply spells them, so a range costs no allocation; the list is short (one per master).
        var spelled = new List<(byte[] Host, long Port)>();
        foreach (var range in reply.Elements)
        {
            var parts = range.Elements;
            if (parts.Count < 3 || parts[0].Kind != RespReplyKind.Integer || parts[1].Kind != RespReplyKind.Integer
                || parts[2].Elements.Count < 2 || parts[2].Elements[1].Kind != RespReplyKind.Integer)
            {
                throw new FormatException($"CLUSTER SLOTS range {range}");
            }

            var start = parts[0].Integer;
            var end = parts[1].Integer;
            if (start < 0 || end >= KeySlot.SlotCount || start > end)
            {
                throw new FormatException($"CLUSTER SLOTS range {start}-{end}");
            }

            var host = parts[2].Elements[0].Bytes;
            var port = parts[2].Elements[1].Integer;

            // "?" is Redis's "endpoint unknown": such a slot is left unowned, and a command for it goes anywhere.
            if (host.SequenceEqual("?"u8) || port is <= 0 or > 65535)
            {
                continue;
            }

            var index = IndexOf(spelled, host, port);
            if (index < 0)
            {
                if (nodes.Count == short.MaxValue)
                {
                    throw new FormatException("CLUSTER SLOTS names more nodes than there are slots");
                }

                index = nodes.Count;
                spelled.Add((host.ToArray(), port));
                nodes.Add(new ClusterNode(host.IsEmpty ? askedHost : Encoding.UTF8.GetString(host), (int)port));
            }

            owners.AsSpan((int)start, (int)(end - start + 1)).Fill((short)index);
        }

        return new SlotTable(owners, [.. nodes]);
    }

    private static int IndexOf(List<(byte[] Host, long Port)> spelled, ReadOnlySpan<byte> host, long port)
    {
        for (var i = spelled.Count - 1; i >= 0; i--)
        {
            if (spelled[i].Port == port && host.SequenceEqual(spelled[i].Host))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The node serving <paramref name="slot"/>, or null when no node does.</summary>
    public ClusterNode? OwnerOf(int slot)
    {
        var index = _owners[slot];
        return index == Unowned ? null : _nodes[index];
    }

    /// <summary>This map with each slot of <paramref name="owners"/> pointed at its node (one copy for all).</summary>
    public SlotTable WithOwners(IReadOnlyDictionary<int, ClusterNode> owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        var table = this;
        var nodes = _nodes;
        var slots = (short[])_owners.Clone();
        foreach (var (slot, node) in owners)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(slot);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, KeySlot.SlotCount);
            var index = Array.IndexOf(nodes, node);
            if (index < 0)
            {
                index = nodes.Length;
                nodes = [.. nodes, node];
            }

            slots[slot] = (short)index;
        }

        return owners.Count == 0 ? table : WithoutIdleNodes(slots, nodes);
    }

    /// <summary>This map with one slot moved to <paramref name="node"/> (what a MOVED reply says).</summary>
    public SlotTable WithOwner(int slot, ClusterNode node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, KeySlot.SlotCount);
        var index = Array.IndexOf(_nodes, node);
        var nodes = _nodes;
        if (index < 0)
        {
            index = nodes.Length;
            nodes = [.. nodes, node];
        }

        var owners = (short[])_owners.Clone();
        owners[slot] = (short)index;
        return WithoutIdleNodes(owners, nodes);
    }

    /// <summary>A map of <paramref name="owners"/> (owned by the caller) that lists only nodes still serving a slot.</summary>
    private static SlotTable WithoutIdleNodes(short[] owners, ClusterNode[] nodes)
    {
        var used = new bool[nodes.Length];
        foreach (var owner in owners)
        {
            if (owner != Unowned)
            {
                used[owner] = true;
            }
        }

        if (Array.TrueForAll(used, u => u))
        {
            return new SlotTable(owners, nodes);
        }

        // A patch moved a node's last slot away (it left the cluster): drop it, as a reload would.
        var remap = new short[nodes.Length];
        var kept = new List<ClusterNode>(nodes.Length);
        for (var i = 0; i < nodes.Length; i++)
        {
            if (used[i])
            {
                remap[i] = (short)kept.Count;
                kept.Add(nodes[i]);
            }
        }

        for (var slot = 0; slot < owners.Length; slot++)
        {
            if (owners[slot] != Unowned)
            {
                owners[slot] = remap[owners[slot]];
            }
        }

        return new SlotTable(owners, [.. kept]);
    }
}
