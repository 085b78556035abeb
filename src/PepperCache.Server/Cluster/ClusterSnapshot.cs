using System.Text;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Server.Cluster;

/// <summary>
/// What routing reads on every keyed command: per slot, the node serving it and the tail of the MOVED reply that
/// points at it, both built once per change. A single slot's entry is updated in place (a reference write) when the
/// slot is assigned, so moving thousands of slots one by one does not rebuild the arrays each time.
/// </summary>
internal sealed class ClusterSnapshot
{
    public ClusterSnapshot(ClusterNode myself, ClusterNode[] owners, ClusterNode[] desired, bool routing, bool down = false, bool minority = false)
    {
        Minority = minority;
        Myself = myself;
        Owners = owners;
        Desired = desired;
        Routing = routing;
        Down = down;
        Enabled = routing || down;
        MovedSuffixes = new byte[HashSlot.SlotCount][];
        var suffixes = new Dictionary<ClusterNode, byte[]>(ReferenceEqualityComparer.Instance);
        var tlsSuffixes = new Dictionary<ClusterNode, byte[]>(ReferenceEqualityComparer.Instance);
        // Clients on the TLS port are sent to TLS ports (a member with one port has the same bytes in both).
        TlsMovedSuffixes = new byte[HashSlot.SlotCount][];
        for (var slot = 0; slot < owners.Length; slot++)
        {
            MovedSuffixes[slot] = SuffixFor(owners[slot], suffixes, tls: false);
            TlsMovedSuffixes[slot] = SuffixFor(owners[slot], tlsSuffixes, tls: true);
        }

        _suffixes = suffixes;
        _tlsSuffixes = tlsSuffixes;
    }

    private readonly Dictionary<ClusterNode, byte[]> _suffixes;
    private readonly Dictionary<ClusterNode, byte[]> _tlsSuffixes;

    public ClusterNode Myself { get; }

    public ClusterNode[] Owners { get; }

    public ClusterNode[] Desired { get; }

    /// <summary>" host:port\r\n" of each slot's owner: what follows "-MOVED &lt;slot&gt;".</summary>
    public byte[][] MovedSuffixes { get; }

    /// <summary>As <see cref="MovedSuffixes"/> with the owners' TLS ports, for clients on the TLS port.</summary>
    public byte[][] TlsMovedSuffixes { get; }

    /// <summary>False for a cluster of one: no redirects and no CROSSSLOT, so a lone node behaves as plain Redis.</summary>
    public bool Routing { get; }

    /// <summary>
    /// A node started with <c>--cluster</c> that has not joined yet: it does not know who serves what, and anything
    /// it took now would be dropped as stray keys when it joins, so keyed commands get <c>-CLUSTERDOWN</c>.
    /// </summary>
    public bool Down { get; }

    /// <summary>
    /// This node suspects so many members that those it still reaches, itself included, are not a majority of the
    /// serving members: it may be cut off, and the majority may take its slots, so writes get <c>-CLUSTERDOWN</c>.
    /// </summary>
    public bool Minority { get; }

    /// <summary>Routing or down: keyed commands go through <see cref="Resp.SlotRouting"/>, and CLUSTER commands answer.</summary>
    public bool Enabled { get; }

    /// <summary>Points <paramref name="slot"/> at <paramref name="owner"/> (the same instance as in <see cref="Owners"/>).</summary>
    public void SetOwner(int slot, ClusterNode owner)
    {
        lock (_suffixes)
        {
            TlsMovedSuffixes[slot] = SuffixFor(owner, _tlsSuffixes, tls: true);
            MovedSuffixes[slot] = SuffixFor(owner, _suffixes, tls: false);
        }

        Owners[slot] = owner;
    }

    private static byte[] SuffixFor(ClusterNode node, Dictionary<ClusterNode, byte[]> cache, bool tls)
    {
        if (!cache.TryGetValue(node, out var suffix))
        {
            suffix = Encoding.ASCII.GetBytes($" {node.Host}:{node.ClientPort(tls)}\r\n");
            cache[node] = suffix;
        }

        return suffix;
    }
}
