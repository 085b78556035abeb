using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// PEPPER.IMPORT's arguments read and checked, and a large collection's pieces put together.
internal static partial class MigrationCommands
{
    /// <summary>
    /// Reads the triple at <paramref name="at"/> (<c>expiry key value</c>) and checks it, in the order the texts have
    /// always come: the expiry, the key's slot, then the type and payload. A whole collection is read here; a piece
    /// is read when it is added (<see cref="TryAddPieces"/>), still before anything is written.
    /// </summary>
    private static bool TryReadItem(CommandContext context, int at, long slot, out ImportItem item, out ReadOnlySpan<byte> error)
    {
        item = default;
        error = default;
        var token = context.Argument(at);
        var colon = token.IndexOf((byte)':');
        var rest = colon < 0 ? token : token[(colon + 1)..];
        var second = colon < 0 ? -1 : rest.IndexOf((byte)':');
        if (!RespParser.TryParseInt64(second < 0 ? rest : rest[..second], out var expiresAt))
        {
            error = ErrorMessages.NotInteger;
            return false;
        }

        if (expiresAt < 0)
        {
            error = InvalidTtl;
            return false;
        }

        if (HashSlot.Of(context.Argument(at + 1)) != slot)
        {
            error = WrongSlot;
            return false;
        }

        if (colon < 0)
        {
            item = new ImportItem(ImportKind.String, default, expiresAt);
            return true;
        }

        error = BadPayload;
        if (!RespParser.TryParseInt64(token[..colon], out var typeNumber) || typeNumber is < 0 or > byte.MaxValue)
        {
            return false;
        }

        var type = (DataType)typeNumber;
        var settings = context.Store.Encodings;
        if (second < 0)
        {
            if (!StoreObjectFormat.TryDeserialize(type, context.Argument(at + 2), settings, out var collection))
            {
                return false;
            }

            item = new ImportItem(ImportKind.Whole, type, expiresAt, collection);
            return true;
        }

        // A piece: "+" continues the collection being rebuilt at the key, a count starts one of that many elements.
        var marker = rest[(second + 1)..];
        if (type is not (DataType.Hash or DataType.List or DataType.Set or DataType.SortedSet))
        {
            return false;
        }

        if (marker.SequenceEqual("+"u8))
        {
            item = new ImportItem(ImportKind.NextPiece, type, expiresAt);
            return true;
        }

        if (!RespParser.TryParseInt64(marker, out var total) || total <= 0)
        {
            return false;
        }

        item = new ImportItem(ImportKind.FirstPiece, type, expiresAt, Total: total);
        return true;
    }

    /// <summary>
    /// Adds the command's pieces, in order, to the collections they rebuild (<paramref name="pieces"/>; after a
    /// <paramref name="reset"/> none of the slot's counts). Returns, by item index, the collections whose last piece
    /// this command brings, to be stored at that item. On a refusal the collections the command touched are dropped
    /// (their next pieces are refused too) and the store is left alone. Otherwise <paramref name="touched"/> holds
    /// the latest state of each key the pieces touched (null once complete), for <see cref="CommitPieces"/>.
    /// </summary>
    private static bool TryAddPieces(
        CommandContext context, ReadOnlySpan<ImportItem> items, int slot, bool reset, ImportPieces pieces,
        out Dictionary<int, ImportPieces.Building> completed, out Dictionary<byte[], ImportPieces.Building?> touched, out ReadOnlySpan<byte> refusal)
    {
        completed = [];
        refusal = default;
        var settings = context.Store.Encodings;
        touched = new Dictionary<byte[], ImportPieces.Building?>(ByteKeyComparer.Instance);
        var lookup = touched.GetAlternateLookup<ReadOnlySpan<byte>>();
        for (var j = 0; j < items.Length; j++)
        {
            var item = items[j];
            if (item.Kind is not (ImportKind.FirstPiece or ImportKind.NextPiece))
            {
                continue;
            }

            var key = context.Argument(3 + (3 * j) + 1);
            ImportPieces.Building? building;
            if (item.Kind == ImportKind.FirstPiece)
            {
                building = new ImportPieces.Building(slot, item.Type, item.ExpiresAt, item.Total, StoreObjectFormat.CreateEmpty(item.Type, item.Total, settings)!);
            }
            else if (lookup.TryGetValue(key, out building) ? building is null : (reset || !pieces.TryGet(key, out building)))
            {
                refusal = NoPieceStarted;
            }
            else if (building!.Type != item.Type || building.ExpiresAt != item.ExpiresAt)
            {
                refusal = PieceMismatch;
            }

            lookup[key] = building;
            if (refusal.IsEmpty)
            {
                if (!building!.Value.TryAppendPayload(context.Argument(3 + (3 * j) + 2), settings))
                {
                    refusal = BadPayload;
                }
                else if (building.Value.Count > building.Total)
                {
                    refusal = TooManyElements;
                }
                else if (building.Value.Count == building.Total)
                {
                    completed[j] = building;
                    lookup[key] = null;
                }
            }

            if (!refusal.IsEmpty)
            {
                foreach (var abandoned in touched.Keys)
                {
                    pieces.Remove(abandoned);
                }

                return false;
            }
        }

        return true;
    }

    /// <summary>Keeps what <see cref="TryAddPieces"/> built: collections still missing pieces wait here, complete ones leave.</summary>
    private static void CommitPieces(Dictionary<byte[], ImportPieces.Building?> touched, ImportPieces pieces)
    {
        foreach (var (key, state) in touched)
        {
            if (state is null)
            {
                pieces.Remove(key);
            }
            else
            {
                pieces.Set(key, state);
            }
        }
    }

    private enum ImportKind : byte
    {
        /// <summary><c>expires-at key value</c>: a string.</summary>
        String,

        /// <summary><c>type:expires-at key payload</c>: a whole collection (<see cref="ImportItem.Collection"/>).</summary>
        Whole,

        /// <summary><c>type:expires-at:total key payload</c>: the first piece of a collection of <see cref="ImportItem.Total"/> elements.</summary>
        FirstPiece,

        /// <summary><c>type:expires-at:+ key payload</c>: the next piece of the collection being rebuilt at the key.</summary>
        NextPiece,
    }

    private readonly record struct ImportItem(ImportKind Kind, DataType Type, long ExpiresAt, StoreObject? Collection = null, long Total = 0);
}
