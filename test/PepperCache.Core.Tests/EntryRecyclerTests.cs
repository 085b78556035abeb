using System.Text;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// Eviction, a plain SET's overwrite and DEL hand the array of an entry no reader can hold to the next write of the
/// same size (<see cref="EntryRecycler"/>). What must hold: a value anyone was handed (a GET's, a snapshot's, an export's) keeps
/// its bytes whatever is written after, and nothing but a plain, never-shared string entry is reused. Each test runs
/// on one thread (the stash is per thread) and empties that thread's stash first.
/// </summary>
public sealed class EntryRecyclerTests
{
    public EntryRecyclerTests() => EntryRecycler.Clear();

    [Fact]
    public void AnEvictedEntryNobodyReadIsReusedByTheNextWriteOfItsSize()
    {
        var store = FullStore();
        store.Set("a:1"u8, Value('x'));
        Assert.Equal(EvictionOutcome.Running, store.Evict(1, null));
        Assert.Equal(0, store.Count);
        Assert.Equal(1, EntryRecycler.HeldOnThisThread);

        // Another length leaves it where it is; the same length takes it, and reads back as written.
        store.Set("a:22"u8, Value('y'));
        Assert.Equal(1, EntryRecycler.HeldOnThisThread);
        store.Set("a:3"u8, Value('z'), expiresAt: store.Now + 60_000);
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);

        AssertValue(store, "a:22", Value('y'));
        AssertValue(store, "a:3", Value('z'));
        Assert.True(store.TryDescribe("a:3"u8, out var description));
        Assert.Equal(("string", "raw"), (description.Type.ToString().ToLowerInvariant(), description.Encoding));
        Assert.True(store.GetExpiresAt("a:3"u8) > store.Now);
    }

    [Fact]
    public void AValueAReaderHoldsKeepsItsBytesThroughEvictionAndLaterWrites()
    {
        var store = FullStore();
        store.Set("held"u8, Value('h'));
        Assert.True(store.TryGet("held"u8, out var held));

        Assert.Equal(EvictionOutcome.Running, store.Evict(1, null));
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);
        for (var i = 0; i < 20; i++)
        {
            store.Set(B($"k:{i % 10}"), Value((char)('a' + i)));
            store.Evict(1, null);
        }

        Assert.Equal(Value('h'), held.Span.ToArray());
    }

    [Fact]
    public void AnOverwrittenEntryNobodyReadIsReusedByTheNextWriteOfItsSize()
    {
        var store = new KeyValueStore(TimeProvider.System, 1);
        store.Set("k"u8, Value('1'));
        store.Set("k"u8, Value('2'));
        Assert.Equal(1, EntryRecycler.HeldOnThisThread);

        store.Set("j"u8, Value('3')); // a new key of the same size: it takes k's first array
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);
        AssertValue(store, "k", Value('2'));
        AssertValue(store, "j", Value('3'));
    }

    [Fact]
    public void ADeletedEntryNobodyReadIsReusedAndOneAReaderHoldsIsNot()
    {
        var store = new KeyValueStore(TimeProvider.System, 1);
        store.Set("k"u8, Value('1'));
        Assert.True(store.Delete("k"u8));
        Assert.Equal(1, EntryRecycler.HeldOnThisThread);
        store.Set("j"u8, Value('2'));
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);

        Assert.True(store.TryGet("j"u8, out var held));
        Assert.True(store.Delete("j"u8));
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);
        store.Set("k"u8, Value('3'));
        Assert.Equal(Value('2'), held.Span.ToArray());
        AssertValue(store, "k", Value('3'));
    }

    [Fact]
    public void AnOverwrittenValueAReaderHoldsKeepsItsBytesThroughLaterWrites()
    {
        var store = new KeyValueStore(TimeProvider.System, 1);
        store.Set("k"u8, Value('h'));
        Assert.True(store.TryGet("k"u8, out var held));

        store.Set("k"u8, Value('x'));
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);
        for (var i = 0; i < 20; i++)
        {
            store.Set("k"u8, Value((char)('a' + i)));
            store.Set("j"u8, Value((char)('A' + i)));
        }

        Assert.Equal(Value('h'), held.Span.ToArray());
        AssertValue(store, "k", Value((char)('a' + 19)));
    }

    [Fact]
    public void ASnapshotsAndAnExportsEntriesKeepTheirBytesThroughEvictionAndLaterWrites()
    {
        var store = FullStore();
        store.Set("snap"u8, Value('s'));
        var snapshot = new List<StoredEntry>();
        store.Snapshot(snapshot);
        store.Set("exp"u8, Value('e'));
        var export = new List<SlotEntry>();
        store.ExportSlot(Protocol.HashSlot.Of("exp"u8), export);

        Assert.Equal(EvictionOutcome.Running, store.Evict(2, null));
        Assert.Equal(0, store.Count);
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);
        for (var i = 0; i < 20; i++)
        {
            store.Set(B($"k:{i % 10}"), Value((char)('a' + i)));
            store.Set(B($"j:{i % 10}"), Value((char)('A' + i)));
            store.Evict(2, null);
        }

        Assert.Equal(Value('s'), Assert.Single(snapshot).Value.ToArray());
        Assert.Equal(Value('e'), Assert.Single(export).Value.Span.ToArray());
    }

    [Fact]
    public void OnlyPlainStringEntriesUpToTheSizeLimitAreKept()
    {
        var store = FullStore();
        store.Set("big"u8, new byte[EntryRecycler.MaxEntryBytes]);
        store.Append("appended"u8, Value('a'));
        store.Append("appended"u8, "more"u8); // the form APPEND leaves: spacious, with spare room
        store.SetObject("hash"u8, new TestObject(DataType.Hash, 100));

        Assert.Equal(EvictionOutcome.Running, store.Evict(3, null));
        Assert.Equal(0, store.Count);
        Assert.Equal(0, EntryRecycler.HeldOnThisThread);
    }

    [Fact]
    public void TheStashHoldsAtMostItsBound()
    {
        var store = FullStore();
        for (var i = 0; i < 3 * EntryRecycler.MaxArrays; i++)
        {
            store.Set(B($"k:{i:D3}"), Value('v'));
        }

        Assert.Equal(EvictionOutcome.Running, store.Evict(3 * EntryRecycler.MaxArrays, null));
        Assert.Equal(EntryRecycler.MaxArrays, EntryRecycler.HeldOnThisThread);

        var large = new byte[EntryRecycler.MaxEntryBytes - 64];
        EntryRecycler.Clear();
        for (var i = 0; i < 10; i++)
        {
            store.Set(B($"l:{i}"), large);
        }

        store.Evict(10, null);
        Assert.Equal(EntryRecycler.MaxBytes / (EntryRecycler.MaxEntryBytes - 64 + 19), EntryRecycler.HeldOnThisThread);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadersAcrossThreadsNeverSeeAnotherKeysBytesWhileKeysAreOverwrittenAndEvicted(bool evicting)
    {
        // Each key's value is its own name repeated, and every value has one length, so an array reused while a
        // reader still held it would show up as a value that does not spell its key. Bounded: a fixed count per thread.
        var store = new KeyValueStore(TimeProvider.System, 16);
        store.Memory.Policy = EvictionPolicy.AllKeysLru;
        for (var i = 0; i < 500; i++)
        {
            store.Set(Key(i), ValueOf(i));
        }

        store.Memory.MaxMemory = evicting ? store.UsedMemoryExact / 2 : 0;
        var failures = 0;
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            start.SignalAndWait();
            for (var n = 0; n < 40_000; n++)
            {
                var i = random.Next(1000);
                var action = random.Next(8);
                if (action == 0)
                {
                    store.Delete(Key(i));
                }
                else if (action < 4)
                {
                    store.Evict(64, null);
                    store.Set(Key(i), ValueOf(i));
                }
                else if (store.TryGet(Key(i), out var value) && !value.Span.SequenceEqual(ValueOf(i)))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());

        Assert.Equal(0, failures);
        Assert.True(evicting ? store.EvictedKeys > 10_000 : store.Count > 500, $"evicted {store.EvictedKeys}, {store.Count} keys");

        static byte[] Key(int i) => B($"key:{i:D4}");
        static byte[] ValueOf(int i) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"key:{i:D4}", 8)));
    }

    private static KeyValueStore FullStore()
    {
        // One shard and a 1-byte limit: every Evict call removes exactly what it is allowed to.
        var store = new KeyValueStore(TimeProvider.System, 1);
        store.Memory.Policy = EvictionPolicy.AllKeysRandom;
        store.Memory.MaxMemory = 1;
        return store;
    }

    private static byte[] Value(char fill) => Enumerable.Repeat((byte)fill, 100).ToArray();

    private static void AssertValue(KeyValueStore store, string key, byte[] expected)
    {
        Assert.True(store.TryGet(B(key), out var value));
        Assert.Equal(expected, value.Span.ToArray());
    }
}
