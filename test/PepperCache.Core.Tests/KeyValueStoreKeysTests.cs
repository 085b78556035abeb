using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class KeyValueStoreKeysTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    public KeyValueStoreKeysTests() => _store = new KeyValueStore(_time);

    [Fact]
    public void RenameMovesTheValueAndItsExpiry()
    {
        var expiresAt = _store.Now + 5000;
        _store.Set("src"u8, "v"u8, expiresAt);
        Assert.Equal(RenameResult.Renamed, _store.Rename("src"u8, "dst"u8, onlyIfTargetMissing: false));
        Assert.False(_store.Exists("src"u8));
        Assert.True(_store.TryGet("dst"u8, out var value));
        Assert.Equal("v", S(value.Span));
        Assert.Equal(expiresAt, _store.GetExpiresAt("dst"u8));
        Assert.Equal(1, _store.Count);
        Assert.Equal(1, _store.VolatileCount);
    }

    [Fact]
    public void RenameOverwritesTheTargetAndItsExpiry()
    {
        _store.Set("src"u8, "new"u8);
        _store.Set("dst"u8, "old"u8, _store.Now + 5000);
        Assert.Equal(RenameResult.Renamed, _store.Rename("src"u8, "dst"u8, onlyIfTargetMissing: false));
        Assert.True(_store.TryGet("dst"u8, out var value));
        Assert.Equal("new", S(value.Span));
        Assert.Equal(-1, _store.GetExpiresAt("dst"u8));
        Assert.Equal(1, _store.Count);
        Assert.Equal(0, _store.VolatileCount);
    }

    [Fact]
    public void RenameOnlyIfTargetMissingLeavesBothWhenTheTargetExists()
    {
        _store.Set("src"u8, "a"u8);
        _store.Set("dst"u8, "b"u8);
        Assert.Equal(RenameResult.TargetExists, _store.Rename("src"u8, "dst"u8, onlyIfTargetMissing: true));
        Assert.True(_store.TryGet("src"u8, out var source));
        Assert.True(_store.TryGet("dst"u8, out var target));
        Assert.Equal("a", S(source.Span));
        Assert.Equal("b", S(target.Span));
    }

    [Fact]
    public void RenameOnlyIfTargetMissingTreatsAnExpiredTargetAsMissing()
    {
        _store.Set("src"u8, "a"u8);
        _store.Set("dst"u8, "b"u8, _store.Now + 10);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(RenameResult.Renamed, _store.Rename("src"u8, "dst"u8, onlyIfTargetMissing: true));
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public void RenameOfAMissingOrExpiredSourceReportsNoSuchKey()
    {
        Assert.Equal(RenameResult.NoSuchKey, _store.Rename("src"u8, "dst"u8, onlyIfTargetMissing: false));
        Assert.Equal(RenameResult.NoSuchKey, _store.Rename("src"u8, "src"u8, onlyIfTargetMissing: false));
        _store.Set("src"u8, "a"u8, _store.Now + 10);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(RenameResult.NoSuchKey, _store.Rename("src"u8, "dst"u8, onlyIfTargetMissing: true));
    }

    [Fact]
    public void RenameToItselfIsOkForRenameAndZeroForRenameNx()
    {
        var expiresAt = _store.Now + 5000;
        _store.Set("k"u8, "v"u8, expiresAt);
        Assert.Equal(RenameResult.Renamed, _store.Rename("k"u8, "k"u8, onlyIfTargetMissing: false));
        Assert.Equal(RenameResult.TargetExists, _store.Rename("k"u8, "k"u8, onlyIfTargetMissing: true));
        Assert.True(_store.TryGet("k"u8, out var value));
        Assert.Equal("v", S(value.Span));
        Assert.Equal(expiresAt, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void RenameWorksWithinOneShardAndAcrossShards()
    {
        var (same, other) = FindTargets("src");
        _store.Set("src"u8, "1"u8);
        Assert.Equal(RenameResult.Renamed, _store.Rename("src"u8, B(same), onlyIfTargetMissing: false));
        Assert.Equal(RenameResult.Renamed, _store.Rename(B(same), B(other), onlyIfTargetMissing: false));
        Assert.Equal(RenameResult.Renamed, _store.Rename(B(other), "src"u8, onlyIfTargetMissing: false));
        Assert.True(_store.TryGet("src"u8, out var value));
        Assert.Equal("1", S(value.Span));
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public void RandomKeyOfAnEmptyStoreIsNull() => Assert.Null(_store.RandomKey());

    [Fact]
    public void RandomKeyReturnsOnlyLiveKeysAndEventuallyEach()
    {
        for (var i = 0; i < 20; i++)
        {
            _store.Set(B("k" + i), "v"u8);
        }

        var seen = new HashSet<string>();
        for (var i = 0; i < 2000 && seen.Count < 20; i++)
        {
            var key = _store.RandomKey();
            Assert.NotNull(key);
            seen.Add(S(key));
        }

        Assert.Equal(20, seen.Count);
    }

    [Fact]
    public void RandomKeySkipsAndReclaimsExpiredKeys()
    {
        for (var i = 0; i < 1000; i++)
        {
            _store.Set(B("gone" + i), "v"u8, _store.Now + 10);
        }

        _store.Set("live"u8, "v"u8);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal("live", S(_store.RandomKey()));
        Assert.True(_store.ExpiredKeys > 0);

        _store.Delete("live"u8);
        Assert.Null(_store.RandomKey());
        Assert.Equal(0, _store.Count);
        Assert.Equal(1000, _store.ExpiredKeys);
    }

    [Fact]
    public void RandomKeyFindsTheOnlyKeyInASparseStore()
    {
        for (var i = 0; i < 5000; i++)
        {
            _store.Set(B("k" + i), "v"u8);
        }

        for (var i = 1; i < 5000; i++)
        {
            _store.Delete(B("k" + i));
        }

        Assert.Equal("k0", S(_store.RandomKey()));
    }

    /// <summary>Two names: one in the same shard as <paramref name="key"/>, one in a different shard.</summary>
    private (string Same, string Other) FindTargets(string key)
    {
        var shard = _store.ShardOf(B(key));
        string? same = null;
        string? other = null;
        for (var i = 0; i < 100_000 && (same is null || other is null); i++)
        {
            var candidate = "t" + i;
            if (_store.ShardOf(B(candidate)) == shard)
            {
                same ??= candidate;
            }
            else
            {
                other ??= candidate;
            }
        }

        Assert.NotNull(same);
        Assert.NotNull(other);
        return (same, other);
    }
}
