using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Tests;

/// <summary>What memory accounting (MEMORY USAGE, used_memory) says a set holds, against what the managed heap grew by to hold it.</summary>
[Collection(nameof(HeapMeasurement))]
public class SetMemoryTests
{
    [Theory]
    [InlineData(200_000, false)]
    [InlineData(200_000, true)]
    public void TheBytesCountedForASetAreWithinTenPercentOfTheHeapItHolds(int members, bool integers)
    {
        var store = new KeyValueStore();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var fill = new Fill(members, integers, store.Encodings);
        store.Execute("big"u8, DataType.Set, ref fill);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(store.TryDescribe("big"u8, out var description));
        Assert.Equal(integers && members <= 512 ? "intset" : "hashtable", description.Encoding);
        var growth = after - before;
        Assert.InRange(description.Bytes, growth * 0.9, growth * 1.1);
        GC.KeepAlive(store);
    }

    private readonly struct Fill(int members, bool integers, EncodingSettings settings) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => new SetObject();

        public void Apply(StoreObject? value)
        {
            var set = (SetObject)value!;
            Span<byte> member = stackalloc byte[32];
            "member:"u8.CopyTo(member);
            var start = integers ? 0 : 7;
            for (var i = 0; i < members; i++)
            {
                (i * 3L).TryFormat(member[start..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
                set.Add(member[..(start + digits)], settings);
            }
        }
    }
}
