using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class HashObjectTests
{
    private readonly EncodingSettings _settings = new();

    [Fact]
    public void SetGetRemoveAndCount()
    {
        var hash = new HashObject();
        Assert.True(hash.Set("f"u8, "v"u8, _settings));
        Assert.False(hash.Set("f"u8, "w"u8, _settings));
        Assert.True(hash.Set(""u8, ""u8, _settings));
        Assert.Equal(2, hash.Count);
        Assert.True(hash.TryGetValue("f"u8, out var value));
        Assert.Equal("w", S(value));
        Assert.True(hash.TryGetValue(""u8, out value));
        Assert.True(value.IsEmpty);
        Assert.False(hash.TryGetValue("g"u8, out _));
        Assert.True(hash.Remove("f"u8));
        Assert.False(hash.Remove("f"u8));
        Assert.False(hash.ContainsField("f"u8));
        Assert.Equal(1, hash.Count);
    }

    [Fact]
    public void AListpackKeepsInsertionOrderOverwritesInPlaceAndClosesGaps()
    {
        var hash = new HashObject();
        foreach (var field in new[] { "a", "b", "c", "d", "e" })
        {
            hash.Set(B(field), B(field.ToUpperInvariant()), _settings);
        }

        hash.Set("b"u8, "B2"u8, _settings);
        hash.Remove("c"u8);
        hash.Set("c"u8, "C2"u8, _settings);
        hash.Remove("a"u8);
        Assert.True(hash.IsListpack);
        Assert.Equal(["b=B2", "d=D", "e=E", "c=C2"], Pairs(hash));
    }

    [Fact]
    public void ConvertsToAHashtableWhenAFieldOrValueIsTooLongAndNeverBack()
    {
        var hash = new HashObject();
        hash.Set("a"u8, new byte[64], _settings);
        Assert.True(hash.IsListpack);
        Assert.Equal("listpack", S(hash.EncodingName));
        hash.Set("b"u8, new byte[65], _settings);
        Assert.False(hash.IsListpack);
        Assert.Equal("hashtable", S(hash.EncodingName));
        hash.Remove("b"u8);
        Assert.False(hash.IsListpack);

        var byField = new HashObject();
        byField.Set(new byte[65], "v"u8, _settings);
        Assert.False(byField.IsListpack);
    }

    [Fact]
    public void ConvertsToAHashtableOnceItHoldsMoreThanTheEntryLimit()
    {
        _settings.HashMaxListpackEntries = 4;
        var hash = new HashObject();
        for (var i = 0; i < 4; i++)
        {
            hash.Set(B($"f{i}"), "v"u8, _settings);
        }

        Assert.True(hash.IsListpack);
        hash.Set("f0"u8, "again"u8, _settings);
        Assert.True(hash.IsListpack);
        hash.Set("f4"u8, "v"u8, _settings);
        Assert.False(hash.IsListpack);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(hash.ContainsField(B($"f{i}")));
        }
    }

    [Fact]
    public void AHashtableFindsEveryFieldThroughGrowthAndRemovals()
    {
        var hash = new HashObject();
        for (var i = 0; i < 5000; i++)
        {
            hash.Set(B($"field:{i}"), B($"value:{i}"), _settings);
        }

        for (var i = 0; i < 5000; i += 3)
        {
            Assert.True(hash.Remove(B($"field:{i}")));
        }

        for (var i = 5000; i < 6000; i++)
        {
            hash.Set(B($"field:{i}"), B($"value:{i}"), _settings);
        }

        for (var i = 0; i < 6000; i++)
        {
            var present = i >= 5000 || i % 3 != 0;
            Assert.Equal(present, hash.TryGetValue(B($"field:{i}"), out var value));
            if (present)
            {
                Assert.Equal($"value:{i}", S(value));
            }
        }

        Assert.Equal(6000 - 1667, hash.Count);
        Assert.Equal(hash.Count, Pairs(hash).Count);
    }

    [Fact]
    public void ScanOfAListpackAnswersEverythingMatchingWithCursorZero()
    {
        var hash = new HashObject();
        hash.Set("a1"u8, "x"u8, _settings);
        hash.Set("b1"u8, "y"u8, _settings);
        hash.Set("a2"u8, "z"u8, _settings);
        var into = new List<byte[]>();
        Assert.Equal(0, hash.Scan(0, 1, "a*"u8, into));
        Assert.Equal(["a1", "a2"], into.Select(p => S(HashObject.FieldOf(p))));
    }

    [Fact]
    public void ScanOfAHashtableReturnsEveryFieldPresentThroughoutWhateverIsWrittenMeanwhile()
    {
        var hash = new HashObject();
        for (var i = 0; i < 2000; i++)
        {
            hash.Set(B($"keep:{i}"), "v"u8, _settings);
            hash.Set(B($"churn:{i}"), "v"u8, _settings);
        }

        var seen = new HashSet<string>();
        var into = new List<byte[]>();
        long cursor = 0;
        var calls = 0;
        var added = 0;
        do
        {
            into.Clear();
            cursor = hash.Scan(cursor, 10, default, into);
            seen.UnionWith(into.Select(p => S(HashObject.FieldOf(p))));
            // Between calls: delete churn fields, add new ones (reusing freed slots), grow the table.
            hash.Remove(B($"churn:{calls}"));
            for (var j = 0; j < 3; j++)
            {
                hash.Set(B($"new:{added++}"), "v"u8, _settings);
            }

            calls++;
        }
        while (cursor != 0 && calls < 100_000);

        Assert.Equal(0, cursor);
        for (var i = 0; i < 2000; i++)
        {
            Assert.Contains($"keep:{i}", seen);
        }
    }

    [Fact]
    public void RandomDistinctPairsAreDistinctMembers()
    {
        var hash = new HashObject();
        for (var i = 0; i < 300; i++)
        {
            hash.Set(B($"f{i}"), "v"u8, _settings);
        }

        for (var i = 0; i < 300; i += 2)
        {
            hash.Remove(B($"f{i}"));
        }

        var random = new Random(7);
        foreach (var count in new[] { 1, 10, 49, 50, 100, 149 })
        {
            var into = new List<byte[]>();
            hash.RandomDistinctPairs(count, random, into);
            var fields = into.Select(p => S(HashObject.FieldOf(p))).ToList();
            Assert.Equal(count, fields.Count);
            Assert.Equal(count, fields.Distinct().Count());
            Assert.All(fields, f => Assert.True(hash.ContainsField(B(f))));
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.True(hash.ContainsField(HashObject.FieldOf(hash.RandomPair(random))));
        }
    }

    [Fact]
    public void HeapSizeOfANewHashIsWhatItAllocated()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var hash = new HashObject();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(allocated, hash.HeapSize);
    }

    [Fact]
    public void HeapSizeFollowsEveryChange()
    {
        var hash = new HashObject();
        var empty = hash.HeapSize;
        hash.Set("field"u8, "value"u8, _settings);
        var one = hash.HeapSize;
        Assert.True(one > empty);
        hash.Set("field"u8, new byte[40], _settings);
        Assert.Equal(one + Entry.ArraySize(4 + 5 + 40, 1) - Entry.ArraySize(4 + 5 + 5, 1), hash.HeapSize);
        hash.Remove("field"u8);
        Assert.Equal(empty, hash.HeapSize);
    }

    [Fact]
    public void ACloneIsIndependentOfLaterWrites()
    {
        _settings.HashMaxListpackEntries = 2;
        var hash = new HashObject();
        hash.Set("a"u8, "1"u8, _settings);
        hash.Set("b"u8, "2"u8, _settings);
        hash.Set("c"u8, "3"u8, _settings);
        var clone = (HashObject)hash.Clone();
        hash.Set("a"u8, "changed"u8, _settings);
        hash.Remove("b"u8);
        hash.Set("d"u8, "4"u8, _settings);
        Assert.Equal(["a=1", "b=2", "c=3"], Pairs(clone).Order());
        Assert.Equal(3, clone.Count);
        Assert.Equal(clone.HeapSize, ((HashObject)clone.Clone()).HeapSize);
    }

    [Fact]
    public void AValueOfTheSameLengthIsWrittenIntoItsPairAndAllocatesNothing()
    {
        var hash = new HashObject();
        var value = new byte[100_000];
        hash.Set("f"u8, value, _settings);
        var pair = hash.PairAt(0);
        var heap = hash.HeapSize;
        value.AsSpan().Fill((byte)'x');

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(hash.Set("f"u8, value, _settings));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(pair, hash.PairAt(0));
        Assert.Equal(0, allocated);
        Assert.Equal(heap, hash.HeapSize);
        Assert.True(hash.TryGetValue("f"u8, out var read) && read.SequenceEqual(value));
        // Another length still takes a new pair.
        hash.Set("f"u8, "short"u8, _settings);
        Assert.NotSame(pair, hash.PairAt(0));
        Assert.Equal(["f=short"], Pairs(hash));
    }

    [Fact]
    public void AClonesValuesStayAsTheyWereWhenEitherSideWritesValuesOfTheSameLength()
    {
        // A clone shares the pairs (COPY's destination, a snapshot being written out): a same-length write on either
        // side must not reach the other through a shared pair.
        var hash = new HashObject();
        hash.Set("a"u8, "1111"u8, _settings);
        hash.Set("b"u8, "2222"u8, _settings);
        var clone = (HashObject)hash.Clone();

        hash.Set("a"u8, "AAAA"u8, _settings);
        clone.Set("b"u8, "BBBB"u8, _settings);
        Assert.Equal(["a=1111", "b=BBBB"], Pairs(clone).Order());
        Assert.Equal(["a=AAAA", "b=2222"], Pairs(hash).Order());

        // The new pairs are each side's own again: written in place, still apart.
        var own = hash.PairAt(0);
        hash.Set("a"u8, "aaaa"u8, _settings);
        Assert.Same(own, hash.PairAt(0));
        Assert.Equal(["a=1111", "b=BBBB"], Pairs(clone).Order());
        Assert.Equal(["a=aaaa", "b=2222"], Pairs(hash).Order());
    }

    [Fact]
    public void VersionRisesWithEveryChangeAndOnlyThen()
    {
        var hash = new HashObject();
        var version = hash.Version;
        hash.Set("a"u8, "1"u8, _settings);
        Assert.True(hash.Version > version);
        version = hash.Version;
        hash.TryGetValue("a"u8, out _);
        hash.Remove("missing"u8);
        Assert.Equal(version, hash.Version);
        hash.Remove("a"u8);
        Assert.True(hash.Version > version);
    }

    [Fact]
    public void IncrementByCountsFromZeroAndRefusesNonIntegersAndOverflow()
    {
        var hash = new HashObject();
        Assert.Equal(HashIncrementResult.Ok, hash.IncrementBy("n"u8, 5, _settings, out var result));
        Assert.Equal(5, result);
        Assert.Equal(HashIncrementResult.Ok, hash.IncrementBy("n"u8, -7, _settings, out result));
        Assert.Equal(-2, result);
        hash.TryGetValue("n"u8, out var text);
        Assert.Equal("-2", S(text));
        hash.Set("s"u8, " 1"u8, _settings);
        Assert.Equal(HashIncrementResult.NotANumber, hash.IncrementBy("s"u8, 1, _settings, out _));
        hash.Set("big"u8, B(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)), _settings);
        Assert.Equal(HashIncrementResult.Overflow, hash.IncrementBy("big"u8, 1, _settings, out _));
    }

    [Fact]
    public void IncrementByFloatAddsInLongDoubleAsRedisDoes()
    {
        var hash = new HashObject();
        Assert.Equal(HashIncrementResult.Ok, hash.IncrementByFloat("f"u8, "0.1"u8, _settings, out var result));
        Assert.Equal(HashIncrementResult.Ok, hash.IncrementByFloat("f"u8, "0.2"u8, _settings, out result));
        Assert.Equal("0.3", S(result));
        Assert.Equal(HashIncrementResult.Overflow, HashObject.CheckFloatIncrement("inf"u8));
        Assert.Equal(HashIncrementResult.NotANumber, HashObject.CheckFloatIncrement("nan"u8));
        Assert.Equal(HashIncrementResult.NotANumber, HashObject.CheckFloatIncrement("1x"u8));
        Assert.Equal(HashIncrementResult.Ok, HashObject.CheckFloatIncrement("1e10"u8));
        hash.Set("s"u8, "abc"u8, _settings);
        Assert.Equal(HashIncrementResult.NotANumber, hash.IncrementByFloat("s"u8, "1"u8, _settings, out _));
        hash.Set("inf"u8, "inf"u8, _settings);
        Assert.Equal(HashIncrementResult.Overflow, hash.IncrementByFloat("inf"u8, "1"u8, _settings, out _));
    }

    internal static List<string> Pairs(HashObject hash)
    {
        var pairs = new List<string>();
        foreach (var pair in hash)
        {
            pairs.Add(S(HashObject.FieldOf(pair)) + "=" + S(HashObject.ValueOf(pair)));
        }

        return pairs;
    }
}
