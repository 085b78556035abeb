using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Node-to-node commands of slot migration. <c>PEPPER.IMPORT</c> is a write command so that it goes through the
/// dispatcher and into the AOF like any other write: the new owner persists what it receives.
/// </summary>
/// <remarks>
/// The AOF replays it as logged, ownership check skipped: the log, not the current slot map, says what the slot held.
/// It declares no key positions on purpose: its keys belong to a slot this node does not serve yet, so the routing
/// check (MOVED) must not apply to it. It checks instead that every key hashes to the named slot.
/// </remarks>
internal static class MigrationCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("pepper.import", -3, Write | DenyOom, 0, 0, 0, Import, "cluster",
            "Stores the keys of one hash slot sent by the node that hands the slot over (slot migration)."),
    ];

    /// <summary>
    /// <c>PEPPER.IMPORT slot RESET|APPEND [expires-at-ms key value ...]</c>: RESET first drops whatever this node
    /// holds for the slot (a leftover of an earlier, failed attempt must not resurrect keys deleted since); APPEND
    /// adds to it. Each key replaces any value here and keeps its absolute expiry (0: none; past: not stored).
    /// A key holding a collection has <c>type:expires-at-ms</c> instead (its <see cref="DataType"/> number) and its
    /// <see cref="StoreObjectFormat"/> payload as the value; strings are written as before.
    /// All arguments are checked, and every payload read, before anything is written.
    /// </summary>
    public static void Import(CommandContext context)
    {
        if (!ClusterPeerCommands.Admit(context))
        {
            return;
        }

        var count = context.ArgumentCount;
        if ((count - 3) % 3 != 0)
        {
            context.WriteWrongArgumentCount();
            return;
        }

        if (!context.TryGetInt64(1, out var slot) || slot is < 0 or >= HashSlot.SlotCount)
        {
            context.WriteError(InvalidSlot);
            return;
        }

        bool reset;
        if (context.ArgumentIs(2, "RESET"u8))
        {
            reset = true;
        }
        else if (context.ArgumentIs(2, "APPEND"u8))
        {
            reset = false;
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        List<StoreObject?>? collections = null;
        for (var i = 3; i < count; i += 3)
        {
            var expiry = context.Argument(i);
            var colon = expiry.IndexOf((byte)':');
            if (!RespParser.TryParseInt64(colon < 0 ? expiry : expiry[(colon + 1)..], out var expiresAt))
            {
                context.WriteError(ErrorMessages.NotInteger);
                return;
            }

            if (expiresAt < 0)
            {
                context.WriteError(InvalidTtl);
                return;
            }

            if (HashSlot.Of(context.Argument(i + 1)) != slot)
            {
                context.WriteError(WrongSlot);
                return;
            }

            StoreObject? collection = null;
            if (colon >= 0 && (!RespParser.TryParseInt64(expiry[..colon], out var type) || type is < 0 or > byte.MaxValue
                || !StoreObjectFormat.TryDeserialize((DataType)type, context.Argument(i + 2), context.Store.Encodings, out collection)))
            {
                context.WriteError(BadPayload);
                return;
            }

            if (collection is not null || collections is not null)
            {
                collections ??= [.. Enumerable.Repeat<StoreObject?>(null, (i - 3) / 3)];
                collections.Add(collection);
            }
        }

        var server = context.Server;
        // Replaying the AOF skips these checks: the log, not the current slot map, says what the slot held.
        if (!server.Aof.Loading && server.Cluster is { } view)
        {
            if (!view.Synced)
            {
                // A joining node that has not learned the slot table yet takes itself for every slot's owner.
                context.WriteError("TRYAGAIN This node has not learned the cluster's slot table yet"u8);
                return;
            }

            if (view.MyStatus != MemberStatus.Alive)
            {
                // A member with a stale plan (it has not heard of the leave yet) would hand a leaving node slots it
                // must give away again, perhaps after it has finished handing over and exits with their keys.
                context.WriteError(NotTakingSlots);
                return;
            }

            if (view.OwnerOf((int)slot).Id == view.Myself.Id)
            {
                // Late or repeated import of a slot this node already serves: its keys here are newer than the sender's.
                context.WriteError($"ERR Slot {slot} is already served by this node");
                return;
            }
        }

        var store = context.Store;
        lock (server.Migration.ImportLock)
        {
            server.Migration.MarkImported((int)slot, store.Now);
            if (reset)
            {
                store.DeleteSlot((int)slot);
            }

            for (var i = 3; i < count; i += 3)
            {
                var expiry = context.Argument(i);
                _ = RespParser.TryParseInt64(expiry[(expiry.IndexOf((byte)':') + 1)..], out var expiresAt);
                if (collections?[(i - 3) / 3] is { } collection)
                {
                    store.Import(context.Argument(i + 1), collection, expiresAt);
                }
                else
                {
                    store.Import(context.Argument(i + 1), context.Argument(i + 2), expiresAt);
                }
            }

            // Logged as sent: replaying RESET drops whatever an older part of the log left in the slot, which a
            // record per key could not say.
            context.Aof.Request(context.Request);
        }

        context.Output.WriteOk();
    }

    /// <summary>A leaving (or departed) node's answer to a hand-over: the sender keeps the slot and tries again later.</summary>
    internal static ReadOnlySpan<byte> NotTakingSlots => "ERR This node is leaving the cluster and takes no slots"u8;

    // Redis's texts: getSlotOrReply (CLUSTER SETSLOT and friends) and RESTORE's TTL check.
    internal static ReadOnlySpan<byte> InvalidSlot => "ERR Invalid or out of range slot"u8;

    internal static ReadOnlySpan<byte> InvalidTtl => "ERR Invalid TTL value, must be >= 0"u8;

    internal static ReadOnlySpan<byte> WrongSlot => "ERR Key does not hash to the slot being imported"u8;

    /// <summary>RESTORE's text for a payload it cannot read.</summary>
    internal static ReadOnlySpan<byte> BadPayload => "ERR Bad data format"u8;
}
