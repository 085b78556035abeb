using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Tests;

public class KeyValueStoreExpiryTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    public KeyValueStoreExpiryTests() => _store = new KeyValueStore(_time);

    private long Now => _store.Now;

    [Fact]
    public void SetExpiryOnAMissingKeyFails()
        => Assert.False(_store.SetExpiry("k"u8, Now + 1000, ExpireCondition.Always));

    [Fact]
    public void SetExpiryThenTheKeyExpiresLazily()
    {
        _store.Set("k"u8, "v"u8);
        Assert.True(_store.SetExpiry("k"u8, Now + 1000, ExpireCondition.Always));
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(_store.Exists("k"u8));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_store.Exists("k"u8));
        Assert.Equal(0, _store.Count);
        Assert.Equal(1, _store.ExpiredKeys);
    }

    [Fact]
    public void SetExpiryAtOrBeforeNowDeletesTheKeyWithoutCountingItAsExpired()
    {
        _store.Set("a"u8, "v"u8);
        _store.Set("b"u8, "v"u8);
        Assert.True(_store.SetExpiry("a"u8, Now, ExpireCondition.Always));
        Assert.True(_store.SetExpiry("b"u8, Now - 5000, ExpireCondition.Always));
        Assert.Equal(0, _store.Count);
        Assert.Equal(0, _store.ExpiredKeys);
    }

    // Redis 7 EXPIRE NX/XX/GT/LT; "none" is a key without TTL, which counts as infinite for GT and LT.
    [Theory]
    [InlineData(ExpireCondition.IfNoExpiry, false, 0, true)]
    [InlineData(ExpireCondition.IfNoExpiry, true, 1, false)]
    [InlineData(ExpireCondition.IfHasExpiry, false, 0, false)]
    [InlineData(ExpireCondition.IfHasExpiry, true, 1, true)]
    [InlineData(ExpireCondition.IfGreater, false, 0, false)]
    [InlineData(ExpireCondition.IfGreater, true, 1, true)]
    [InlineData(ExpireCondition.IfGreater, true, 0, false)]
    [InlineData(ExpireCondition.IfGreater, true, -1, false)]
    [InlineData(ExpireCondition.IfLess, false, 0, true)]
    [InlineData(ExpireCondition.IfLess, true, -1, true)]
    [InlineData(ExpireCondition.IfLess, true, 0, false)]
    [InlineData(ExpireCondition.IfLess, true, 1, false)]
    [InlineData(ExpireCondition.IfHasExpiryAndLess, false, 0, false)]
    [InlineData(ExpireCondition.IfHasExpiryAndLess, true, -1, true)]
    [InlineData(ExpireCondition.IfHasExpiryAndLess, true, 1, false)]
    public void SetExpiryConditions(ExpireCondition condition, bool hasExpiry, int direction, bool applied)
    {
        var current = Now + 10_000;
        _store.Set("k"u8, "v"u8, hasExpiry ? current : 0);
        var requested = current + (direction * 1000);
        Assert.Equal(applied, _store.SetExpiry("k"u8, requested, condition));
        Assert.Equal(applied ? requested : hasExpiry ? current : -1, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void AFailedConditionNeverDeletesEvenForAPastTime()
    {
        _store.Set("k"u8, "v"u8, Now + 1000);
        Assert.False(_store.SetExpiry("k"u8, Now - 1, ExpireCondition.IfNoExpiry));
        Assert.True(_store.Exists("k"u8));
        Assert.True(_store.SetExpiry("k"u8, Now - 1, ExpireCondition.IfLess));
        Assert.False(_store.Exists("k"u8));
    }

    [Fact]
    public void GetExpiresAtDistinguishesMissingPersistentAndVolatile()
    {
        Assert.Equal(-2, _store.GetExpiresAt("k"u8));
        _store.Set("k"u8, "v"u8);
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
        _store.Set("k"u8, "v"u8, Now + 42);
        Assert.Equal(Now + 42, _store.GetExpiresAt("k"u8));
        _time.Advance(TimeSpan.FromMilliseconds(42));
        Assert.Equal(-2, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void PersistRemovesOnlyAnExistingExpiry()
    {
        Assert.False(_store.Persist("k"u8));
        _store.Set("k"u8, "v"u8);
        Assert.False(_store.Persist("k"u8));
        _store.Set("k"u8, "v"u8, Now + 100);
        Assert.Equal(1, _store.VolatileCount);
        Assert.True(_store.Persist("k"u8));
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
        Assert.Equal(0, _store.VolatileCount);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_store.Exists("k"u8));
    }

    [Fact]
    public void ExpiredKeysStillCountInDbSizeUntilReclaimed()
    {
        _store.Set("k"u8, "v"u8, Now + 10);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, _store.Count);
        Assert.False(_store.TryGet("k"u8, out _));
        Assert.Equal(0, _store.Count);
        Assert.Equal(0, _store.VolatileCount);
    }

    [Fact]
    public void RemoveExpiredReclaimsKeysNobodyTouches()
    {
        for (var i = 0; i < 1000; i++)
        {
            _store.Set(TestBytes.B("v" + i), "x"u8, Now + 1000);
            _store.Set(TestBytes.B("p" + i), "x"u8);
        }

        Assert.Equal(0, _store.RemoveExpired(10_000));
        _time.Advance(TimeSpan.FromSeconds(1));

        var removed = 0;
        for (var round = 0; round < 100 && _store.Count > 1000; round++)
        {
            removed += _store.RemoveExpired(100);
        }

        Assert.Equal(1000, removed);
        Assert.Equal(1000, _store.Count);
        Assert.Equal(0, _store.VolatileCount);
        Assert.Equal(1000, _store.ExpiredKeys);
        Assert.True(_store.Exists("p999"u8));
    }

    [Fact]
    public void RemoveExpiredRespectsItsBudgetAndLeavesLiveKeys()
    {
        for (var i = 0; i < 500; i++)
        {
            _store.Set(TestBytes.B("soon" + i), "x"u8, Now + 10);
            _store.Set(TestBytes.B("later" + i), "x"u8, Now + 100_000);
        }

        _time.Advance(TimeSpan.FromMilliseconds(10));
        var first = _store.RemoveExpired(50);
        Assert.InRange(first, 1, 50);

        for (var round = 0; round < 200 && _store.Count > 500; round++)
        {
            _store.RemoveExpired(50);
        }

        Assert.Equal(500, _store.Count);
        Assert.Equal(500, _store.VolatileCount);
    }

    [Fact]
    public void ExpiredKeysCountsLazyAndActiveRemovals()
    {
        _store.Set("a"u8, "v"u8, Now + 10);
        _store.Set("b"u8, "v"u8, Now + 10);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.False(_store.Exists("a"u8));
        Assert.Equal(1, _store.ExpiredKeys);
        for (var round = 0; round < 10 && _store.Count > 0; round++)
        {
            _store.RemoveExpired(10);
        }

        Assert.Equal(2, _store.ExpiredKeys);
    }
}
