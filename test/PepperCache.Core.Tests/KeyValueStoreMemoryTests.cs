using System.Text;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Tests;

/// <summary>
/// Memory accounting: what the shards count is what their tables and entries take on the managed heap, computed
/// here independently (array sizes checked against the runtime's own allocation counter) and compared with the
/// heap's growth as the GC reports it.
/// </summary>
[Collection(nameof(HeapMeasurementCollection))]
public sealed class KeyValueStoreMemoryTests
{
    private const int KeyLength = 16;
    private const int ValueLength = 32;

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ArraySizesAreWhatTheRuntimeAllocates()
    {
        for (var length = 0; length <= 100; length++)
        {
            var n = length;
            Assert.Equal(ArrayBytes(n, 1), Allocated(() => new byte[n]));
            Assert.Equal(ArrayBytes(n, 4), Allocated(() => new int[n]));
            Assert.Equal(ArrayBytes(n, 2), Allocated(() => new ushort[n]));
            Assert.Equal(ArrayBytes(n, 16), Allocated(() => new SlotLike[n]));
            Assert.Equal(ArrayBytes(n, 8), Allocated(() => new object?[n]));
            Assert.Equal(ArrayBytes(n, 1), Entry.ArraySize(n, 1));
        }
    }

    [Fact]
    public void AnEmptyStoreHoldsItsEmptyTables()
    {
        var store = new KeyValueStore(_time);
        Assert.Equal(256 * (Tables(16) + SlotCounts(256)), store.UsedMemoryExact);
        Assert.Equal(store.EmptyMemory, store.UsedMemoryExact);
        Assert.Equal(store.UsedMemoryExact, store.UsedMemory);
    }

    [Fact]
    public void EachWriteChangesTheCountByExactlyTheEntrysSize()
    {
        var store = new KeyValueStore(_time, shardCount: 1);
        var empty = Tables(16) + SlotCounts(1);
        Assert.Equal(empty, store.UsedMemoryExact);

        store.Set("k"u8, "v"u8);
        Assert.Equal(empty + ArrayBytes(16 + 1 + 1, 1), store.UsedMemoryExact);

        store.Set("k"u8, new byte[100]);
        Assert.Equal(empty + ArrayBytes(16 + 1 + 100, 1), store.UsedMemoryExact);

        // APPEND leaves a spacious entry (a 4-byte length, room for twice the length, as Redis's sds): the room counts.
        Assert.Equal(104, store.Append("k"u8, "tail"u8));
        Assert.Equal(empty + ArrayBytes(16 + 1 + 4 + 208, 1), store.UsedMemoryExact);

        Assert.Equal(IncrementResult.Ok, store.IncrementBy("n"u8, 12345, out _));
        Assert.Equal(empty + ArrayBytes(16 + 1 + 4 + 208, 1) + ArrayBytes(16 + 1 + 5, 1), store.UsedMemoryExact);

        Assert.Equal(RenameResult.Renamed, store.Rename("k"u8, "longer-name"u8, onlyIfTargetMissing: false));
        Assert.Equal(empty + ArrayBytes(16 + 11 + 104, 1) + ArrayBytes(16 + 1 + 5, 1), store.UsedMemoryExact);

        // An expiring key is freed when it is found expired, whichever way it is found.
        Assert.True(store.SetExpiry("n"u8, store.Now + 1000, ExpireCondition.Always));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(store.Exists("n"u8));
        Assert.Equal(empty + ArrayBytes(16 + 11 + 104, 1), store.UsedMemoryExact);

        Assert.True(store.Delete("longer-name"u8));
        Assert.Equal(empty, store.UsedMemoryExact);
    }

    [Fact]
    public void UsedMemoryExactIsTheSumOfEntriesAndTables()
    {
        var store = new KeyValueStore(_time);
        var perShard = new int[256];
        Span<byte> key = stackalloc byte[KeyLength];
        Span<byte> value = stackalloc byte[ValueLength];
        long entries = 0;
        for (var i = 0; i < 20_000; i++)
        {
            // Keys and values of varied lengths, so padding to 8 bytes is exercised.
            var k = key[..(KeyLength - (i % 7))];
            var v = value[..(i % ValueLength)];
            WriteKey(k, i);
            store.Set(k, v);
            perShard[store.ShardOf(k)]++;
            entries += ArrayBytes(16 + k.Length + v.Length, 1);
        }

        Assert.Equal(TablesFor(perShard) + entries, store.UsedMemoryExact);
    }

    [Fact]
    public void LoadingKeysGrowsTheHeapByWhatTheStoreCountsAndDeletingGivesTheEntriesBack()
    {
        const int Keys = 200_000;
        var start = GC.GetTotalMemory(forceFullCollection: true);
        var store = new KeyValueStore(_time);
        var perShard = new int[256];
        Span<byte> key = stackalloc byte[KeyLength];
        Span<byte> value = stackalloc byte[ValueLength];
        value.Fill((byte)'v');
        for (var i = 0; i < Keys; i++)
        {
            WriteKey(key, i);
            store.Set(key, value);
            perShard[store.ShardOf(key)]++;
        }

        var loaded = GC.GetTotalMemory(forceFullCollection: true) - start;
        var counted = store.UsedMemoryExact;
        Assert.Equal(TablesFor(perShard) + (Keys * ArrayBytes(16 + KeyLength + ValueLength, 1)), counted);
        AssertWithin(0.10, expected: loaded, actual: counted);

        for (var i = 0; i < Keys; i++)
        {
            WriteKey(key, i);
            Assert.True(store.Delete(key));
        }

        // Every entry is given back; the tables keep the size they grew to (they are reused, not shrunk).
        var deleted = GC.GetTotalMemory(forceFullCollection: true) - start;
        Assert.Equal(TablesFor(perShard), store.UsedMemoryExact);
        AssertWithin(0.10, expected: deleted, actual: store.UsedMemoryExact);

        store.Clear();
        Assert.Equal(store.EmptyMemory, store.UsedMemoryExact);
        Assert.Equal(store.EmptyMemory, store.UsedMemory);
        GC.KeepAlive(store);
    }

    [Fact]
    public void SettingALimitPublishesWhatTheShardsHeldBack()
    {
        var store = new KeyValueStore(_time);
        Span<byte> key = stackalloc byte[KeyLength];
        var value = new byte[ValueLength];
        for (var i = 0; i < 20_000; i++)
        {
            WriteKey(key, i);
            store.Set(key, value);
        }

        // Without a limit each shard keeps up to 16 KB to itself: here, everything written.
        Assert.Equal(store.EmptyMemory, store.UsedMemory);

        // A limit is checked against the batched count from the next command on: it must see what is there.
        store.Memory.MaxMemory = store.UsedMemoryExact / 2;
        Assert.Equal(store.UsedMemoryExact, store.UsedMemory);
        Assert.True(store.IsOverMemoryLimit);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64L * 1024 * 1024)]
    [InlineData(1024L * 1024)]
    public void TheBatchedCountStaysWithinShardsTimesThresholdOfTheExactOne(long maxMemory)
    {
        var store = new KeyValueStore(_time);
        store.Memory.MaxMemory = maxMemory;
        var threshold = maxMemory == 0 ? MemoryMeter.MaxThreshold : Math.Clamp(maxMemory / 256 / 64, 256, MemoryMeter.MaxThreshold);
        var bound = 256 * threshold;
        Span<byte> key = stackalloc byte[KeyLength];
        var value = new byte[ValueLength];
        for (var i = 0; i < 50_000; i++)
        {
            WriteKey(key, i);
            store.Set(key, value);
            if (i % 997 == 0)
            {
                Assert.InRange(store.UsedMemory - store.UsedMemoryExact, -bound, bound);
            }
        }

        for (var i = 0; i < 50_000; i += 2)
        {
            WriteKey(key, i);
            store.Delete(key);
        }

        Assert.InRange(store.UsedMemory - store.UsedMemoryExact, -bound, bound);
    }

    private static void WriteKey(Span<byte> key, int i)
    {
        key.Fill((byte)'0');
        "key:"u8.CopyTo(key);
        var digits = Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        digits.CopyTo(key[(key.Length - digits.Length)..]);
    }

    private static void AssertWithin(double tolerance, long expected, long actual)
        => Assert.True(
            Math.Abs(actual - expected) <= tolerance * expected,
            $"counted {actual} bytes, the heap grew by {expected} ({100.0 * (actual - expected) / expected:F1}% apart)");

    /// <summary>A .NET array on 64-bit: 8 header + 8 method table + 8 length, elements padded to 8.</summary>
    private static long ArrayBytes(long length, int elementSize) => (24 + (length * elementSize) + 7) / 8 * 8;

    /// <summary>
    /// A shard's bucket array (int), slot array (hash, link, entry reference: 16 bytes) and hash-slot column (ushort)
    /// at one capacity.
    /// </summary>
    private static long Tables(int capacity) => ArrayBytes(capacity, 4) + ArrayBytes(capacity, 16) + ArrayBytes(capacity, 2);

    /// <summary>A shard's keys-per-slot counts (int) when the store has <paramref name="shards"/> shards.</summary>
    private static long SlotCounts(int shards) => ArrayBytes(16384 / shards, 4);

    /// <summary>The tables of shards that were only added to: the capacity doubles from 16 until it holds them.</summary>
    private static long TablesFor(int[] keysPerShard)
    {
        long total = 0;
        foreach (var keys in keysPerShard)
        {
            var capacity = 16;
            while (capacity < keys)
            {
                capacity *= 2;
            }

            total += Tables(capacity) + SlotCounts(keysPerShard.Length);
        }

        return total;
    }

    private static long Allocated(Func<object> allocate)
    {
        long best = long.MaxValue;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var allocated = allocate();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            GC.KeepAlive(allocated);
        }

        return best;
    }

    // The shard's slot: hash, chain link and entry reference.
    private readonly record struct SlotLike(uint Hash, int Next, byte[]? Entry);
}

/// <summary>Tests that read the process's heap size run alone, so no other test's allocations land in their figures.</summary>
[CollectionDefinition(nameof(HeapMeasurementCollection), DisableParallelization = true)]
public sealed class HeapMeasurementCollection;
