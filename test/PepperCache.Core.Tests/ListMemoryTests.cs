using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Tests;

/// <summary>What memory accounting says a list holds, against what the managed heap grew by to hold it.</summary>
[Collection(nameof(HeapMeasurement))]
public class ListMemoryTests
{
    [Theory]
    [InlineData(200_000, 8)]
    [InlineData(100_000, 100)]
    public void TheBytesCountedForABigListAreWithinTenPercentOfTheHeapItHolds(int elements, int elementLength)
    {
        var store = new KeyValueStore();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var fill = new Fill(elements, elementLength);
        store.Execute("big"u8, DataType.List, ref fill);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(store.TryDescribe("big"u8, out var description));
        Assert.Equal("quicklist", description.Encoding);
        var growth = after - before;
        Assert.InRange(description.Bytes, growth * 0.9, growth * 1.1);
        GC.KeepAlive(store);
    }

    [Fact]
    public void EveryElementAddedIsTakenOffAgainExactly()
    {
        var list = new ListObject();
        var empty = list.HeapSize;
        list.Push(new byte[5], head: true);
        Assert.Equal(empty + Entry.ArraySize(5, 1), list.HeapSize);
        for (var i = 0; i < 1000; i++)
        {
            list.Push(new byte[i % 40], head: i % 2 == 0);
        }

        list.Insert(500, new byte[7]);
        list.Insert(3, new byte[9]);
        list.Set(10, new byte[33]);
        list.Remove(new byte[3], 0, fromTail: true);
        list.Remove(new byte[4], 2, fromTail: false);
        list.Trim(5, 900);
        var copy = (ListObject)list.Clone();
        Assert.Equal(list.HeapSize, copy.HeapSize);
        while (list.Count > 0)
        {
            list.Pop(head: list.Count % 2 == 0);
        }

        // The ring is back to its first size, so what is left is exactly an empty list.
        Assert.Equal(empty, list.HeapSize);
    }

    private readonly struct Fill(int elements, int elementLength) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => new ListObject();

        public void Apply(StoreObject? value)
        {
            var list = (ListObject)value!;
            Span<byte> element = stackalloc byte[elementLength];
            for (var i = 0; i < elements; i++)
            {
                i.TryFormat(element, out _, default, System.Globalization.CultureInfo.InvariantCulture);
                list.Push(element, head: false);
            }
        }
    }
}
