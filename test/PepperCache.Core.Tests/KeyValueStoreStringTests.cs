using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class KeyValueStoreStringTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    public KeyValueStoreStringTests() => _store = new KeyValueStore(_time);

    [Fact]
    public void TryGetDeleteReturnsTheValueAndRemovesTheKey()
    {
        var expiresAt = _store.Now + 5000;
        _store.Set("k"u8, "v"u8, expiresAt);

        Assert.True(_store.TryGetDelete("k"u8, out var value));
        Assert.Equal("v", S(value.Span));
        Assert.Equal(expiresAt, value.ExpiresAt);
        Assert.False(_store.Exists("k"u8));
        Assert.False(_store.TryGetDelete("k"u8, out value));
        Assert.False(value.HasValue);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void TryGetDeleteTreatsAnExpiredKeyAsMissing()
    {
        _store.Set("k"u8, "v"u8, _store.Now + 10);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.False(_store.TryGetDelete("k"u8, out _));
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void TryGetAndExpireWithoutOptionsOnlyReads()
    {
        var expiresAt = _store.Now + 5000;
        _store.Set("k"u8, "v"u8, expiresAt);
        Assert.True(_store.TryGetAndExpire("k"u8, 0, persist: false, out var value));
        Assert.Equal("v", S(value.Span));
        Assert.Equal(expiresAt, _store.GetExpiresAt("k"u8));
        Assert.False(_store.TryGetAndExpire("missing"u8, 0, persist: false, out _));
    }

    [Fact]
    public void TryGetAndExpireSetsAFutureExpiry()
    {
        _store.Set("k"u8, "v"u8);
        var expiresAt = _store.Now + 2000;
        Assert.True(_store.TryGetAndExpire("k"u8, expiresAt, persist: false, out var value));
        Assert.Equal("v", S(value.Span));
        Assert.Equal(expiresAt, value.ExpiresAt);
        Assert.Equal(expiresAt, _store.GetExpiresAt("k"u8));
        Assert.Equal(1, _store.VolatileCount);
    }

    [Fact]
    public void TryGetAndExpirePersistRemovesTheExpiry()
    {
        _store.Set("k"u8, "v"u8, _store.Now + 2000);
        Assert.True(_store.TryGetAndExpire("k"u8, 0, persist: true, out var value));
        Assert.Equal(0, value.ExpiresAt);
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
        Assert.Equal(0, _store.VolatileCount);
    }

    [Fact]
    public void TryGetAndExpireWithAPastTimeReturnsTheValueThenDeletes()
    {
        _store.Set("k"u8, "v"u8);
        Assert.True(_store.TryGetAndExpire("k"u8, _store.Now, persist: false, out var value));
        Assert.Equal("v", S(value.Span));
        Assert.False(_store.Exists("k"u8));
    }

    [Theory]
    [InlineData(null, 1, "1")]
    [InlineData("10", 5, "15")]
    [InlineData("10", -15, "-5")]
    [InlineData("-9223372036854775808", 1, "-9223372036854775807")]
    [InlineData("10", -9223372036854775808, "-9223372036854775798")]
    [InlineData("0", 0, "0")]
    public void IncrementByAddsAndStoresTheDecimalText(string? initial, long delta, string expected)
    {
        if (initial is not null)
        {
            _store.Set("k"u8, B(initial));
        }

        Assert.Equal(IncrementResult.Ok, _store.IncrementBy("k"u8, delta, out var result));
        Assert.Equal(long.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result);
        Assert.True(_store.TryGet("k"u8, out var stored));
        Assert.Equal(expected, S(stored.Span));
    }

    // Checked against Redis 7.0.15 INCR: all "ERR value is not an integer or out of range".
    [Theory]
    [InlineData("-0")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("00")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("")]
    [InlineData("18446744073709551616")]
    [InlineData("abc")]
    public void IncrementByRejectsValuesRedisRejects(string initial)
    {
        _store.Set("k"u8, B(initial));
        Assert.Equal(IncrementResult.NotANumber, _store.IncrementBy("k"u8, 1, out _));
        Assert.True(_store.TryGet("k"u8, out var stored));
        Assert.Equal(initial, S(stored.Span));
    }

    [Theory]
    [InlineData("9223372036854775807", 1)]
    [InlineData("-9223372036854775808", -1)]
    [InlineData("1", 9223372036854775807)]
    [InlineData("-2", -9223372036854775807)]
    public void IncrementByReportsOverflowAndLeavesTheValue(string initial, long delta)
    {
        _store.Set("k"u8, B(initial));
        Assert.Equal(IncrementResult.Overflow, _store.IncrementBy("k"u8, delta, out _));
        Assert.True(_store.TryGet("k"u8, out var stored));
        Assert.Equal(initial, S(stored.Span));
    }

    [Fact]
    public void IncrementByKeepsTheExpiry()
    {
        var expiresAt = _store.Now + 10_000;
        _store.Set("k"u8, "41"u8, expiresAt);
        Assert.Equal(IncrementResult.Ok, _store.IncrementBy("k"u8, 1, out var result));
        Assert.Equal(42, result);
        Assert.Equal(expiresAt, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void IncrementByTreatsAnExpiredKeyAsZeroWithoutExpiry()
    {
        _store.Set("k"u8, "41"u8, _store.Now + 100);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(IncrementResult.Ok, _store.IncrementBy("k"u8, 1, out var result));
        Assert.Equal(1, result);
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void IncrementByDoesNotMutateAValueAlreadyHandedOut()
    {
        _store.Set("k"u8, "1"u8);
        Assert.True(_store.TryGet("k"u8, out var before));
        _store.IncrementBy("k"u8, 1, out _);
        Assert.Equal("1", S(before.Span));
    }

    [Fact]
    public void AppendCreatesExtendsAndKeepsTheExpiry()
    {
        Assert.Equal(5, _store.Append("k"u8, "hello"u8));
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
        var expiresAt = _store.Now + 1000;
        Assert.True(_store.SetExpiry("k"u8, expiresAt, ExpireCondition.Always));
        Assert.True(_store.TryGet("k"u8, out var before));

        Assert.Equal(11, _store.Append("k"u8, " world"u8));
        Assert.True(_store.TryGet("k"u8, out var after));
        Assert.Equal("hello world", S(after.Span));
        Assert.Equal("hello", S(before.Span));
        Assert.Equal(expiresAt, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void AppendOfNothingCreatesAnEmptyKeyAsRedisDoes()
    {
        Assert.Equal(0, _store.Append("k"u8, ""u8));
        Assert.True(_store.Exists("k"u8));
        _store.Set("j"u8, "abc"u8);
        Assert.Equal(3, _store.Append("j"u8, ""u8));
    }

    [Fact]
    public void SetRangeOverwritesInsideTheValue()
    {
        _store.Set("k"u8, "Hello World"u8);
        Assert.Equal(11, _store.SetRange("k"u8, 6, "Redis"u8));
        Assert.True(_store.TryGet("k"u8, out var value));
        Assert.Equal("Hello Redis", S(value.Span));
    }

    [Fact]
    public void SetRangePastTheEndZeroPads()
    {
        _store.Set("k"u8, "hello"u8);
        Assert.Equal(11, _store.SetRange("k"u8, 10, "X"u8));
        Assert.True(_store.TryGet("k"u8, out var value));
        Assert.Equal("hello\0\0\0\0\0X", S(value.Span));

        Assert.Equal(5, _store.SetRange("new"u8, 3, "ab"u8));
        Assert.True(_store.TryGet("new"u8, out value));
        Assert.Equal("\0\0\0ab", S(value.Span));
    }

    [Fact]
    public void SetRangeWithAnEmptyValueChangesAndCreatesNothing()
    {
        Assert.Equal(0, _store.SetRange("k"u8, 0, ""u8));
        Assert.Equal(0, _store.SetRange("k"u8, 100, ""u8));
        Assert.False(_store.Exists("k"u8));

        _store.Set("j"u8, "hello"u8);
        Assert.Equal(5, _store.SetRange("j"u8, 1, ""u8));
        Assert.Equal(5, _store.SetRange("j"u8, 100, ""u8));
        Assert.Equal(5, _store.StringLength("j"u8));
    }

    [Fact]
    public void SetRangeKeepsTheExpiryAndNewKeysHaveNone()
    {
        var expiresAt = _store.Now + 1000;
        _store.Set("k"u8, "hello"u8, expiresAt);
        _store.SetRange("k"u8, 0, "J"u8);
        Assert.Equal(expiresAt, _store.GetExpiresAt("k"u8));
        _store.SetRange("n"u8, 0, "x"u8);
        Assert.Equal(-1, _store.GetExpiresAt("n"u8));
    }

    [Fact]
    public void StringLengthIsZeroForMissingAndExpiredKeys()
    {
        Assert.Equal(0, _store.StringLength("k"u8));
        _store.Set("k"u8, "12345"u8, _store.Now + 10);
        Assert.Equal(5, _store.StringLength("k"u8));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, _store.StringLength("k"u8));
    }

    [Fact]
    public void SetManyWritesEveryPairAndDropsExpiries()
    {
        _store.Set("a"u8, "old"u8, _store.Now + 1000);
        using var request = Request("MSET", "a", "1", "b", "2", "c", "3");
        Assert.True(_store.SetMany(request, 1, onlyIfNoneExist: false));
        foreach (var (key, value) in new[] { ("a", "1"), ("b", "2"), ("c", "3") })
        {
            Assert.True(_store.TryGet(B(key), out var stored));
            Assert.Equal(value, S(stored.Span));
            Assert.Equal(-1, _store.GetExpiresAt(B(key)));
        }

        Assert.Equal(0, _store.VolatileCount);
    }

    [Fact]
    public void SetManyWithADuplicateKeyKeepsTheLastValue()
    {
        using var request = Request("MSET", "a", "1", "a", "2");
        Assert.True(_store.SetMany(request, 1, onlyIfNoneExist: false));
        Assert.True(_store.TryGet("a"u8, out var stored));
        Assert.Equal("2", S(stored.Span));
        Assert.Equal(1, _store.Count);

        using var nx = Request("MSETNX", "x", "1", "x", "2");
        Assert.True(_store.SetMany(nx, 1, onlyIfNoneExist: true));
        Assert.True(_store.TryGet("x"u8, out stored));
        Assert.Equal("2", S(stored.Span));
    }

    [Fact]
    public void SetManyOnlyIfNoneExistWritesNothingWhenOneKeyExists()
    {
        _store.Set("b"u8, "keep"u8);
        using var request = Request("MSETNX", "a", "1", "b", "2", "c", "3");
        Assert.False(_store.SetMany(request, 1, onlyIfNoneExist: true));
        Assert.False(_store.Exists("a"u8));
        Assert.False(_store.Exists("c"u8));
        Assert.True(_store.TryGet("b"u8, out var stored));
        Assert.Equal("keep", S(stored.Span));
    }

    [Fact]
    public void SetManyOnlyIfNoneExistIgnoresExpiredKeys()
    {
        _store.Set("b"u8, "gone"u8, _store.Now + 10);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        using var request = Request("MSETNX", "a", "1", "b", "2");
        Assert.True(_store.SetMany(request, 1, onlyIfNoneExist: true));
        Assert.True(_store.TryGet("b"u8, out var stored));
        Assert.Equal("2", S(stored.Span));
    }

    [Fact]
    public void SetManyWorksWithManyKeysAcrossEveryShard()
    {
        var arguments = new List<string> { "MSET" };
        for (var i = 0; i < 2000; i++)
        {
            arguments.Add("key:" + i);
            arguments.Add("value:" + i);
        }

        using var request = Request([.. arguments]);
        Assert.True(_store.SetMany(request, 1, onlyIfNoneExist: false));
        Assert.Equal(2000, _store.Count);
        Assert.True(_store.TryGet("key:1999"u8, out var stored));
        Assert.Equal("value:1999", S(stored.Span));
    }

    [Fact]
    public void SetManyWorksWithMoreShardsThanTheStackBitmapHolds()
    {
        var store = new KeyValueStore(_time, shardCount: 8192);
        using var request = Request("MSET", "a", "1", "b", "2");
        Assert.True(store.SetMany(request, 1, onlyIfNoneExist: false));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void ASingleShardStoreWorks()
    {
        var store = new KeyValueStore(_time, shardCount: 1);
        store.Set("a"u8, "1"u8);
        Assert.Equal(RenameResult.Renamed, store.Rename("a"u8, "b"u8, onlyIfTargetMissing: false));
        var keys = new List<byte[]>();
        Assert.Equal(0, store.Scan(0, default, 10, keys));
        Assert.Equal(["b"], keys.Select(k => S(k)));
    }
}
