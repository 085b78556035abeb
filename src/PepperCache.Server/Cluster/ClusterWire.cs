using System.Text.Json;
using System.Text.Json.Serialization;

namespace PepperCache.Server.Cluster;

/// <summary>
/// What members exchange (<c>POST /join</c>, <c>POST /cluster/gossip</c>): the sender's member table, its slot table's
/// digest, and of the slot table what the receiver lacks: the slots changed since the receiver acknowledged the
/// sender's table (<paramref name="Delta"/>), or the whole table (<paramref name="Slots"/>) for a peer that is new, too
/// far behind, or asks for it. The reply has the same shape, so one round trip merges both ways.
/// </summary>
/// <param name="From">The sender's id.</param>
/// <param name="Keys">The sender's key count, for <c>GET /cluster/nodes</c>.</param>
/// <param name="Pull">The sender only wants the receiver's state; its own is not merged yet (a returning node).</param>
/// <param name="Target">The sender's slot plan (where every slot should be), in every message: a few hundred bytes as ranges.</param>
/// <param name="Suspects">Members the sender suspects now (PFAIL) or has failed: its whole list, in every message.</param>
/// <param name="SlotStream">The sender's slot-table stream: a random id per process life, so sequences of an earlier life are not taken for this one's.</param>
/// <param name="SlotSeq">The sender's table sequence that <paramref name="Slots"/> or <paramref name="Delta"/> bring the receiver up to.</param>
/// <param name="Delta">The sender's slots changed after <see cref="SlotDeltaData.Base"/>, the sequence the receiver last acknowledged.</param>
/// <param name="AckStream">The receiver's stream, as the sender last merged it (0: none).</param>
/// <param name="AckSeq">How far the sender has merged the receiver's table in <paramref name="AckStream"/>.</param>
internal sealed record GossipMessage(
    string From,
    Member[] Members,
    string SlotsDigest,
    SlotTableData? Slots,
    long Keys = 0,
    bool Pull = false,
    SlotTargetData? Target = null,
    string[]? Suspects = null,
    long SlotStream = 0,
    long SlotSeq = 0,
    SlotDeltaData? Delta = null,
    long AckStream = 0,
    long AckSeq = 0);

/// <summary>The data directory's <c>nodes.json</c>: this node's id and incarnation, and the cluster it last saw.</summary>
internal sealed record NodeStateFile(string Id, long Incarnation, Member[] Members, SlotTableData? Slots, SlotTargetData? Target = null);

/// <summary>
/// One row of <c>GET /cluster/nodes</c>. <see cref="PlannedSlotRanges"/> are the slots the agreed plan gives the member
/// and <see cref="PlanEpoch"/> that plan's epoch, as this node holds it: settled when every node holds the same epoch
/// and every member's <see cref="SlotRanges"/> are its planned ones. <see cref="Gossip"/>: the gossip exchanges this
/// node started (its own row only).
/// </summary>
internal sealed record NodeInfo(
    string Id,
    string Host,
    int Port,
    int AdminPort,
    string State,
    bool Myself,
    int Slots,
    int Ranges,
    string SlotRanges,
    long? Keys,
    RebalanceProgress? Rebalance,
    int TlsPort = 0,
    string PlannedSlotRanges = "",
    long PlanEpoch = 0,
    GossipTraffic? Gossip = null);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(GossipMessage))]
[JsonSerializable(typeof(NodeStateFile))]
[JsonSerializable(typeof(NodeInfo[]))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
