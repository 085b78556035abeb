using PepperCache.Benchmark;

namespace PepperCache.Benchmark.Tests;

public sealed class KeyChooserTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(65_537)]
    public void Ranks_map_to_every_key_once(long keyspace)
    {
        var chooser = new KeyChooser(keyspace, new KeyDistribution(0.99));

        var keys = Enumerable.Range(1, (int)keyspace).Select(rank => chooser.KeyOfRank(rank)).ToList();

        Assert.All(keys, k => Assert.InRange(k, 0UL, (ulong)keyspace - 1));
        Assert.Equal(keyspace, keys.Distinct().Count());
    }

    [Fact]
    public void Hot_keys_are_spread_over_the_keyspace_not_side_by_side()
    {
        const long keyspace = 1_000_000;
        var chooser = new KeyChooser(keyspace, new KeyDistribution(0.99));

        var hottest = Enumerable.Range(1, 100).Select(rank => (long)chooser.KeyOfRank(rank)).ToList();

        // Side by side they would all be below 100; spread, about a tenth of them fall in each tenth of the keyspace.
        Assert.InRange(hottest.Count(k => k < keyspace / 10), 0, 25);
        Assert.InRange(hottest.Count(k => k >= keyspace / 2), 30, 70);
        Assert.NotEqual(hottest.Order(), hottest);
    }

    [Fact]
    public void The_mapping_depends_on_the_keyspace_only_so_every_client_agrees()
    {
        var a = new KeyChooser(500_000, new KeyDistribution(0.99));
        var b = new KeyChooser(500_000, new KeyDistribution(1.2));

        Assert.Equal(Enumerable.Range(1, 1000).Select(r => a.KeyOfRank(r)), Enumerable.Range(1, 1000).Select(r => b.KeyOfRank(r)));
    }

    [Fact]
    public void Uniform_draws_are_the_keys_drawn_before_zipf_existed()
    {
        var chooser = new KeyChooser(100_000, KeyDistribution.Uniform);
        var random = CommandBuilder.SeedFor(9, 2);
        var reference = random;

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(CommandBuilder.Next(ref reference) % 100_000, chooser.Next(ref random));
        }
    }

    [Fact]
    public void Zipf_draws_make_the_hottest_key_the_most_frequent()
    {
        var chooser = new KeyChooser(10_000, new KeyDistribution(0.99));
        var random = CommandBuilder.SeedFor(1, 0);
        var counts = new Dictionary<ulong, int>();
        for (var i = 0; i < 200_000; i++)
        {
            var key = chooser.Next(ref random);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        Assert.Equal(chooser.KeyOfRank(1), counts.MaxBy(c => c.Value).Key);
    }
}
