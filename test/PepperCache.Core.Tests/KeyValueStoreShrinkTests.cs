using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>Tables give memory back once emptied by expiry, without moving a key (so SCAN keeps its guarantee).</summary>
public class KeyValueStoreShrinkTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ExpiryEmptyingAShardShrinksItsTablesAndTheKeysLeftStayReadable()
    {
        // One shard, so its tables grow to hold every key.
        var store = new KeyValueStore(_time, shardCount: 1);
        for (var i = 0; i < 100; i++)
        {
            store.Set(B($"keep:{i}"), B("v"));
        }

        for (var i = 0; i < 10_000; i++)
        {
            store.Set(B($"temp:{i}"), B("v"), store.Now + 1000);
        }

        var grown = store.UsedMemoryExact;
        _time.Advance(TimeSpan.FromSeconds(2));
        while (store.RemoveExpired(1000) > 0)
        {
        }

        // One more pass finds the shard mostly empty, now that the walk got past its last slot.
        store.RemoveExpired(1000);

        Assert.Equal(100, store.Count);
        Assert.True(store.UsedMemoryExact < grown / 10, $"used {store.UsedMemoryExact} after expiry, {grown} before");
        Assert.Equal(store.UsedMemoryExact, store.UsedMemory);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(store.TryGet(B($"keep:{i}"), out var value));
            Assert.Equal("v", S(value.Span));
        }

        // The shrunken tables still take new keys, in freed slots first.
        for (var i = 0; i < 1000; i++)
        {
            store.Set(B($"new:{i}"), B("w"));
        }

        Assert.Equal(1100, store.Count);
        Assert.True(store.TryGet(B("new:999"), out _));
        Assert.True(store.TryGet(B("keep:99"), out _));
    }

    [Fact]
    public void AShardWhoseTopSlotIsOccupiedDoesNotShrinkSoNoKeyMoves()
    {
        var store = new KeyValueStore(_time, shardCount: 1);
        for (var i = 0; i < 10_000; i++)
        {
            store.Set(B($"temp:{i}"), B("v"), store.Now + 1000);
        }

        store.Set(B("last"), B("v"));
        var before = store.UsedMemoryExact;
        _time.Advance(TimeSpan.FromSeconds(2));
        while (store.RemoveExpired(1000) > 0)
        {
        }

        store.RemoveExpired(1000);

        Assert.Equal(1, store.Count);
        // Only the expired entries went; the tables stayed, because the one live key sits at the top.
        var tables = before - store.UsedMemoryExact;
        Assert.True(tables > 0 && store.UsedMemoryExact > 10_000 * 16, $"used {store.UsedMemoryExact}");
        Assert.True(store.TryGet(B("last"), out _));
    }

    [Fact]
    public void AScanAcrossAShrinkReturnsEveryKeyPresentThroughout()
    {
        var store = new KeyValueStore(_time, shardCount: 1);
        for (var i = 0; i < 50; i++)
        {
            store.Set(B($"keep:{i}"), B("v"));
        }

        for (var i = 0; i < 5000; i++)
        {
            store.Set(B($"temp:{i}"), B("v"), store.Now + 1000);
        }

        var seen = new HashSet<string>();
        var keys = new List<byte[]>();
        var cursor = store.Scan(0, default, 20, keys);
        _time.Advance(TimeSpan.FromSeconds(2));
        while (store.RemoveExpired(1000) > 0)
        {
        }

        store.RemoveExpired(1000);
        for (var calls = 0; cursor != 0 && calls < 10_000; calls++)
        {
            cursor = store.Scan(cursor, default, 20, keys);
        }

        Assert.Equal(0, cursor);
        foreach (var key in keys)
        {
            seen.Add(S(key));
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.Contains($"keep:{i}", seen);
        }
    }
}
