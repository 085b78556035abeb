using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Server.Tests.SortedSets;

/// <summary>Measurements of the managed heap, run with no other test in parallel so other threads' allocations do not count.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

/// <summary>
/// A sorted set's <see cref="StoreObject.HeapSize"/> (what MEMORY USAGE and eviction count) against the live heap it
/// holds, measured by the GC, in both encodings.
/// </summary>
[Collection(nameof(HeapMeasurement))]
public sealed class SortedSetMemoryTests
{
    // Sets large enough that what the rest of the process allocates meanwhile (timers of nodes still stopping) stays
    // far below 10%: a 100-member listpack (4 KB) measured -4 KB once in a full run.
    [Theory]
    [InlineData(1_000, 16)]
    [InlineData(20_000, 16)]
    [InlineData(20_000, 200)]
    public void HeapSizeIsWithinTenPercentOfTheHeapHeld(int members, int memberLength)
    {
        var settings = new EncodingSettings();
        var inputs = new byte[members][];
        for (var i = 0; i < members; i++)
        {
            var text = Encoding.ASCII.GetBytes($"member:{i}:");
            inputs[i] = [.. text, .. new byte[Math.Max(0, memberLength - text.Length)]];
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var set = new SortedSetObject();
        for (var i = 0; i < members; i++)
        {
            set.Set(inputs[i], i * 0.5, settings);
        }

        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.Equal(members <= 128 ? "listpack" : "skiplist", Encoding.ASCII.GetString(set.EncodingName));
        Assert.InRange(set.HeapSize, held * 0.9, held * 1.1);
        GC.KeepAlive(set);
        GC.KeepAlive(inputs);
    }

    [Fact]
    public void HeapSizeFollowsRemovalsAndConversion()
    {
        var settings = new EncodingSettings();
        var set = new SortedSetObject();
        var empty = set.HeapSize;
        for (var i = 0; i < 1000; i++)
        {
            set.Set(Encoding.ASCII.GetBytes($"m{i}"), i, settings);
        }

        var full = set.HeapSize;
        Assert.True(full > empty);
        set.RemoveRange(0, 499);
        Assert.True(set.HeapSize < full);
        for (var i = 500; i < 1000; i++)
        {
            Assert.True(set.Remove(Encoding.ASCII.GetBytes($"m{i}")));
        }

        Assert.Equal(0, set.Count);
    }
}
