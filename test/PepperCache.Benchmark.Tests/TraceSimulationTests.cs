using PepperCache.Benchmark;
using PepperCache.Benchmark.Simulation;

namespace PepperCache.Benchmark.Tests;

public sealed class TraceSimulationTests
{
    [Fact]
    public void With_room_for_the_whole_keyspace_the_misses_are_the_distinct_keys_of_the_trace()
    {
        var options = Options(keyspace: 5000, lru: 5000, lfu: 5000);
        var chooser = new KeyChooser(5000, options.KeyDistribution);
        var random = CommandBuilder.SeedFor(options.Seed, 0);
        var distinct = new HashSet<ulong>();
        for (var i = 0; i < options.WarmupRequests + options.Requests; i++)
        {
            distinct.Add(chooser.Next(ref random));
        }

        var warmupDistinct = CountDistinct(options, options.WarmupRequests);

        var result = TraceSimulation.Run(options);

        Assert.Equal(["lru", "lfu"], result.Models.Select(m => m.Policy));
        Assert.All(result.Models, m =>
        {
            Assert.Equal(options.Requests, m.Hits + m.Misses);
            Assert.Equal(distinct.Count - warmupDistinct, m.Misses);
        });
        Assert.Equal(1.0, result.IdealHitRatio);
    }

    [Fact]
    public void A_cache_larger_than_the_keyspace_is_reported_as_asked_and_behaves_as_one_of_the_keyspace()
    {
        var exact = TraceSimulation.Run(Options(keyspace: 5000, lru: 5000, lfu: null));
        var huge = TraceSimulation.Run(Options(keyspace: 5000, lru: 100_000_000, lfu: null));

        Assert.Equal(100_000_000, huge.Models[0].Capacity);
        Assert.Equal(exact.Models[0].Hits, huge.Models[0].Hits);
        Assert.Equal(1.0, huge.IdealHitRatio);
    }

    [Fact]
    public void A_smaller_cache_hits_less_and_no_model_beats_the_ideal_by_more_than_noise()
    {
        var small = TraceSimulation.Run(Options(keyspace: 100_000, lru: 1_000, lfu: 1_000));
        var large = TraceSimulation.Run(Options(keyspace: 100_000, lru: 10_000, lfu: 10_000));

        Assert.True(small.Models[0].HitRatio < large.Models[0].HitRatio);
        Assert.All(small.Models.Concat(large.Models), m => Assert.InRange(m.HitRatio, 0.2, 0.95));
        Assert.True(small.Models[0].HitRatio < small.IdealHitRatio + 0.01);
        Assert.True(large.Models[0].HitRatio < large.IdealHitRatio + 0.01);
    }

    [Fact]
    public void The_same_options_give_the_same_figures()
    {
        var options = Options(keyspace: 20_000, lru: 2_000, lfu: null);

        Assert.Equal(TraceSimulation.Run(options).Models, TraceSimulation.Run(options).Models);
        Assert.NotEqual(TraceSimulation.Run(options).Models, TraceSimulation.Run(options with { Seed = 2 }).Models);
    }

    [Theory]
    [InlineData(10, 0.99)]
    [InlineData(100_000, 0.99)]
    [InlineData(300_000, 0.99)]
    [InlineData(300_000, 1.0)]
    [InlineData(300_000, 0.5)]
    public void Harmonic_numbers_match_the_direct_sum(long n, double exponent)
    {
        var direct = 0.0;
        for (var k = n; k >= 1; k--)
        {
            direct += Math.Pow(k, -exponent);
        }

        Assert.Equal(direct, TraceSimulation.Harmonic(n, exponent), direct * 1e-10);
    }

    [Fact]
    public void The_ideal_hit_ratio_is_the_share_of_the_most_probable_keys()
    {
        Assert.Equal(0.1, TraceSimulation.IdealHitRatio(1000, KeyDistribution.Uniform, 100), 12);
        Assert.Equal(1.0, TraceSimulation.IdealHitRatio(1000, new KeyDistribution(0.99), 1000));
        // S = 1, N = 3, C = 1: 1 / (1 + 1/2 + 1/3) = 6/11.
        Assert.Equal(6.0 / 11, TraceSimulation.IdealHitRatio(3, new KeyDistribution(1), 1), 12);
    }

    private static BenchmarkOptions Options(long keyspace, long? lru, long? lfu) => new()
    {
        Targets = [],
        Tests = [TestKind.CacheAside],
        Keyspace = keyspace,
        KeyDistribution = new KeyDistribution(0.99),
        Requests = 50_000,
        WarmupRequests = 20_000,
        Seed = 4,
        SimulateLru = lru,
        SimulateLfu = lfu,
    };

    private static int CountDistinct(BenchmarkOptions options, long draws)
    {
        var chooser = new KeyChooser(options.Keyspace, options.KeyDistribution);
        var random = CommandBuilder.SeedFor(options.Seed, 0);
        var distinct = new HashSet<ulong>();
        for (var i = 0; i < draws; i++)
        {
            distinct.Add(chooser.Next(ref random));
        }

        return distinct.Count;
    }
}
