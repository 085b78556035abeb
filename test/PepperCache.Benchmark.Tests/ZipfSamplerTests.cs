using PepperCache.Benchmark;

namespace PepperCache.Benchmark.Tests;

public sealed class ZipfSamplerTests
{
    private const int Draws = 1_000_000;

    [Theory]
    [InlineData(0.99)]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Rank_1_is_drawn_2_to_the_S_times_as_often_as_rank_2(double exponent)
    {
        var counts = Sample(1000, exponent, seed: 11);

        var ratio = (double)counts[1] / counts[2];

        Assert.InRange(ratio, Math.Pow(2, exponent) * 0.97, Math.Pow(2, exponent) * 1.03);
    }

    [Theory]
    [InlineData(0.99)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void The_first_ranks_and_the_tail_get_their_probability(double exponent)
    {
        const int n = 1000;
        var counts = Sample(n, exponent, seed: 3);
        var weights = Enumerable.Range(1, n).Select(k => Math.Pow(k, -exponent)).ToArray();
        var total = weights.Sum();

        // Ranks 1..10: each within 4% of its expected count (rank 10 expects ~1.4% of 1M draws at S = 0.99, so
        // 4% is over 4 standard deviations; the seed is fixed, so the outcome is too).
        for (var k = 1; k <= 10; k++)
        {
            var expected = Draws * weights[k - 1] / total;
            Assert.InRange(counts[k], expected * 0.96, expected * 1.04);
        }

        // The upper half of the ranks together, within 2%.
        var tailExpected = Draws * weights[(n / 2)..].Sum() / total;
        Assert.InRange(counts[(n / 2 + 1)..].Sum(), tailExpected * 0.98, tailExpected * 1.02);
        Assert.Equal(0, counts[0]);
        Assert.Equal(Draws, counts.Sum());
    }

    [Fact]
    public void Every_rank_stays_within_1_to_N_even_for_tiny_and_huge_N()
    {
        var random = CommandBuilder.SeedFor(5, 0);
        var one = new ZipfSampler(1, 0.99);
        var two = new ZipfSampler(2, 1.0);
        var huge = new ZipfSampler(1_000_000_000_000, 0.99);
        var twos = 0;
        for (var i = 0; i < 100_000; i++)
        {
            Assert.Equal(1, one.Sample(ref random));
            var rank = two.Sample(ref random);
            Assert.InRange(rank, 1, 2);
            twos += rank == 2 ? 1 : 0;
            Assert.InRange(huge.Sample(ref random), 1, 1_000_000_000_000);
        }

        // N = 2, S = 1: P(2) = (1/2) / (1 + 1/2) = 1/3.
        Assert.InRange(twos, 32_000, 34_700);
    }

    [Fact]
    public void The_same_seed_draws_the_same_ranks_and_another_seed_does_not()
    {
        static long[] Ranks(int seed)
        {
            var sampler = new ZipfSampler(1_000_000, 0.99);
            var random = CommandBuilder.SeedFor(seed, 0);
            return [.. Enumerable.Range(0, 1000).Select(_ => sampler.Sample(ref random))];
        }

        Assert.Equal(Ranks(7), Ranks(7));
        Assert.NotEqual(Ranks(7), Ranks(8));
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(10, 0.0)]
    [InlineData(10, -1.0)]
    [InlineData(10, double.NaN)]
    [InlineData(10, double.PositiveInfinity)]
    public void A_bad_count_or_exponent_is_refused(long count, double exponent) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new ZipfSampler(count, exponent));

    private static long[] Sample(int n, double exponent, int seed)
    {
        var sampler = new ZipfSampler(n, exponent);
        var random = CommandBuilder.SeedFor(seed, 0);
        var counts = new long[n + 1];
        for (var i = 0; i < Draws; i++)
        {
            counts[sampler.Sample(ref random)]++;
        }

        return counts;
    }
}
