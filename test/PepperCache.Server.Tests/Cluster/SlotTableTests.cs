using PepperCache.Server.Cluster;

namespace PepperCache.Server.Tests.Cluster;

public sealed class SlotTableTests
{
    private static readonly string A = new('a', 40);
    private static readonly string B = new('b', 40);

    [Fact]
    public void HigherEpochWinsAndATieGoesToTheLargerIdWhateverTheOrder()
    {
        var table = new SlotTable();
        Assert.True(table.Merge(5, A, 1));
        Assert.False(table.Merge(5, B, 0));
        Assert.True(table.Merge(5, B, 1));
        Assert.False(table.Merge(5, A, 1));
        Assert.True(table.Merge(5, A, 2));

        Assert.Equal((A, 2L), (table.OwnerOf(5), table.EpochOf(5)));
        Assert.Equal(2, table.MaxEpoch);
    }

    [Fact]
    public void MergingTablesIsCommutative()
    {
        var left = new SlotTable();
        var right = new SlotTable();
        for (var slot = 0; slot < 16384; slot++)
        {
            left.Merge(slot, A, slot % 3);
            right.Merge(slot, B, slot % 5);
        }

        using var leftCopy = left.Copy();
        using var rightCopy = right.Copy();
        var leftThenRight = new SlotTable();
        leftThenRight.Merge(leftCopy);
        leftThenRight.Merge(rightCopy);
        var rightThenLeft = new SlotTable();
        rightThenLeft.Merge(rightCopy);
        rightThenLeft.Merge(leftCopy);

        Assert.Equal(leftThenRight.Digest(), rightThenLeft.Digest());
        Assert.Equal(B, leftThenRight.OwnerOf(4));  // epochs 1 vs 4
        Assert.Equal(A, leftThenRight.OwnerOf(5));  // epochs 2 vs 0
    }

    [Fact]
    public void TheWireFormRoundTripsAndIsSmall()
    {
        var table = new SlotTable();
        for (var slot = 0; slot < 16384; slot++)
        {
            table.Merge(slot, slot % 2 == 0 ? A : B, 7);
        }

        var data = table.Encode();
        var decoded = SlotTable.Decode(data);

        Assert.NotNull(decoded);
        Assert.Equal(table.Digest(), decoded.Digest());
        Assert.Equal([A, B], data.Owners);
        Assert.True(data.Table.Length < 2000, $"{data.Table.Length} base64 characters");
        Assert.Null(SlotTable.Decode(data with { Table = "not base64!" }));
        Assert.Null(SlotTable.Decode(data with { Owners = [A] }));
    }

    /// <summary>Gossip and the saved state encode a pooled copy taken under the lock, and merge pooled decodes.</summary>
    [Fact]
    public void APooledCopyEncodesAndDecodesAsTheTableItself()
    {
        var table = new SlotTable();
        for (var slot = 0; slot < 16384; slot++)
        {
            if (slot % 7 != 0)
            {
                table.Merge(slot, slot < 9000 ? A : B, slot / 100);
            }
        }

        var data = table.Encode();
        using (var copy = table.Copy())
        {
            Assert.Equal(table.Sequence, copy.Sequence);
            Assert.Equal(data, copy.Encode() with { Owners = data.Owners });
            Assert.Equal(data.Owners, copy.Encode().Owners);
        }

        using var decoded = SlotTable.DecodeCopy(data);
        Assert.NotNull(decoded);
        Assert.Equal(table.MaxEpoch, decoded.MaxEpoch);
        var merged = new SlotTable();
        Assert.Equal(16384 - ((16383 / 7) + 1), merged.Merge(decoded));
        Assert.Equal(table.Digest(), merged.Digest());
        Assert.Null(merged.OwnerOf(0));
        Assert.Equal((B, 99L), (merged.OwnerOf(9999), merged.EpochOf(9999)));
        decoded.Dispose();
        Assert.Throws<ObjectDisposedException>(() => decoded.Owners.Length);
    }

    [Fact]
    public void ADeltaHoldsTheSlotsChangedSinceASequenceAndNoMore()
    {
        var table = new SlotTable();
        for (var slot = 0; slot < 16384; slot++)
        {
            table.Merge(slot, A, 1);
        }

        var since = table.Sequence;
        Assert.Equal("", table.EncodeDelta(since, 100)!.Entries);
        table.Merge(9, B, 2);
        table.Merge(16383, B, 3);
        table.Merge(9, A, 4);

        var delta = SlotTable.DecodeDelta(table.EncodeDelta(since, 100)!);
        Assert.NotNull(delta);
        Assert.Equal(new (int, string, long)[] { (9, A, 4L), (16383, B, 3L) }, delta.Entries);
        Assert.Null(table.EncodeDelta(since, 1));
        Assert.Null(table.EncodeDelta(table.Sequence + 1, 100));

        // Applied to a copy of the table as it was, the delta makes it equal, digest included.
        var copy = new SlotTable();
        for (var slot = 0; slot < 16384; slot++)
        {
            copy.Merge(slot, A, 1);
        }

        copy.Merge(delta);
        Assert.Equal(table.Digest(), copy.Digest());
    }
}
