using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// What each maxmemory policy evicts, on a fake clock. A limit of 1 byte keeps the store over it, so each Evict call
/// removes exactly as many keys as it is allowed to (or all it may) and the tests can count them. Sampling is random:
/// deterministic tests use one shard and sample every key many times over; the others assert with a tolerance.
/// </summary>
public sealed class KeyValueStoreEvictionTests
{
    private static readonly byte[] Value = new byte[32];

    private readonly FakeTimeProvider _time = new();

    public static TheoryData<EvictionPolicy> EvictingPolicies() =>
    [
        EvictionPolicy.AllKeysLru, EvictionPolicy.AllKeysLfu, EvictionPolicy.AllKeysRandom,
        EvictionPolicy.VolatileLru, EvictionPolicy.VolatileLfu, EvictionPolicy.VolatileRandom, EvictionPolicy.VolatileTtl,
    ];

    public static TheoryData<EvictionPolicy> VolatilePolicies() =>
        [EvictionPolicy.VolatileLru, EvictionPolicy.VolatileLfu, EvictionPolicy.VolatileRandom, EvictionPolicy.VolatileTtl];

    [Theory]
    [InlineData(EvictionPolicy.NoEviction)]
    [InlineData(EvictionPolicy.AllKeysLru)]
    [InlineData(EvictionPolicy.VolatileTtl)]
    public void UnderTheLimitNothingIsEvicted(EvictionPolicy policy)
    {
        var store = Store(policy, maxMemory: 0);
        Fill(store, "k:", 100, expiresAt: store.Now + 60_000);
        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Ok, store.Evict(64, listener));
        store.Memory.MaxMemory = store.UsedMemoryExact * 2;
        Assert.Equal(EvictionOutcome.Ok, store.Evict(64, listener));
        Assert.Equal(100, store.Count);
        Assert.Empty(listener.Keys);
    }

    [Fact]
    public void NoEvictionFailsAndRemovesNothing()
    {
        var store = Store(EvictionPolicy.NoEviction);
        Fill(store, "k:", 100);
        Fill(store, "t:", 100, expiresAt: store.Now + 60_000);
        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Failed, store.Evict(64, listener));
        Assert.Equal(200, store.Count);
        Assert.Equal(0, store.EvictedKeys);
        Assert.Empty(listener.Keys);
    }

    [Theory]
    [MemberData(nameof(EvictingPolicies))]
    public void EvictStopsAfterMaxKeysAndReportsItIsStillRunning(EvictionPolicy policy)
    {
        var store = Store(policy);
        Fill(store, "k:", 1000, expiresAt: store.Now + 60_000);
        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Running, store.Evict(10, listener));
        Assert.Equal(990, store.Count);
        Assert.Equal(10, store.EvictedKeys);
        Assert.Equal(10, listener.Keys.Count);
        Assert.Equal(EvictionOutcome.Running, store.Evict(1, listener));
        Assert.Equal(989, store.Count);
    }

    [Theory]
    [MemberData(nameof(EvictingPolicies))]
    public void AStoreWithNothingLeftToEvictFails(EvictionPolicy policy)
    {
        var store = Store(policy);
        Assert.Equal(EvictionOutcome.Failed, store.Evict(64, new Recorder()));

        Fill(store, "k:", 20, expiresAt: store.Now + 60_000);
        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Failed, store.Evict(1000, listener));
        Assert.Equal(0, store.Count);
        Assert.Equal(20, listener.Keys.Count);
    }

    [Theory]
    [MemberData(nameof(EvictingPolicies))]
    public void TheListenerIsToldOfEachEvictedKeyOnceAndOfNoExpiredKey(EvictionPolicy policy)
    {
        var store = Store(policy);
        var live = Fill(store, "live:", 500, expiresAt: store.Now + 3_600_000);
        Fill(store, "gone:", 500, expiresAt: store.Now + 1000);
        _time.Advance(TimeSpan.FromSeconds(2));
        var listener = new Recorder();

        Assert.Equal(EvictionOutcome.Failed, store.Evict(100_000, listener));

        Assert.Equal(0, store.Count);
        Assert.Equal(500, store.EvictedKeys);
        Assert.Equal(500, store.ExpiredKeys);
        Assert.Equal(live.Order(StringComparer.Ordinal), listener.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(EvictingPolicies))]
    public void ExpiredKeysMetWhileSamplingAreReclaimedAndCountedAsExpired(EvictionPolicy policy)
    {
        var store = Store(policy);
        Fill(store, "gone:", 300, expiresAt: store.Now + 1000);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(300, store.Count);
        var listener = new Recorder();

        store.Evict(100_000, listener);

        Assert.Equal(0, store.Count);
        Assert.Equal(300, store.ExpiredKeys);
        Assert.Equal(0, store.EvictedKeys);
        Assert.Empty(listener.Keys);
    }

    [Theory]
    [MemberData(nameof(VolatilePolicies))]
    public void VolatilePoliciesEvictOnlyKeysWithAnExpiry(EvictionPolicy policy)
    {
        var store = Store(policy);
        var kept = Fill(store, "persistent:", 1000);
        var volatileKeys = Fill(store, "volatile:", 50, expiresAt: store.Now + 60_000);
        var listener = new Recorder();

        Assert.Equal(EvictionOutcome.Failed, store.Evict(100_000, listener));

        Assert.Equal(volatileKeys.Order(StringComparer.Ordinal), listener.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1000, store.Count);
        Assert.All(kept, key => Assert.True(store.Exists(B(key))));
    }

    [Theory]
    [MemberData(nameof(VolatilePolicies))]
    public void VolatilePoliciesFailWhenNoKeyHasAnExpiry(EvictionPolicy policy)
    {
        var store = Store(policy);
        Fill(store, "persistent:", 1000);
        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Failed, store.Evict(64, listener));
        Assert.Equal(1000, store.Count);
        Assert.Empty(listener.Keys);
    }

    [Fact]
    public void VolatileTtlEvictsTheNearestExpiryFirst()
    {
        // One shard and 1024 samples a round over 20 keys with a TTL: every one of them is seen each round.
        var store = Store(EvictionPolicy.VolatileTtl, shards: 1);
        store.Memory.Samples = MemorySettings.MaxEffectiveSamples;
        Fill(store, "persistent:", 20);
        var order = Enumerable.Range(1, 20).OrderBy(i => (i * 7) % 20).ToArray();
        foreach (var seconds in order)
        {
            store.Set(B($"ttl:{seconds:D2}"), Value, store.Now + (seconds * 1000L));
        }

        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Running, store.Evict(5, listener));
        Assert.Equal(["ttl:01", "ttl:02", "ttl:03", "ttl:04", "ttl:05"], listener.Keys);
        Assert.Equal(EvictionOutcome.Running, store.Evict(3, listener));
        Assert.Equal(["ttl:01", "ttl:02", "ttl:03", "ttl:04", "ttl:05", "ttl:06", "ttl:07", "ttl:08"], listener.Keys);
    }

    [Fact]
    public void AKeyPersistedAfterItWasSampledIsNotEvictedByAVolatilePolicy()
    {
        var store = Store(EvictionPolicy.VolatileLru, shards: 1);
        store.Memory.Samples = MemorySettings.MaxEffectiveSamples;
        Fill(store, "persistent:", 50);
        store.Set("old"u8, Value, store.Now + 3_600_000);
        store.Set("recent"u8, Value, store.Now + 3_600_000);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(store.TryGet("recent"u8, out _));

        // One eviction: both keys with a TTL are sampled, "old" goes, "recent" stays in the candidate pool.
        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Running, store.Evict(1, listener));
        Assert.Equal(["old"], listener.Keys);

        // PERSIST in the same clock tick leaves its access bits as they were sampled.
        Assert.True(store.Persist("recent"u8));
        Assert.Equal(EvictionOutcome.Failed, store.Evict(1, listener));
        Assert.True(store.Exists("recent"u8));
        Assert.Equal(["old"], listener.Keys);
    }

    [Fact]
    public void CandidatesSampledUnderAnotherPolicyAreNotEvictedAfterASwitch()
    {
        var store = Store(EvictionPolicy.AllKeysLru, shards: 1);
        store.Memory.Samples = MemorySettings.MaxEffectiveSamples;
        Fill(store, "persistent:", 30);
        _time.Advance(TimeSpan.FromSeconds(10));
        store.Set("volatile"u8, Value, store.Now + 3_600_000);

        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Running, store.Evict(1, listener));
        Assert.StartsWith("persistent:", Assert.Single(listener.Keys), StringComparison.Ordinal);

        // The pool still holds keys without a TTL, scored by idle time: volatile-ttl may only take "volatile".
        store.Memory.Policy = EvictionPolicy.VolatileTtl;
        Assert.Equal(EvictionOutcome.Running, store.Evict(1, listener));
        Assert.Equal("volatile", listener.Keys[1]);
        Assert.Equal(EvictionOutcome.Failed, store.Evict(1, listener));
        Assert.Equal(29, store.Count);
    }

    [Fact]
    public void AllKeysLruEvictsKeysNotUsedLately()
    {
        var store = Store(EvictionPolicy.AllKeysLru, maxMemory: 0);
        var keys = Fill(store, "key:", 10_000);
        _time.Advance(TimeSpan.FromSeconds(10));
        var recent = keys[5_000..].ToHashSet(StringComparer.Ordinal);
        foreach (var key in recent)
        {
            Assert.True(store.TryGet(B(key), out _));
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        var (old, used) = FillPastTheLimit(store, keys, recent);

        Assert.True(old + used > 1000, $"only {old + used} of the first keys were evicted");
        Assert.True(old >= 0.9 * (old + used), $"{old} unused and {used} recently used keys were evicted");
    }

    [Fact]
    public void AllKeysLfuEvictsKeysReadRarely()
    {
        var store = Store(EvictionPolicy.AllKeysLfu, maxMemory: 0);
        var keys = Fill(store, "key:", 10_000);
        var frequent = keys.Where((_, i) => i % 2 == 0).ToHashSet(StringComparer.Ordinal);
        foreach (var key in frequent)
        {
            for (var read = 0; read < 10; read++)
            {
                Assert.True(store.TryGet(B(key), out _));
            }
        }

        var (rare, read10) = FillPastTheLimit(store, keys, frequent);

        Assert.True(rare + read10 > 1000, $"only {rare + read10} of the first keys were evicted");
        Assert.True(rare >= 0.9 * (rare + read10), $"{rare} rarely and {read10} frequently read keys were evicted");
    }

    [Theory]
    [InlineData(EvictionPolicy.AllKeysRandom)]
    [InlineData(EvictionPolicy.VolatileRandom)]
    public void RandomPoliciesEvictWithoutRegardForUse(EvictionPolicy policy)
    {
        var store = Store(policy);
        var keys = Fill(store, "key:", 10_000, expiresAt: store.Now + 3_600_000);
        _time.Advance(TimeSpan.FromSeconds(10));
        var used = keys[5_000..].ToHashSet(StringComparer.Ordinal);
        foreach (var key in used)
        {
            Assert.True(store.TryGet(B(key), out _));
        }

        var listener = new Recorder();
        Assert.Equal(EvictionOutcome.Running, store.Evict(4_000, listener));

        var fromUsed = listener.Keys.Count(used.Contains);
        Assert.Equal(4_000, listener.Keys.Count);
        Assert.InRange(fromUsed, 1_600, 2_400);
    }

    [Fact]
    public void EvictedKeysAreCountedPerStore()
    {
        var store = Store(EvictionPolicy.AllKeysRandom);
        Fill(store, "k:", 100);
        store.Evict(30, listener: null);
        Assert.Equal(30, store.EvictedKeys);
        store.Clear();
        Assert.Equal(30, store.EvictedKeys);
    }

    [Fact]
    public void WhileEvictingEveryWriteIsCountedAtOnceAndClearOfTheLimitWritesGoBackToBatches()
    {
        // One shard and a 64 KB limit: the shard holds back changes under 1 KB, more than one 56-byte entry.
        var store = Store(EvictionPolicy.AllKeysLru, maxMemory: 64 * 1024, shards: 1);
        store.Set("first"u8, Value);
        Assert.True(store.UsedMemory < store.UsedMemoryExact, "in batches, one small write is held back");

        var keys = Fill(store, "k:", 200);
        store.Memory.MaxMemory = store.UsedMemoryExact - 1;
        Assert.Equal(EvictionOutcome.Ok, store.Evict(64, null));
        for (var i = 0; i < 10; i++)
        {
            store.Set(B($"new:{i}"), Value);
            Assert.Equal(store.UsedMemoryExact, store.UsedMemory);
            store.Evict(64, null);
        }

        store.ReviewMemoryMeter();
        store.Set("more"u8, Value);
        Assert.Equal(store.UsedMemoryExact, store.UsedMemory); // still within the meter's error of the limit

        foreach (var key in keys)
        {
            store.Delete(B(key));
        }

        store.ReviewMemoryMeter();
        store.Set("last"u8, Value);
        Assert.True(store.UsedMemory < store.UsedMemoryExact, "clear of the limit, one small write is held back again");
    }

    /// <summary>
    /// Sets the limit at what the store holds, then writes 2,000 new keys, evicting after each write as a node does
    /// before each command. Returns how many of <paramref name="keys"/> were evicted outside and inside
    /// <paramref name="favoured"/>.
    /// </summary>
    private (int Other, int Favoured) FillPastTheLimit(KeyValueStore store, string[] keys, HashSet<string> favoured)
    {
        store.Memory.MaxMemory = store.UsedMemoryExact;
        var listener = new Recorder();
        for (var i = 0; i < 2_000; i++)
        {
            store.Set(B($"new:{i:D6}"), Value);
            Assert.NotEqual(EvictionOutcome.Failed, store.Evict(64, listener));
        }

        Assert.Equal(listener.Keys.Count, listener.Keys.Distinct(StringComparer.Ordinal).Count());
        var original = keys.ToHashSet(StringComparer.Ordinal);
        var evicted = listener.Keys.Where(original.Contains).ToList();
        var inFavoured = evicted.Count(favoured.Contains);
        return (evicted.Count - inFavoured, inFavoured);
    }

    private KeyValueStore Store(EvictionPolicy policy, long maxMemory = 1, int shards = 256)
    {
        var store = new KeyValueStore(_time, shards);
        store.Memory.Policy = policy;
        store.Memory.MaxMemory = maxMemory;
        return store;
    }

    private static string[] Fill(KeyValueStore store, string prefix, int count, long expiresAt = 0)
    {
        var keys = new string[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = $"{prefix}{i:D6}";
            store.Set(B(keys[i]), Value, expiresAt);
        }

        return keys;
    }

    private sealed class Recorder : IEvictionListener
    {
        public List<string> Keys { get; } = [];

        public void OnEvicted(ReadOnlySpan<byte> key) => Keys.Add(S(key));
    }
}
