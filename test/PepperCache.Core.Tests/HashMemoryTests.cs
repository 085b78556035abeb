using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Tests;

/// <summary>Runs alone: it reads the process's managed heap, which other tests' allocations would disturb.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

/// <summary>What memory accounting says a hash holds, against what the managed heap grew by to hold it.</summary>
[Collection(nameof(HeapMeasurement))]
public class HashMemoryTests
{
    [Theory]
    [InlineData(100_000, 8)]
    [InlineData(100_000, 100)]
    public void TheBytesCountedForABigHashAreWithinTenPercentOfTheHeapItHolds(int fields, int valueLength)
    {
        var store = new KeyValueStore();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var fill = new Fill(fields, valueLength, store.Encodings);
        store.Execute("big"u8, DataType.Hash, ref fill);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(store.TryDescribe("big"u8, out var description));
        Assert.Equal("hashtable", description.Encoding);
        var growth = after - before;
        Assert.InRange(description.Bytes, growth * 0.9, growth * 1.1);
        GC.KeepAlive(store);
    }

    private readonly struct Fill(int fields, int valueLength, EncodingSettings settings) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => new HashObject();

        public void Apply(StoreObject? value)
        {
            var hash = (HashObject)value!;
            Span<byte> field = stackalloc byte[32];
            Span<byte> text = stackalloc byte[valueLength];
            text.Fill((byte)'v');
            "field:"u8.CopyTo(field);
            for (var i = 0; i < fields; i++)
            {
                i.TryFormat(field[6..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
                hash.Set(field[..(6 + digits)], text, settings);
            }
        }
    }
}
