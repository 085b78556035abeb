using System.Globalization;
using System.Text;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>
/// CLUSTER SLOTS, SHARDS, NODES and INFO, built from the routing snapshot so they agree with the MOVED replies.
/// Every member is a master with no replicas. Formats checked against Redis 7.0.15 in cluster mode.
/// </summary>
internal static class ClusterTopologyReplies
{
    /// <summary>
    /// [[start, end, [host, port, id, {}]], ...] in slot order: the last element is Redis 7's networking metadata
    /// (hostname and the like), none here, an empty map in RESP3 as Redis answers it.
    /// </summary>
    public static void Slots(CommandContext context)
    {
        var snapshot = ClusterCommands.ClusterOf(context).Snapshot;
        var runs = Runs(snapshot);
        var output = context.Output;
        output.WriteArrayHeader(runs.Count);
        foreach (var (range, node) in runs)
        {
            output.WriteArrayHeader(3);
            output.WriteInteger(range.Start);
            output.WriteInteger(range.End);
            output.WriteArrayHeader(4);
            output.WriteBulkString(node.Host);
            output.WriteInteger(node.ClientPort(context.Client.Tls));
            output.WriteBulkString(node.Id);
            output.WriteMapHeader(0, context.Resp3);
        }
    }

    /// <summary>One shard per serving member: its slots as a flat start/end list, and itself as the only node.</summary>
    public static void Shards(CommandContext context)
    {
        var cluster = ClusterCommands.ClusterOf(context);
        var byNode = RangesByNode(cluster.Snapshot);
        var members = cluster.Members().Where(m => m.IsServing).OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
        var output = context.Output;
        output.WriteArrayHeader(members.Count);
        foreach (var member in members)
        {
            var ranges = byNode.GetValueOrDefault(member.Id) ?? [];
            output.WriteMapHeader(2, context.Resp3);
            output.WriteBulkString("slots"u8);
            output.WriteArrayHeader(ranges.Count * 2);
            foreach (var range in ranges)
            {
                output.WriteInteger(range.Start);
                output.WriteInteger(range.End);
            }

            output.WriteBulkString("nodes"u8);
            output.WriteArrayHeader(1);
            output.WriteMapHeader(7, context.Resp3);
            output.WriteBulkString("id"u8);
            output.WriteBulkString(member.Id);
            output.WriteBulkString("port"u8);
            output.WriteInteger(member.ToNode().ClientPort(context.Client.Tls));
            output.WriteBulkString("ip"u8);
            output.WriteBulkString(member.Host);
            output.WriteBulkString("endpoint"u8);
            output.WriteBulkString(member.Host);
            output.WriteBulkString("role"u8);
            output.WriteBulkString("master"u8);
            output.WriteBulkString("replication-offset"u8);
            output.WriteInteger(0);
            output.WriteBulkString("health"u8);
            output.WriteBulkString(member.Status == MemberStatus.Alive ? "online"u8 : "loading"u8);
        }
    }

    /// <summary>
    /// One line per member that has not left: <c>id host:port@admin-port flags master ping-sent pong-recv epoch link slots...</c>.
    /// The bus port is the admin port, where membership runs.
    /// </summary>
    public static void Nodes(CommandContext context)
    {
        var cluster = ClusterCommands.ClusterOf(context);
        var byNode = RangesByNode(cluster.Snapshot);
        var now = context.Store.Now.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        var suspected = cluster.Suspected();
        foreach (var member in cluster.Members().Where(m => m.Status != MemberStatus.Left).OrderBy(m => m.Id, StringComparer.Ordinal))
        {
            var myself = member.Id == cluster.MyId;
            // As Redis: "fail?" while only suspected here (PFAIL), "fail" once failed.
            var flags = (myself ? "myself,master" : "master") +
                        (member.Status == MemberStatus.Failed ? ",fail" : suspected.Contains(member.Id, StringComparer.Ordinal) ? ",fail?" : "");
            text.Append(member.Id).Append(' ')
                .Append(member.Host).Append(':').Append(member.ToNode().ClientPort(context.Client.Tls)).Append('@').Append(member.AdminPort).Append(' ')
                .Append(flags).Append(" - 0 ").Append(myself ? "0" : now).Append(' ')
                .Append(member.Incarnation).Append(' ')
                .Append(member.Status == MemberStatus.Failed ? "disconnected" : "connected");
            foreach (var range in byNode.GetValueOrDefault(member.Id) ?? [])
            {
                text.Append(' ').Append(range.ToString());
            }

            text.Append('\n');
        }

        context.Output.WriteVerbatim(text.ToString(), context.Resp3);
    }

    /// <summary>
    /// Redis's CLUSTER INFO fields. Once joined every slot has an owner, so the state is ok; a joiner that has not
    /// joined yet says fail with no slots, as a fresh Redis Cluster node does. The bus message totals Redis always
    /// lists are 0: there is no Redis cluster bus (membership runs over HTTP on the admin port, and its exchanges are
    /// counted on <c>GET /cluster/nodes</c>), and Redis lists no per-type line while a type's count is 0.
    /// </summary>
    public static void Info(CommandContext context)
    {
        var cluster = ClusterCommands.ClusterOf(context);
        var members = cluster.Members();
        var snapshot = cluster.Snapshot;
        var byNode = RangesByNode(snapshot);
        var epoch = cluster.CurrentEpoch;
        var myself = members.First(m => m.Id == cluster.MyId);
        var assigned = snapshot.Down ? 0 : HashSlot.SlotCount;
        var text = new StringBuilder()
            .Append(snapshot.Down || snapshot.Minority ? "cluster_state:fail\r\n" : "cluster_state:ok\r\n")
            .Append("cluster_slots_assigned:").Append(assigned).Append("\r\n")
            .Append("cluster_slots_ok:").Append(assigned).Append("\r\n")
            .Append("cluster_slots_pfail:0\r\n")
            .Append("cluster_slots_fail:0\r\n")
            .Append("cluster_known_nodes:").Append(members.Count(m => m.Status != MemberStatus.Left)).Append("\r\n")
            .Append("cluster_size:").Append(byNode.Count).Append("\r\n")
            .Append("cluster_current_epoch:").Append(epoch).Append("\r\n")
            .Append("cluster_my_epoch:").Append(myself.Incarnation).Append("\r\n")
            .Append("cluster_stats_messages_sent:0\r\n")
            .Append("cluster_stats_messages_received:0\r\n")
            .Append("total_cluster_links_buffer_limit_exceeded:0\r\n");
        context.Output.WriteVerbatim(text.ToString(), context.Resp3);
    }

    /// <summary>Maximal runs of consecutive slots with the same owner, in slot order.</summary>
    internal static List<(SlotRange Range, ClusterNode Node)> Runs(ClusterSnapshot snapshot)
    {
        var runs = new List<(SlotRange, ClusterNode)>();
        if (snapshot.Down)
        {
            // A joiner not joined yet knows no owners (its snapshot names itself for every slot): none, as a fresh
            // Redis Cluster node answers.
            return runs;
        }

        var owners = snapshot.Owners;
        var start = 0;
        for (var slot = 1; slot <= owners.Length; slot++)
        {
            if (slot == owners.Length || !ReferenceEquals(owners[slot], owners[start]))
            {
                runs.Add((new SlotRange(start, slot - 1), owners[start]));
                start = slot;
            }
        }

        return runs;
    }

    private static Dictionary<string, List<SlotRange>> RangesByNode(ClusterSnapshot snapshot)
    {
        var byNode = new Dictionary<string, List<SlotRange>>(StringComparer.Ordinal);
        foreach (var (range, node) in Runs(snapshot))
        {
            if (!byNode.TryGetValue(node.Id, out var list))
            {
                byNode[node.Id] = list = [];
            }

            list.Add(range);
        }

        return byNode;
    }
}
