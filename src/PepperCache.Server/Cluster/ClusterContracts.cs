namespace PepperCache.Server.Cluster;

/// <summary>
/// A member as routing and slot migration see it: stable 40-hex id, advertised address, its ports. <see cref="Port"/>
/// is the plain cache port and <see cref="TlsPort"/> the TLS one; either may be 0 (none), not both.
/// </summary>
internal sealed record ClusterNode(string Id, string Host, int Port, int AdminPort, int TlsPort = 0)
{
    /// <summary>
    /// The port a client is sent to: the TLS one for a client on TLS, the plain one otherwise, each when the member
    /// has it. (Redis 7.0 gives TLS ports only with tls-cluster; here a member's TLS port is known either way.)
    /// </summary>
    public int ClientPort(bool tls) => tls ? (TlsPort != 0 ? TlsPort : Port) : (Port != 0 ? Port : TlsPort);
}

/// <summary>
/// This node's belief about who serves each of the 16,384 slots. Implemented by membership; read on the hot path
/// (routing), so <see cref="OwnerOf"/> is an array lookup.
/// </summary>
internal interface IClusterView
{
    ClusterNode Myself { get; }

    /// <summary>
    /// False while a joining node has not yet learned the cluster's slot table: until then it believes it serves every
    /// slot, so nothing may be moved on that belief.
    /// </summary>
    bool Synced { get; }

    /// <summary>Who serves <paramref name="slot"/> now. Lags <see cref="DesiredOwnerOf"/> while the slot waits to move.</summary>
    ClusterNode OwnerOf(int slot);

    /// <summary>Who the current member set says should own <paramref name="slot"/> (the slot map over live members).</summary>
    ClusterNode DesiredOwnerOf(int slot);

    /// <summary>Raised, on any thread, after membership or slot ownership changed.</summary>
    event Action? Changed;

    /// <summary>Records that <paramref name="nodeId"/> serves <paramref name="slot"/> from now on (its keys are there); spreads it to the members.</summary>
    void AssignSlot(int slot, string nodeId);

    /// <summary>Records that <paramref name="slot"/> was handed to <paramref name="nodeId"/>, which took it at <paramref name="epoch"/> (its SETSLOT reply).</summary>
    /// <returns>False when an entry of this node's own still outranks it: the slot stays here, keys and all.</returns>
    bool RecordHandOver(int slot, string nodeId, long epoch);

    /// <summary>The epoch of <paramref name="slot"/>'s current assignment (a hand-over sends it to the new owner).</summary>
    long EpochOf(int slot);

    /// <summary>The epoch of the slot plan this node holds; 0 before it has one.</summary>
    long PlanEpoch { get; }
}

internal static class ClusterViewExtensions
{
    /// <summary>
    /// Whether this node serves <paramref name="slot"/> or is due to: keys it holds for any other slot are strays (a
    /// refused or failed move's leftovers), which the rebalancer's sweep and a refused SETSLOT may drop.
    /// </summary>
    public static bool ServesOrIsDue(this IClusterView view, int slot) =>
        view.OwnerOf(slot).Id == view.Myself.Id || view.DesiredOwnerOf(slot).Id == view.Myself.Id;
}

/// <summary>Moves slots whose owner is this node but whose desired owner is another. Implemented by slot migration.</summary>
internal interface IRebalancer
{
    /// <summary>Completes when this node serves no slot that the member set gives to another node.</summary>
    Task WhenSettledAsync(CancellationToken cancellationToken);

    /// <summary>Progress for <c>GET /cluster/nodes</c> and logs.</summary>
    RebalanceProgress Progress { get; }
}

/// <summary>A snapshot of the current (or last) rebalance on this node.</summary>
internal sealed record RebalanceProgress(bool Running, int SlotsToMove, int SlotsMoved, long KeysMoved, long BytesMoved);
