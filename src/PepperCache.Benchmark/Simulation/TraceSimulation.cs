namespace PepperCache.Benchmark.Simulation;

/// <summary>What one cache model did with the trace.</summary>
internal sealed record ModelResult(string Name, string Policy, long Capacity, long Hits, long Misses)
{
    public double HitRatio => Hits + Misses > 0 ? (double)Hits / (Hits + Misses) : 0;
}

/// <summary>The outcome of --simulate-lru/--simulate-lfu.</summary>
internal sealed record SimulationResult(long WarmupRequests, long Requests, IReadOnlyList<ModelResult> Models, double IdealHitRatio, long IdealCapacity);

/// <summary>
/// Replays the cache-aside key trace of one client (the stream of client 0: --seed, --key-distribution, -r) through
/// exact cache models: --warmup-requests lookups first, not counted, then -n x --rounds counted ones. No server is
/// involved. This is the trace a live run with -c 1 sends, key for key; with more clients each has its own stream
/// (seeded from --seed and its number) over the same distribution, interleaved at the server, so a live run and the
/// simulation compare hit ratios over the same distribution, not the same sequence.
/// </summary>
internal static class TraceSimulation
{
    public static SimulationResult Run(BenchmarkOptions options)
    {
        // A cache with room for more keys than the keyspace behaves as one the size of the keyspace: allocate no more.
        var models = new List<ICacheModel>();
        var capacities = new List<long>();
        if (options.SimulateLru is { } lru)
        {
            models.Add(new ExactLru(checked((int)Math.Min(lru, options.Keyspace))));
            capacities.Add(lru);
        }

        if (options.SimulateLfu is { } lfu)
        {
            models.Add(new ExactLfu(checked((int)Math.Min(lfu, options.Keyspace))));
            capacities.Add(lfu);
        }

        var keys = new KeyChooser(options.Keyspace, options.KeyDistribution);
        var random = CommandBuilder.SeedFor(options.Seed, 0);
        for (long i = 0; i < options.WarmupRequests; i++)
        {
            var key = keys.Next(ref random);
            foreach (var model in models)
            {
                model.Access(key);
            }
        }

        var hits = new long[models.Count];
        var counted = options.Requests * options.Rounds;
        for (long i = 0; i < counted; i++)
        {
            var key = keys.Next(ref random);
            for (var m = 0; m < models.Count; m++)
            {
                if (models[m].Access(key))
                {
                    hits[m]++;
                }
            }
        }

        var capacity = capacities.Max();
        return new SimulationResult(
            options.WarmupRequests,
            counted,
            [.. models.Select((m, i) => new ModelResult(m.Name, m.Policy, capacities[i], hits[i], counted - hits[i]))],
            IdealHitRatio(options.Keyspace, options.KeyDistribution, capacity),
            capacity);
    }

    /// <summary>
    /// The share of requests that go to the <paramref name="capacity"/> most probable keys: over a trace of
    /// independent draws, what a cache that always held exactly those keys would hit, and no policy does better on
    /// average. Zipf: H(C, S) / H(N, S), with H the generalized harmonic number.
    /// </summary>
    public static double IdealHitRatio(long keyspace, KeyDistribution distribution, long capacity)
    {
        if (capacity >= keyspace)
        {
            return 1;
        }

        return distribution.IsZipf
            ? Harmonic(capacity, distribution.ZipfExponent) / Harmonic(keyspace, distribution.ZipfExponent)
            : (double)capacity / keyspace;
    }

    /// <summary>
    /// Sum of k^-S for k = 1..n: the first m = 100,000 terms exactly, the rest by the midpoint rule (the integral of
    /// x^-S from m + 1/2 to n + 1/2), whose error there is about S / (24 m^(S+1)): negligible.
    /// </summary>
    internal static double Harmonic(long n, double exponent)
    {
        const long Exact = 100_000;
        var sum = 0.0;
        for (var k = Math.Min(n, Exact); k >= 1; k--)
        {
            sum += Math.Pow(k, -exponent);
        }

        if (n > Exact)
        {
            double from = Exact + 0.5, to = n + 0.5;
            sum += Math.Abs(exponent - 1) < 1e-12
                ? Math.Log(to / from)
                : (Math.Pow(to, 1 - exponent) - Math.Pow(from, 1 - exponent)) / (1 - exponent);
        }

        return sum;
    }
}
