namespace PepperCache.Core.Storage;

/// <summary>Redis's <c>maxmemory-policy</c> values.</summary>
public enum EvictionPolicy
{
    NoEviction,
    AllKeysLru,
    AllKeysLfu,
    AllKeysRandom,
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
}

public static class EvictionPolicies
{
    private static readonly string[] Names =
    [
        "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    ];

    public static string Name(this EvictionPolicy policy) => Names[(int)policy];

    public static bool TryParse(string text, out EvictionPolicy policy)
    {
        var index = Array.FindIndex(Names, name => name.Equals(text, StringComparison.OrdinalIgnoreCase));
        policy = (EvictionPolicy)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>The policy reads LFU counters from the access bits (and writes them on access).</summary>
    public static bool UsesFrequency(this EvictionPolicy policy) => policy is EvictionPolicy.AllKeysLfu or EvictionPolicy.VolatileLfu;

    /// <summary>Only keys with an expiry may be evicted.</summary>
    public static bool IsVolatile(this EvictionPolicy policy) => policy >= EvictionPolicy.VolatileLru;

    public static bool IsRandom(this EvictionPolicy policy) => policy is EvictionPolicy.AllKeysRandom or EvictionPolicy.VolatileRandom;
}
