namespace PepperCache.Benchmark.Simulation;

/// <summary>An in-memory model of a cache of a fixed number of keys, for replaying a key trace offline.</summary>
internal interface ICacheModel
{
    /// <summary>A name for reports: "exact LRU".</summary>
    string Name { get; }

    /// <summary>Short name for CSV and JSON: "lru".</summary>
    string Policy { get; }

    /// <summary>How many keys the cache holds at most.</summary>
    int Capacity { get; }

    /// <summary>How many keys it holds now.</summary>
    int Count { get; }

    /// <summary>
    /// One cache-aside step: true when <paramref name="key"/> is held (a hit, which the policy records as a use);
    /// otherwise the key is inserted, evicting one key first when the cache is full, and the result is false.
    /// </summary>
    bool Access(ulong key);
}
