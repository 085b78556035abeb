using PepperCache.Core.Cluster;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// CLUSTER (SLOTS, SHARDS, NODES, INFO, MYID, KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT, SETSLOT ... NODE, FORGET, HELP) and
/// ASKING, READONLY, READWRITE, in Redis 7's reply formats. The topology replies are in
/// <see cref="ClusterTopologyReplies"/>.
/// </summary>
internal static class ClusterCommands
{
    private static readonly string[] HelpLines =
    [
        "COUNTKEYSINSLOT <slot>",
        "    Return the number of keys in <slot>.",
        "FORGET <node-id>",
        "    Remove a node from the cluster.",
        "GETKEYSINSLOT <slot> <count>",
        "    Return key names stored by current node in a slot.",
        "INFO",
        "    Return information about the cluster.",
        "KEYSLOT <key>",
        "    Return the hash slot for <key>.",
        "MYID",
        "    Return the node id.",
        "NODES",
        "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port@bus-port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "SETSLOT <slot> NODE <node-id> [EPOCH <epoch>]",
        "    Set slot state: <slot> is served by <node-id> from now on.",
        "SHARDS",
        "    Return information about slot range mappings and the nodes associated with them.",
        "SLOTS",
        "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids",
    ];

    public static CommandDefinition Asking { get; } = new(
        "asking", 1, Fast, 0, 0, 0, AskingCommand, "cluster", "Signals that a cluster client is following an -ASK redirect.", "3.0.0")
    {
        AclCategories = ["connection"],
    };

    public static CommandDefinition[] Definitions { get; } =
    [
        new("cluster", -2, None, 0, 0, 0, Dispatch, "cluster", "A container for Redis Cluster commands.", "3.0.0")
        {
            Subcommands =
            [
                Sub("cluster|countkeysinslot", 3, CountKeysInSlot, "Returns the number of keys in a hash slot."),
                new("cluster|forget", 3, Admin | Stale | NoAsyncLoading, 0, 0, 0, Forget, "cluster", "Removes a node from the nodes table.", "3.0.0")
                {
                    AclCategories = ["dangerous"],
                },
                Sub("cluster|getkeysinslot", 4, GetKeysInSlot, "Returns the key names in a hash slot.") with { Tips = ["nondeterministic_output"] },
                Sub("cluster|info", 2, ClusterTopologyReplies.Info, "Returns information about the state of a node.") with { Tips = ["nondeterministic_output"] },
                Sub("cluster|keyslot", 3, KeySlot, "Returns the hash slot for a key."),
                Sub("cluster|myid", 2, MyId, "Returns the ID of a node."),
                Sub("cluster|nodes", 2, ClusterTopologyReplies.Nodes, "Returns the cluster configuration for a node.") with { Tips = ["nondeterministic_output"] },
                Sub("cluster|shards", 2, ClusterTopologyReplies.Shards, "Returns the mapping of cluster slots to shards.", "7.0.0") with { Tips = ["nondeterministic_output"] },
                Sub("cluster|slots", 2, ClusterTopologyReplies.Slots, "Returns the mapping of cluster slots to nodes.") with { Tips = ["nondeterministic_output"] },
                new("cluster|setslot", -4, Admin | Stale | NoAsyncLoading, 0, 0, 0, SetSlot, "cluster", "Binds a hash slot to a node.", "3.0.0")
                {
                    AclCategories = ["dangerous"],
                },
                new("cluster|help", 2, Loading | Stale, 0, 0, 0, Help, "cluster", "Returns helpful text about the different subcommands.", "5.0.0"),
            ],
        },
        Asking,
        new("readonly", 1, Loading | Stale | Fast, 0, 0, 0, ReadOnlyMode, "cluster", "Enables read-only queries for a connection to a Redis Cluster replica node.", "3.0.0") { AclCategories = ["connection"] },
        new("readwrite", 1, Loading | Stale | Fast, 0, 0, 0, ReadWriteMode, "cluster", "Enables read-write queries for a connection to a Redis Cluster replica node.", "3.0.0") { AclCategories = ["connection"] },
    ];

    /// <summary>
    /// A lone node answers as a Redis without cluster support, so clients (StackExchange.Redis) treat it as a plain
    /// server and multi-key commands across slots keep working; with two or more members it is a cluster, and so is
    /// a joiner that has not joined yet (its CLUSTER INFO says <c>cluster_state:fail</c>).
    /// </summary>
    private static void Dispatch(CommandContext context)
    {
        if (!IsCluster(context) && Subcommands.Find(context.Command, context.Argument(1)) is { } subcommand && subcommand.Name != "cluster|help")
        {
            context.WriteError(Disabled);
            return;
        }

        Subcommands.Dispatch(context);
    }

    private static ReadOnlySpan<byte> Disabled => "ERR This instance has cluster support disabled"u8;

    private static bool IsCluster(CommandContext context) => context.Server.Cluster is { Snapshot.Enabled: true };

    private static void AskingCommand(CommandContext context)
    {
        if (!IsCluster(context))
        {
            context.WriteError(Disabled);
            return;
        }

        context.Output.WriteOk();
    }

    private static CommandDefinition Sub(string name, int arity, CommandHandler handler, string summary, string since = "3.0.0") =>
        new(name, arity, Stale, 0, 0, 0, handler, "cluster", summary, since);

    private static void ReadOnlyMode(CommandContext context)
    {
        if (!IsCluster(context))
        {
            context.WriteError(Disabled);
            return;
        }

        context.Client.ReadOnlyMode = true;
        context.Output.WriteOk();
    }

    private static void ReadWriteMode(CommandContext context)
    {
        if (!IsCluster(context))
        {
            context.WriteError(Disabled);
            return;
        }

        context.Client.ReadOnlyMode = false;
        context.Output.WriteOk();
    }

    private static void KeySlot(CommandContext context) => context.Output.WriteInteger(HashSlot.Of(context.Argument(2)));

    private static void MyId(CommandContext context) => context.Output.WriteBulkString(ClusterOf(context).MyId);

    private static void CountKeysInSlot(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var slot))
        {
            return;
        }

        if (slot is < 0 or >= HashSlot.SlotCount)
        {
            context.WriteError("ERR Invalid slot"u8);
            return;
        }

        context.Output.WriteInteger(context.Store.CountKeysInSlot((int)slot));
    }

    private static void GetKeysInSlot(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var slot) || !context.TryGetInt64OrReply(3, out var count))
        {
            return;
        }

        if (slot is < 0 or >= HashSlot.SlotCount || count < 0)
        {
            context.WriteError("ERR Invalid slot or number of keys"u8);
            return;
        }

        var keys = context.KeyBuffer;
        keys.Clear();
        context.Store.GetKeysInSlot((int)slot, (int)Math.Min(count, int.MaxValue), keys);
        context.Output.WriteArrayHeader(keys.Count);
        foreach (var key in keys)
        {
            context.Output.WriteBulkString(key);
        }

        keys.Clear();
    }

    /// <summary>
    /// CLUSTER SETSLOT &lt;slot&gt; NODE &lt;node-id&gt; [EPOCH &lt;epoch&gt;]: the slot's keys are here now (slot migration
    /// sends it to the target once a slot has moved, with the slot's epoch at the old owner so the new assignment
    /// outranks it). With EPOCH it answers the epoch the slot was taken at, which the old owner records too; without, +OK
    /// as Redis. IMPORTING, MIGRATING and STABLE are not supported: migration freezes slots instead.
    /// </summary>
    private static void SetSlot(CommandContext context)
    {
        if (!ClusterPeerCommands.Admit(context))
        {
            return;
        }

        if (!context.TryGetInt64(2, out var slot) || slot is < 0 or >= HashSlot.SlotCount)
        {
            context.WriteError("ERR Invalid or out of range slot"u8);
            return;
        }

        if (context.ArgumentCount is not (5 or 7) || !context.ArgumentIs(3, "NODE"u8) ||
            (context.ArgumentCount == 7 && !context.ArgumentIs(5, "EPOCH"u8)))
        {
            context.WriteError("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP"u8);
            return;
        }

        long atLeast = 0;
        if (context.ArgumentCount == 7 && (!context.TryGetInt64(6, out atLeast) || atLeast is < 0 or >= SlotTable.MaxEpochValue))
        {
            context.WriteError("ERR Invalid epoch"u8);
            return;
        }

        var cluster = ClusterOf(context);
        var nodeId = context.Request.GetString(4);
        if (!cluster.IsKnown(nodeId))
        {
            context.WriteError("ERR Unknown node " + ErrorMessages.Printable(nodeId));
            return;
        }

        if (nodeId == cluster.MyId && cluster.MyStatus != MemberStatus.Alive)
        {
            context.WriteError(MigrationCommands.NotTakingSlots);
            return;
        }

        if (nodeId == cluster.MyId && cluster.PlansElsewhere((int)slot, out var planEpoch))
        {
            // The sender follows a plan this node has not heard yet (a join planned a moment ago). Taken now, the slot
            // would go straight back under this node's older plan, and then come again. The sender keeps it (and its
            // keys), sends this node its view over the authenticated gossip path (never trusted from here: a SETSLOT
            // carries no plan) and retries; a sender with the older plan of the two gets the newer one in that
            // exchange's reply and stops. The epoch is for the sender's log.
            DropRefusedPreCopy(context, cluster, (int)slot);
            context.WriteError($"TRYAGAIN Slot {slot} is not planned to this node in the slot plan it holds (plan epoch {planEpoch})");
            return;
        }

        var epoch = cluster.AssignSlot((int)slot, nodeId, atLeast);
        if (context.ArgumentCount == 7)
        {
            // The mover's form: the epoch taken, so the old owner records the hand-over at the same one.
            context.Output.WriteInteger(epoch);
        }
        else
        {
            context.Output.WriteOk();
        }
    }

    /// <summary>
    /// The keys a refused hand-over's pre-copy left here: the retry sends the slot again (its import starts with RESET),
    /// and until then they would be stray keys (in DBSIZE and used_memory) for the stray-key sweep's grace of 30 s.
    /// Rechecked under the import lock, as the sweep does: nothing is dropped from a slot this node serves or is due.
    /// </summary>
    private static void DropRefusedPreCopy(CommandContext context, ClusterState cluster, int slot)
    {
        lock (context.Server.Migration.ImportLock)
        {
            if (!cluster.ServesOrIsDue(slot))
            {
                context.Store.DeleteSlot(slot);
            }
        }
    }

    /// <summary>
    /// CLUSTER FORGET &lt;node-id&gt;: this node drops a failed or departed member now instead of after
    /// <c>ForgetAfter</c>, and ignores old news of it, as Redis's blacklist does. Unlike Redis it refuses a member
    /// that still serves: its slots would go to others while it holds their keys. Make it leave first.
    /// </summary>
    private static void Forget(CommandContext context)
    {
        var nodeId = context.Request.GetString(2);
        switch (ClusterOf(context).Forget(nodeId, "CLUSTER FORGET"))
        {
            case ForgetResult.Forgotten:
                context.Output.WriteOk();
                break;
            case ForgetResult.Myself:
                context.WriteError("ERR I tried hard but I can't forget myself..."u8);
                break;
            case ForgetResult.Serving:
                context.WriteError("ERR Can't forget a member that is still serving: make it leave first"u8);
                break;
            case ForgetResult.OwnsSlots:
                context.WriteError("ERR Can't forget a member that still owns slots"u8);
                break;
            default:
                context.WriteError("ERR Unknown node " + ErrorMessages.Printable(nodeId));
                break;
        }
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "CLUSTER", HelpLines);

    internal static ClusterState ClusterOf(CommandContext context) =>
        context.Server.Cluster ?? throw new InvalidOperationException("CLUSTER needs a node with cluster state.");
}
