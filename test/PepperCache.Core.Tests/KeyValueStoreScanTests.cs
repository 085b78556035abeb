using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class KeyValueStoreScanTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    public KeyValueStoreScanTests() => _store = new KeyValueStore(_time);

    [Fact]
    public void KeysReturnsEveryMatchingLiveKey()
    {
        _store.Set("user:1"u8, "a"u8);
        _store.Set("user:2"u8, "a"u8);
        _store.Set("order:1"u8, "a"u8);
        _store.Set("user:3"u8, "a"u8, _store.Now + 10);
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(["user:1", "user:2"], Keys("user:*"));
        Assert.Equal(["order:1", "user:1", "user:2"], Keys("*"));
        Assert.Equal(["order:1"], Keys("order:1"));
        Assert.Empty(Keys("nothing*"));
        Assert.Equal(3, _store.Count);
    }

    [Fact]
    public void TheMatchAllShortcutsReturnTheEmptyKeyButStarStarDoesNotAsInRedis()
    {
        _store.Set(""u8, "v"u8);
        _store.Set("a"u8, "v"u8);
        Assert.Equal(["", "a"], Keys("*"));
        Assert.Equal(["a"], Keys("**"));
        Assert.Equal(["", "a"], ScanAll(default, 10));
        Assert.Equal(["a"], ScanAll("**"u8, 10));
    }

    [Fact]
    public void ScanOfAnEmptyStoreEndsAtOnce()
    {
        var keys = new List<byte[]>();
        Assert.Equal(0, _store.Scan(0, default, 10, keys));
        Assert.Empty(keys);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void AFullScanReturnsEveryKeyExactlyOnceWhenNothingChanges(int count)
    {
        for (var i = 0; i < 3000; i++)
        {
            _store.Set(B("k" + i), "v"u8);
        }

        var seen = ScanAll(default, count);
        Assert.Equal(3000, seen.Count);
        Assert.Equal(3000, seen.Distinct().Count());
    }

    [Fact]
    public void ScanAppliesThePatternAndSkipsExpiredKeys()
    {
        for (var i = 0; i < 100; i++)
        {
            _store.Set(B("even" + (i * 2)), "v"u8);
            _store.Set(B("odd" + ((i * 2) + 1)), "v"u8, _store.Now + 10);
        }

        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(100, ScanAll("even*"u8, 7).Count);
        Assert.Empty(ScanAll("odd*"u8, 7));
        Assert.Equal(100, _store.Count);
    }

    [Fact]
    public void ScanReturnsEveryKeyThatStaysWhileOthersComeGoAndTheTablesGrow()
    {
        const int Stable = 2000;
        for (var i = 0; i < Stable; i++)
        {
            _store.Set(B("stable" + i), "v"u8);
        }

        // Churn keys are added and removed between SCAN calls, with adds outpacing removes so every shard
        // grows several times over during the scan.
        var seen = new HashSet<string>();
        var keys = new List<byte[]>();
        long cursor = 0;
        var next = 0;
        var calls = 0;
        do
        {
            keys.Clear();
            cursor = _store.Scan(cursor, default, 20, keys);
            foreach (var key in keys)
            {
                seen.Add(S(key));
            }

            for (var i = 0; i < 100; i++, next++)
            {
                _store.Set(B("churn" + next), "v"u8);
            }

            for (var i = next - 100; i < next; i += 3)
            {
                _store.Delete(B("churn" + i));
            }

            calls++;
        }
        while (cursor != 0 && calls < 100_000);

        Assert.Equal(0, cursor);
        Assert.True(_store.Count > 10 * Stable, "the churn should have grown the store well past its start size");
        for (var i = 0; i < Stable; i++)
        {
            Assert.Contains("stable" + i, seen);
        }
    }

    [Fact]
    public void ScanReturnsKeysThatStayEvenWhenOthersAreDeleted()
    {
        for (var i = 0; i < 2000; i++)
        {
            _store.Set(B((i % 2 == 0 ? "keep" : "drop") + i), "v"u8);
        }

        var seen = new HashSet<string>();
        var keys = new List<byte[]>();
        long cursor = 0;
        var dropped = 1;
        var calls = 0;
        do
        {
            keys.Clear();
            cursor = _store.Scan(cursor, default, 10, keys);
            seen.UnionWith(keys.Select(k => S(k)));
            for (var i = 0; i < 20 && dropped < 2000; i++, dropped += 2)
            {
                _store.Delete(B("drop" + dropped));
            }

            calls++;
        }
        while (cursor != 0 && calls < 10_000);

        Assert.Equal(0, cursor);
        Assert.Equal(1000, seen.Count(k => k.StartsWith("keep", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(1L << 40)]
    public void ACursorTheStoreCannotHaveMadeEndsTheScan(long cursor)
    {
        _store.Set("k"u8, "v"u8);
        var keys = new List<byte[]>();
        Assert.Equal(0, _store.Scan(cursor, default, 10, keys));
        Assert.Empty(keys);
    }

    [Fact]
    public void AnArbitraryInRangeCursorDoesNotCrashAndFinishes()
    {
        for (var i = 0; i < 100; i++)
        {
            _store.Set(B("k" + i), "v"u8);
        }

        var keys = new List<byte[]>();
        long cursor = 123_456_789;
        var calls = 0;
        do
        {
            cursor = _store.Scan(cursor, default, 10, keys);
            calls++;
        }
        while (cursor != 0 && calls < 1000);

        Assert.Equal(0, cursor);
        Assert.True(keys.Count <= 100);
    }

    [Fact]
    public void ScanWithCountZeroStillMakesProgress()
    {
        for (var i = 0; i < 50; i++)
        {
            _store.Set(B("k" + i), "v"u8);
        }

        Assert.Equal(50, ScanAll(default, 0).Count);
    }

    private List<string> Keys(string pattern)
    {
        var keys = new List<byte[]>();
        _store.Keys(B(pattern), keys);
        return [.. keys.Select(k => S(k)).Order(StringComparer.Ordinal)];
    }

    private List<string> ScanAll(ReadOnlySpan<byte> pattern, int count)
    {
        var keys = new List<byte[]>();
        long cursor = 0;
        var calls = 0;
        do
        {
            cursor = _store.Scan(cursor, pattern, count, keys);
            calls++;
        }
        while (cursor != 0 && calls < 1_000_000);

        Assert.Equal(0, cursor);
        return [.. keys.Select(k => S(k)).Order(StringComparer.Ordinal)];
    }
}
