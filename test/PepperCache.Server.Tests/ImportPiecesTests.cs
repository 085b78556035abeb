using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;

namespace PepperCache.Server.Tests;

/// <summary>
/// The collections PEPPER.IMPORT is rebuilding: dropped by slot, when abandoned, and copied for an AOF rewrite; counted
/// in the store's memory while held, and given back by every way out.
/// </summary>
public sealed class ImportPiecesTests
{
    private static ImportPieces.Building Building(int slot, long total = 10) =>
        new(slot, DataType.List, 0, total, StoreObjectFormat.CreateEmpty(DataType.List, total, new EncodingSettings())!);

    [Fact]
    public void ResetAndTheSweepDropOnlyTheirSlotsCollections()
    {
        var pieces = new ImportPieces(new KeyValueStore());
        pieces.Set("a"u8.ToArray(), Building(1));
        pieces.Set("b"u8.ToArray(), Building(2));
        pieces.Set("c"u8.ToArray(), Building(2));

        Assert.Equal((1, true), pieces.DropAbandoned(slot => slot == 1));
        Assert.False(pieces.TryGet("a"u8, out _));
        Assert.True(pieces.TryGet("b"u8, out _));

        pieces.DropSlot(2);
        Assert.Equal(0, pieces.Count);
        Assert.Equal((0, false), pieces.DropAbandoned(_ => true));
    }

    [Fact]
    public void ARewriteCopiesEachCollectionAsPiecesThatAnnounceItsTotal()
    {
        var pieces = new ImportPieces(new KeyValueStore());
        Assert.Null(pieces.SnapshotForRewrite());
        var building = Building(7, total: 5_000);
        var list = (ListObject)building.Value;
        for (var i = 0; i < 2_500; i++)
        {
            list.Push([(byte)i], head: false);
        }

        pieces.Set("k"u8.ToArray(), building);
        var write = pieces.SnapshotForRewrite();
        // The copy is taken at the snapshot: what is added after it is not in the records.
        list.Push("later"u8, head: false);
        var output = new ArrayBufferWriter<byte>();
        write!(output);

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(output.WrittenMemory));
        using var request = new RespRequest();
        var typed = new List<string>();
        var elements = 0L;
        while (RespParser.TryReadCommand(ref reader, request))
        {
            Assert.Equal(["PEPPER.IMPORT", "7", "APPEND"], new[] { request.GetString(0), request.GetString(1), request.GetString(2) });
            typed.Add(request.GetString(3));
            Assert.Equal("k", request.GetString(4));
            var piece = StoreObjectFormat.CreateEmpty(DataType.List, 5_000, new EncodingSettings())!;
            Assert.True(piece.TryAppendPayload(request[5], new EncodingSettings()));
            elements += piece.Count;
        }

        Assert.Equal(["1:0:5000", "1:0:+", "1:0:+"], typed);
        Assert.Equal(2_500, elements);
    }

    [Fact]
    public void EachCollectionCountsItsOwnFigureWhileHeldAndEveryWayOutGivesItBack()
    {
        var store = new KeyValueStore();
        var baseline = store.UsedMemoryExact;
        var pieces = new ImportPieces(store);
        var building = Building(1, total: 5_000);
        var list = (ListObject)building.Value;
        pieces.Set("a"u8.ToArray(), building);
        Assert.Equal(list.HeapSize, store.BuildingMemory);
        Assert.Equal(baseline + list.HeapSize, store.UsedMemoryExact);
        Assert.Equal(store.UsedMemoryExact, store.UsedMemory);

        // A piece is added in place, then the collection set again: counted once, at its new size.
        for (var i = 0; i < 3_000; i++)
        {
            list.Push(new byte[100], head: false);
        }

        pieces.Set("a"u8.ToArray(), building);
        Assert.Equal(list.HeapSize, store.BuildingMemory);
        Assert.True(list.HeapSize > 300_000, $"{list.HeapSize}");

        // A first piece again at the same key replaces the collection held there: only the new one counts.
        var again = Building(1);
        pieces.Set("a"u8.ToArray(), again);
        Assert.Equal(again.Value.HeapSize, store.BuildingMemory);

        pieces.Set("b"u8.ToArray(), Building(2));
        pieces.Set("c"u8.ToArray(), Building(3));
        pieces.Set("d"u8.ToArray(), Building(4));
        pieces.Remove("a"u8);
        pieces.DropSlot(2);
        pieces.DropAbandoned(slot => slot == 3);
        Assert.Equal(Building(4).Value.HeapSize, store.BuildingMemory);
        pieces.Remove("d"u8);
        pieces.Remove("d"u8);
        Assert.Equal(0, store.BuildingMemory);
        Assert.Equal(baseline, store.UsedMemoryExact);
        Assert.Equal(baseline, store.UsedMemory);
    }
}
