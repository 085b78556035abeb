using System.Buffers;
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
internal static partial class MigrationCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("pepper.import", -3, Write | DenyOom, 0, 0, 0, Import, "cluster",
            "Stores the keys of one hash slot sent by the node that hands the slot over (slot migration).")
        {
            FreesMemory = DropsOnly,
        },
    ];

    /// <summary>
    /// <c>PEPPER.IMPORT slot RESET|APPEND [expires-at-ms key value ...]</c>: RESET first drops whatever this node
    /// holds for the slot (a leftover of an earlier, failed attempt must not resurrect keys deleted since); APPEND
    /// adds to it. Each key replaces any value here and keeps its absolute expiry (0: none; past: not stored).
    /// A key holding a collection has <c>type:expires-at-ms</c> instead (its <see cref="DataType"/> number) and its
    /// <see cref="StoreObjectFormat"/> payload as the value; strings are written as before. A large collection comes
    /// in pieces, each a payload of some of its elements: <c>type:expires-at-ms:total</c> with the first (total: the
    /// elements of the whole), then <c>type:expires-at-ms:+</c> with each next one, in order (see
    /// <see cref="ImportPieces"/>); the collection is stored when its last element has come.
    /// All arguments are checked, and every payload read, before anything is written; a refused command writes
    /// nothing to the store, and drops the collections its pieces were rebuilding (the mover starts again with RESET).
    /// It is denyoom, so over maxmemory it is refused (OOM) before it runs, but for a RESET with no keys that only
    /// drops what the node holds of the slot (<see cref="DropsOnly"/>): the mover's take-back after a refusal.
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

        // Pooled: a move sends thousands of these commands a second, and fresh arrays were megabytes of garbage per
        // move on the node the keys arrive at, which collects often enough already (docs/cluster.md).
        var rented = ArrayPool<ImportItem>.Shared.Rent((count - 3) / 3);
        try
        {
            Import(context, slot, reset, rented.AsSpan(0, (count - 3) / 3));
        }
        finally
        {
            // Cleared: an item may hold a collection, which the pool must not keep alive.
            ArrayPool<ImportItem>.Shared.Return(rented, clearArray: true);
        }
    }

    private static void Import(CommandContext context, long slot, bool reset, Span<ImportItem> items)
    {
        var count = context.ArgumentCount;
        var anyPiece = false;
        for (var i = 3; i < count; i += 3)
        {
            if (!TryReadItem(context, i, slot, out items[(i - 3) / 3], out var error))
            {
                context.WriteError(error);
                return;
            }

            anyPiece |= items[(i - 3) / 3].Kind is ImportKind.FirstPiece or ImportKind.NextPiece;
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
        // A move is arriving: the runtime's tier-up compilation it wakes here yields to clients (docs/cluster.md, issue 15).
        Cluster.MoveScheduler.NoteImport();
        lock (server.Migration.ImportLock)
        {
            // Pieces first: they are the part that can still be refused, and a refusal must leave the store untouched.
            var pieces = server.Migration.Pieces;
            Dictionary<int, ImportPieces.Building>? completed = null;
            Dictionary<byte[], ImportPieces.Building?>? touched = null;
            if (anyPiece && !TryAddPieces(context, items, (int)slot, reset, pieces, out completed, out touched, out var refusal))
            {
                context.WriteError(refusal);
                return;
            }

            server.Migration.MarkImported((int)slot, store.Now);
            if (reset)
            {
                store.DeleteSlot((int)slot);
                pieces.DropSlot((int)slot);
            }

            if (touched is not null)
            {
                CommitPieces(touched, pieces);
            }

            for (var i = 3; i < count; i += 3)
            {
                var item = items[(i - 3) / 3];
                switch (item.Kind)
                {
                    case ImportKind.String:
                        // A key sent whole ends any collection left unfinished at it.
                        pieces.Remove(context.Argument(i + 1));

                        store.Import(context.Argument(i + 1), context.Argument(i + 2), item.ExpiresAt);
                        break;
                    case ImportKind.Whole:
                        pieces.Remove(context.Argument(i + 1));

                        store.Import(context.Argument(i + 1), item.Collection!, item.ExpiresAt);
                        break;
                    default:
                        if (completed is not null && completed.TryGetValue((i - 3) / 3, out var done))
                        {
                            store.Import(context.Argument(i + 1), done.Value, done.ExpiresAt);
                        }

                        break;
                }
            }

            // Logged as sent: replaying RESET drops whatever an older part of the log left in the slot, which a
            // record per key could not say; replaying the pieces rebuilds their collections the same way.
            context.Aof.Request(context.Request);
        }

        context.Output.WriteOk();
    }

    /// <summary>
    /// Over maxmemory, the one call of PEPPER.IMPORT that only frees memory: a RESET with no keys, of a slot this node
    /// holds keys or a half-built collection of. That is the mover taking back what an attempt the node refused part
    /// of (an OOM) left here; refused in turn, it would keep the node over its limit, refusing its own clients' writes,
    /// until the stray sweep. A RESET of a slot holding nothing frees nothing: it is an empty slot's pre-copy, refused
    /// as before, so a full node takes no slot, not even an empty one, and the old owner keeps serving it.
    /// </summary>
    private static bool DropsOnly(CommandContext context)
    {
        if (context.ArgumentCount != 3 || !context.ArgumentIs(2, "RESET"u8)
            || !context.TryGetInt64(1, out var slot) || slot is < 0 or >= HashSlot.SlotCount)
        {
            return false;
        }

        var migration = context.Server.Migration;
        lock (migration.ImportLock)
        {
            return migration.Pieces.HoldsSlot((int)slot) || context.Store.CountKeysInSlot((int)slot) > 0;
        }
    }

    /// <summary>A leaving (or departed) node's answer to a hand-over: the sender keeps the slot and tries again later.</summary>
    internal static ReadOnlySpan<byte> NotTakingSlots => "ERR This node is leaving the cluster and takes no slots"u8;

    // Redis's texts: getSlotOrReply (CLUSTER SETSLOT and friends) and RESTORE's TTL check.
    internal static ReadOnlySpan<byte> InvalidSlot => "ERR Invalid or out of range slot"u8;

    internal static ReadOnlySpan<byte> InvalidTtl => "ERR Invalid TTL value, must be >= 0"u8;

    internal static ReadOnlySpan<byte> WrongSlot => "ERR Key does not hash to the slot being imported"u8;

    /// <summary>RESTORE's text for a payload it cannot read.</summary>
    internal static ReadOnlySpan<byte> BadPayload => "ERR Bad data format"u8;

    internal static ReadOnlySpan<byte> NoPieceStarted => "ERR Import piece continues no collection being imported at its key"u8;

    internal static ReadOnlySpan<byte> PieceMismatch => "ERR Import piece's type or expiry differs from the collection being imported at its key"u8;

    internal static ReadOnlySpan<byte> TooManyElements => "ERR Import pieces hold more elements than their first piece announced"u8;
}
