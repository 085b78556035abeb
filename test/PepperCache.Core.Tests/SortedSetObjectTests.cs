using System.Text;
using PepperCache.Core.Types;

namespace PepperCache.Core.Tests;

/// <summary>
/// The skip list against a model (a sorted list by score, then member bytes): after every score change, in place or
/// by unlink and reinsert, the walk order, ranks and scores agree.
/// </summary>
public sealed class SortedSetObjectTests
{
    private static readonly EncodingSettings Settings = new() { ZsetMaxListpackEntries = 0 };

    // A misordered skip list can send a walk round in circles: the timeout makes that a failure, not a hung run.
    [Theory(Timeout = 60_000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public Task ScoreChangesSmallAndLargeKeepTheOrderAndRanksOfAModel(int seed) =>
        Task.Run(() => Play(seed), TestContext.Current.CancellationToken);

    private static void Play(int seed)
    {
        var random = new Random(seed);
        var set = new SortedSetObject();
        var model = new Dictionary<string, double>();
        const int Members = 300;

        for (var step = 0; step < 6_000; step++)
        {
            var member = $"m{random.Next(Members)}";
            // Small steps (mostly in place, between the neighbours), ties, and jumps across the whole range.
            var score = random.Next(4) switch
            {
                0 => model.TryGetValue(member, out var old) ? old + (random.NextDouble() * 0.01) : random.Next(100),
                1 => random.Next(10),
                2 => model.TryGetValue(member, out var was) ? was : 0,
                _ => (random.NextDouble() * 200) - 100,
            };
            set.Set(Encoding.ASCII.GetBytes(member), score, Settings);
            model[member] = score;

            if (step % 500 == 499)
            {
                AssertMatches(model, set);
            }
        }

        AssertMatches(model, set);
        Assert.Equal("skiplist", Encoding.ASCII.GetString(set.EncodingName));
    }

    private static void AssertMatches(Dictionary<string, double> model, SortedSetObject set)
    {
        var expected = model.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var walked = new List<(string, double)>();
        var walker = set.WalkFrom(0, reverse: false);
        while (walker.MoveNext())
        {
            walked.Add((Encoding.ASCII.GetString(walker.Member), walker.Score));
        }

        Assert.Equal(expected.Select(p => (p.Key, p.Value)), walked);
        for (var rank = 0; rank < expected.Count; rank += 7)
        {
            Assert.Equal(rank, set.RankOf(Encoding.ASCII.GetBytes(expected[rank].Key)));
            Assert.Equal(expected[rank].Key, Encoding.ASCII.GetString(set.At(rank).Member));
        }

        var walkedBack = new List<string>();
        var back = set.WalkFrom(0, reverse: true);
        while (back.MoveNext())
        {
            walkedBack.Add(Encoding.ASCII.GetString(back.Member));
        }

        Assert.Equal(expected.Select(p => p.Key).Reverse(), walkedBack);
    }
}
