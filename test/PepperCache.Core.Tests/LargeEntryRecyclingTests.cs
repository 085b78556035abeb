using PepperCache.Core.Storage;

namespace PepperCache.Core.Tests;

/// <summary>
/// A large entry (above <see cref="EntryRecycler.MaxEntryBytes"/>) that a write freed goes to the next large argument of
/// its size (<see cref="KeyValueStore.NewEntryArray"/>), which SET adopts as its entry. What must hold: an array a
/// command still reads as its argument, or a value a reader was handed, is never reused. The large slots are shared by
/// every thread, so these tests run alone.
/// </summary>
[Collection(nameof(LargeEntryRecycling))]
public sealed class LargeEntryRecyclingTests
{
    private const int ValueLength = 200_003;

    public LargeEntryRecyclingTests()
    {
        EntryRecycler.Clear();
        // Store tests elsewhere call SetInPlace without ending the adoption; their threads' slots are let go here.
        AdoptedArrays.Clear();
    }

    [Fact]
    public void AnOverwrittenLargeEntryIsTheNextLargeArgumentOfItsSize()
    {
        var store = new KeyValueStore(TimeProvider.System, 1);
        var first = Adopt(store, "k", 'a');
        var second = Adopt(store, "k", 'b');

        Assert.NotSame(first, second);
        Assert.Equal(1, EntryRecycler.LargeHeld);
        Assert.NotSame(first, KeyValueStore.NewEntryArray(first.Length + 1));
        Assert.Same(first, KeyValueStore.NewEntryArray(first.Length));
        Assert.Equal(0, EntryRecycler.LargeHeld);
        Assert.True(store.TryGet("k"u8, out var value));
        Assert.True(value.Span.SequenceEqual(Filled('b')));
    }

    [Fact]
    public void AnArrayACommandStillReadsIsNotReusedUntilTheCommandEnds()
    {
        var store = new KeyValueStore(TimeProvider.System, 1);
        var held = NewArgument("k", 'a');
        store.SetInPlace("k"u8, held); // no EndAdoption: the command is still running on this thread

        OnAnotherThread(() => store.Set("k"u8, "small"u8));

        Assert.Equal(0, EntryRecycler.LargeHeld);
        Assert.NotSame(held, KeyValueStore.NewEntryArray(held.Length));

        KeyValueStore.EndAdoption();
        var ended = Adopt(store, "m", 'b');
        OnAnotherThread(() => store.Delete("m"u8));
        Assert.Same(ended, KeyValueStore.NewEntryArray(ended.Length));
    }

    [Fact]
    public void WithEveryAdoptionSlotTakenAnAdoptedArrayIsNeverReused()
    {
        // As many commands holding adopted arrays as there are slots, each on a thread of its own, still running.
        var store = new KeyValueStore(TimeProvider.System, 1);
        using var holding = new CountdownEvent(AdoptedArrays.Slots);
        using var done = new ManualResetEventSlim();
        var held = 0;
        var holders = Enumerable.Range(0, AdoptedArrays.Slots).Select(_ => new Thread(() =>
        {
            if (AdoptedArrays.TryHold(new byte[1]))
            {
                Interlocked.Increment(ref held);
            }

            holding.Signal();
            done.Wait(TimeSpan.FromSeconds(30));
            AdoptedArrays.Release();
        })).ToList();
        holders.ForEach(thread => thread.Start());
        Assert.True(holding.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        try
        {
            Assert.Equal(AdoptedArrays.Slots, held);
            var unheld = Adopt(store, "k", 'a');
            Adopt(store, "k", 'b');

            Assert.Equal(0, EntryRecycler.LargeHeld);
            Assert.NotSame(unheld, KeyValueStore.NewEntryArray(unheld.Length));
        }
        finally
        {
            done.Set();
            holders.ForEach(thread => thread.Join());
        }
    }

    [Fact]
    public void ALargeValueAReaderHoldsKeepsItsBytes()
    {
        var store = new KeyValueStore(TimeProvider.System, 1);
        var first = Adopt(store, "k", 'a');
        Assert.True(store.TryGet("k"u8, out var read));

        Adopt(store, "k", 'b');
        var next = Adopt(store, "j", 'c');

        Assert.NotSame(first, next);
        Assert.Equal(0, EntryRecycler.LargeHeld);
        Assert.True(read.Span.SequenceEqual(Filled('a')));
    }

    [Fact]
    public void AtMostTheSlotsAreKeptAndNothingAboveTheSizeLimit()
    {
        var store = new KeyValueStore(TimeProvider.System, 1);
        var arrays = Enumerable.Range(0, EntryRecycler.LargeSlots + 3).Select(i => Adopt(store, $"k:{i:D2}", 'x')).ToList();
        for (var i = 0; i < arrays.Count; i++)
        {
            Assert.True(store.Delete(TestBytes.B($"k:{i:D2}")));
        }

        Assert.Equal(EntryRecycler.LargeSlots, EntryRecycler.LargeHeld);

        EntryRecycler.Clear();
        var huge = NewArgument("h", 'h', EntryRecycler.MaxLargeEntryBytes);
        store.SetInPlace("h"u8, huge);
        KeyValueStore.EndAdoption();
        Assert.True(store.Delete("h"u8));
        Assert.Equal(0, EntryRecycler.LargeHeld);
    }

    private static byte[] Adopt(KeyValueStore store, string key, char fill)
    {
        var array = NewArgument(key, fill);
        store.SetInPlace(TestBytes.B(key), array);
        KeyValueStore.EndAdoption();
        return array;
    }

    /// <summary>As the parser leaves a large argument: the value after room for the entry's header and key.</summary>
    private static byte[] NewArgument(string key, char fill, int valueLength = ValueLength)
    {
        var offset = KeyValueStore.ValueOffset(key.Length);
        var array = KeyValueStore.NewEntryArray(offset + valueLength);
        Filled(fill, valueLength).CopyTo(array.AsSpan(offset));
        return array;
    }

    private static byte[] Filled(char fill, int length = ValueLength) => Enumerable.Repeat((byte)fill, length).ToArray();

    private static void OnAnotherThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        thread.Join();
    }
}

[CollectionDefinition(nameof(LargeEntryRecycling), DisableParallelization = true)]
public sealed class LargeEntryRecycling;
