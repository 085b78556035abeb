using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// The per-slot key counts each shard keeps (for moves and the stray sweep) against the keys the store really holds,
/// through every way a key comes or goes.
/// </summary>
public class KeyValueStoreSlotCountTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(256)]
    public void CountsFollowEveryWayAKeyComesAndGoes(int shardCount)
    {
        var store = new KeyValueStore(_time, shardCount);
        var random = new Random(shardCount);
        // 20 hash tags, so slots hold several keys and several slots share a shard.
        var keys = Enumerable.Range(0, 300).Select(i => B($"{{t{i % 20}}}k{i}")).ToArray();
        for (var step = 0; step < 3_000; step++)
        {
            var key = keys[random.Next(keys.Length)];
            var other = keys[random.Next(keys.Length)];
            switch (random.Next(9))
            {
                case 0 or 1 or 2:
                    store.Set(key, B($"v{step}"));
                    break;
                case 3:
                    store.Delete(key);
                    break;
                case 4:
                    store.Rename(key, other, onlyIfTargetMissing: random.Next(2) == 0);
                    break;
                case 5 when key != other:
                    // COPY's caller refuses a key copied onto itself, as Redis does.
                    store.Copy(key, other, replace: random.Next(2) == 0);
                    break;
                case 6:
                    store.Import(key, B("imported"), Entry.NoExpiry);
                    break;
                case 7 when step % 100 == 0:
                    store.DeleteSlots([HashSlot.Of(key), HashSlot.Of(other)]);
                    break;
                case 8 when step % 500 == 0:
                    store.Clear();
                    break;
                default:
                    var field = new SetField(store.Encodings);
                    try
                    {
                        store.Execute(key, DataType.Hash, ref field);
                    }
                    catch (WrongTypeException)
                    {
                        // The key holds a string: nothing changes, which the counts must show too.
                    }

                    break;
            }

            if (step % 250 == 0)
            {
                AssertCountsMatch(store, keys);
            }
        }

        AssertCountsMatch(store, keys);
    }

    [Fact]
    public void ExpiredKeysCountUntilReclaimedAsDbsizeDoes()
    {
        var store = new KeyValueStore(_time);
        var keys = Enumerable.Range(0, 200).Select(i => B($"{{e{i % 7}}}k{i}")).ToArray();
        foreach (var key in keys)
        {
            store.Set(key, "v"u8, store.Now + 1_000);
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        var counts = new int[HashSlot.SlotCount];
        store.CountKeysPerSlot(counts);
        Assert.Equal(200, counts.Sum());
        Assert.Equal(store.Count, counts.Sum());

        // Half reclaimed lazily by a read, the rest by the active cycle.
        foreach (var key in keys.Take(100))
        {
            Assert.False(store.TryGet(key, out _));
        }

        store.CountKeysPerSlot(counts);
        Assert.Equal(100, counts.Sum());
        while (store.RemoveExpired(1_000) > 0)
        {
        }

        store.CountKeysPerSlot(counts);
        Assert.All(counts, count => Assert.Equal(0, count));
    }

    [Fact]
    public void EvictedKeysLeaveTheCounts()
    {
        var store = new KeyValueStore(_time);
        var keys = Enumerable.Range(0, 2_000).Select(i => B($"{{v{i % 30}}}k{i}")).ToArray();
        foreach (var key in keys)
        {
            store.Set(key, new byte[100]);
        }

        store.Memory.Policy = EvictionPolicy.AllKeysRandom;
        store.Memory.MaxMemory = store.UsedMemoryExact / 2;
        store.Evict(int.MaxValue, listener: null);

        Assert.InRange(store.Count, 1, 1_999);
        AssertCountsMatch(store, keys);
    }

    [Fact]
    public void PassesThatStopOnceTheyHaveMetASlotsKeysMissNone()
    {
        // One shard: the slot's keys sit among other slots' keys, its expired keys first, its live ones last.
        var store = new KeyValueStore(_time, shardCount: 1);
        for (var i = 0; i < 10; i++)
        {
            store.Set(B($"{{a}}gone{i}"), "x"u8, store.Now + 1_000);
        }

        for (var i = 0; i < 200; i++)
        {
            store.Set(B($"{{b{i}}}"), "y"u8);
        }

        for (var i = 0; i < 10; i++)
        {
            store.Set(B($"{{a}}live{i}"), "z"u8);
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        var slot = HashSlot.Of("{a}"u8);
        var into = new[] { new List<SlotEntry>() };
        store.ExportSlots([slot], into, new long[1]);
        Assert.Equal(10, into[0].Count);
        Assert.All(into[0], entry => Assert.StartsWith("{a}live", System.Text.Encoding.ASCII.GetString(entry.Key)));

        var unchanged = new bool[1];
        store.SlotsUnchangedSince([slot], into, unchanged);
        Assert.True(unchanged[0]);
        store.Set("{a}live9"u8, "changed"u8);
        store.SlotsUnchangedSince([slot], into, unchanged);
        Assert.False(unchanged[0]);

        Assert.Equal(10, store.DeleteSlots([slot, slot]));
        Assert.Equal(0, store.CountKeysInSlot(slot));
        Assert.Equal(200, store.Count);

        // A slot holding nothing exports nothing, compares equal to an empty copy and unequal to a non-empty one.
        var empty = new[] { new List<SlotEntry>() };
        store.ExportSlots([slot], empty, new long[1]);
        Assert.Empty(empty[0]);
        store.SlotsUnchangedSince([slot, slot], [empty[0], into[0]], unchanged = new bool[2]);
        Assert.Equal([true, false], unchanged);
    }

    /// <summary>The counts against the keys present, asked key by key (no key here has an expiry, so asking reclaims nothing).</summary>
    private static void AssertCountsMatch(KeyValueStore store, byte[][] keys)
    {
        var expected = new int[HashSlot.SlotCount];
        foreach (var key in keys)
        {
            if (store.Exists(key))
            {
                expected[HashSlot.Of(key)]++;
            }
        }

        var counts = new int[HashSlot.SlotCount];
        counts[1] = 12345;
        store.CountKeysPerSlot(counts);
        Assert.Equal(expected, counts);
        Assert.Equal(store.Count, counts.Sum());
        foreach (var slot in expected.Select((count, slot) => (count, slot)).Where(s => s.count > 0).Select(s => s.slot))
        {
            Assert.Equal(expected[slot], store.CountKeysInSlot(slot));
        }
    }

    private struct SetField(EncodingSettings settings) : IObjectOperation
    {
        public readonly StoreObject? CreateIfMissing() => new HashObject();

        public readonly void Apply(StoreObject? value) => ((HashObject)value!).Set("f"u8, "v"u8, settings);
    }
}
