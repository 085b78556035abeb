using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Collections that <c>PEPPER.IMPORT</c> is rebuilding from pieces (a large collection moves in several), by key.
/// They are held here, not in the store, until their last piece arrives: no command, scan, count or eviction ever
/// sees one half-built (only its bytes are counted, see remarks), and a move abandoned half-way leaves nothing in the keyspace.
/// </summary>
/// <remarks>
/// Read and changed only by <c>PEPPER.IMPORT</c> under <see cref="SlotMigrationState.ImportLock"/> (and, with an
/// AOF, under its write lock, which every write command holds). Counted in the node's memory
/// (<see cref="KeyValueStore.BuildingMemory"/>, part of used_memory) by each collection's own figure from its first
/// piece until it leaves here, so maxmemory refuses or evicts for it as for a key: <see cref="Set"/> counts what a
/// collection has grown by since it was last set, and whatever drops one gives its counted bytes back. A collection
/// that completes leaves here before the store takes it, and from then on counts once, as a key. Its slot's next
/// <c>RESET</c> drops what an abandoned move left here, and so does the stray-key sweep once the slot has had no
/// import for <see cref="RebalanceService.ImportGrace"/> (a mover that crashed half-way, or whose slot went
/// elsewhere, sends no RESET).
/// </remarks>
internal sealed class ImportPieces(KeyValueStore store)
{
    private readonly Dictionary<byte[], Held> _building = new(ByteKeyComparer.Instance);

    /// <summary>Collections being rebuilt now (for tests and diagnostics).</summary>
    public int Count => _building.Count;

    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out Building? building)
    {
        building = _building.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out var held) ? held.Building : null;
        return building is not null;
    }

    /// <summary>
    /// Holds <paramref name="building"/> at <paramref name="key"/> (replacing and uncounting any other collection held
    /// there) and counts its bytes now: pieces are added to a held collection in place, before it is set again.
    /// </summary>
    public void Set(byte[] key, Building building)
    {
        if (!_building.TryGetValue(key, out var held) || !ReferenceEquals(held.Building, building))
        {
            if (held is not null)
            {
                Uncount(held);
            }

            held = new Held(building);
            _building[key] = held;
        }

        var size = building.Value.HeapSize;
        store.AddBuildingMemory(size - held.Counted);
        held.Counted = size;
    }

    public void Remove(ReadOnlySpan<byte> key)
    {
        // Every key an import stores whole comes here: with nothing being rebuilt (almost always), no hash of it.
        if (_building.Count > 0 && _building.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(key, out _, out var held))
        {
            Uncount(held);
        }
    }

    /// <summary>Whether a collection of <paramref name="slot"/> is being rebuilt here.</summary>
    public bool HoldsSlot(int slot)
    {
        foreach (var (_, held) in _building)
        {
            if (held.Building.Slot == slot)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Forgets every collection being rebuilt in <paramref name="slot"/> (its import starts again with RESET).</summary>
    public void DropSlot(int slot)
    {
        foreach (var (key, held) in _building)
        {
            if (held.Building.Slot == slot)
            {
                _building.Remove(key);
                Uncount(held);
            }
        }
    }

    /// <summary>
    /// Forgets the collections of each slot <paramref name="abandoned"/> says was given up (no import for a while: a
    /// mover sends a collection's pieces back to back). Returns how many were dropped, and whether some remain.
    /// </summary>
    public (int Dropped, bool Remaining) DropAbandoned(Func<int, bool> abandoned)
    {
        var dropped = 0;
        foreach (var (key, held) in _building)
        {
            if (abandoned(held.Building.Slot))
            {
                _building.Remove(key);
                Uncount(held);
                dropped++;
            }
        }

        return (dropped, _building.Count > 0);
    }

    /// <summary>
    /// For an AOF rewrite, called under the log's write lock and the import lock (every import holds both, the
    /// sweep of abandoned pieces the second, so nothing changes here meanwhile): a copy of each collection being rebuilt, and what writes it into the new file after the snapshot.
    /// Without it a rewrite in the middle of a collection's pieces would drop the pieces before it, and replaying the
    /// file would refuse the rest (a continuation with no start): the collection would be missing after a restart.
    /// </summary>
    public Action<IBufferWriter<byte>>? SnapshotForRewrite()
    {
        if (_building.Count == 0)
        {
            return null;
        }

        var copies = _building.Select(pair => (pair.Key, pair.Value.Building with { Value = pair.Value.Building.Value.Clone() })).ToList();
        return output =>
        {
            foreach (var (key, building) in copies)
            {
                WriteRestoreCommands(key, building, output);
            }
        };
    }

    /// <summary>
    /// <c>PEPPER.IMPORT slot APPEND type:expires-at:total key piece</c>, then <c>type:expires-at:+</c> commands, with the
    /// elements come so far: replayed, they start the collection again where it was, announcing the same total.
    /// </summary>
    private static void WriteRestoreCommands(byte[] key, Building building, IBufferWriter<byte> output)
    {
        var slot = Encoding.ASCII.GetBytes(building.Slot.ToString(CultureInfo.InvariantCulture));
        var prefix = $"{(int)building.Type}:{building.ExpiresAt.ToString(CultureInfo.InvariantCulture)}:";
        var first = Encoding.ASCII.GetBytes(prefix + building.Total.ToString(CultureInfo.InvariantCulture));
        var next = Encoding.ASCII.GetBytes(prefix + "+");
        var cursor = building.Value.OpenPayloadCursor();
        var elements = new ArrayBufferWriter<byte>();
        var piece = new ArrayBufferWriter<byte>();
        var more = cursor.MoveNext();
        var written = false;
        while (more || !written)
        {
            var count = 0;
            elements.ResetWrittenCount();
            // The mover's bounds: so many elements, or so many bytes (an element larger than that alone).
            for (; more && count < RebalanceService.PieceElements && (count == 0 || elements.WrittenCount + cursor.Size <= RebalanceService.PieceBytes); more = cursor.MoveNext())
            {
                cursor.Write(elements);
                count++;
            }

            piece.ResetWrittenCount();
            StoreObjectFormat.WriteHeader(piece, count);
            piece.Write(elements.WrittenSpan);
            output.WriteArrayHeader(6);
            output.WriteBulkString("PEPPER.IMPORT"u8);
            output.WriteBulkString(slot);
            output.WriteBulkString("APPEND"u8);
            output.WriteBulkString(written ? next : first);
            output.WriteBulkString(key);
            output.WriteBulkString(piece.WrittenSpan);
            written = true;
        }
    }

    /// <summary>Gives back the bytes counted for a collection no longer held here.</summary>
    private void Uncount(Held held)
    {
        store.AddBuildingMemory(-held.Counted);
        held.Counted = 0;
    }

    /// <summary>A collection held here, and the bytes of it counted in the store's memory.</summary>
    private sealed class Held(Building building)
    {
        public Building Building { get; } = building;

        public long Counted { get; set; }
    }

    /// <summary>A collection being rebuilt: its slot, type and absolute expiry, the elements its first piece announced, and those come so far.</summary>
    internal sealed record Building(int Slot, DataType Type, long ExpiresAt, long Total, StoreObject Value);
}
