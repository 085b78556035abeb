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

    // Members of up to 15 or 23 bytes live in their nodes (two sizes), longer ones in arrays of their own: every length
    // either side of those lines, with bytes that sort low and high, must order, look up, scan, copy and travel byte
    // for byte.
    [Fact]
    public void MembersInTheNodeAndInArraysKeepTheirBytesAndOrder()
    {
        var members = new List<byte[]>();
        for (var length = 0; length <= 40; length++)
        {
            foreach (var fill in new byte[] { 0x00, 0x7F, 0xFF })
            {
                if (length > 0 || fill == 0)
                {
                    var member = Enumerable.Repeat(fill, length).ToArray();
                    if (length > 1)
                    {
                        member[^1] = (byte)length;
                    }

                    members.Add(member);
                }
            }
        }

        var set = new SortedSetObject();
        foreach (var member in members)
        {
            Assert.True(set.Set(member, 1, Settings));
        }

        var expected = members.Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
        AssertWalk(expected, set);
        AssertWalk(expected, (SortedSetObject)set.Clone());
        var scanned = new List<(byte[] Member, double Score)>();
        Assert.Equal(0, set.Scan(0, 1_000, [], scanned));
        Assert.Equal(expected.Select(Convert.ToHexString).Order(), scanned.Select(p => Convert.ToHexString(p.Member)).Order());
        var payload = new System.Buffers.ArrayBufferWriter<byte>();
        set.Serialize(payload);
        Assert.True(SortedSetObject.TryDeserialize(payload.WrittenSpan, Settings, out var loaded));
        AssertWalk(expected, loaded);

        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(set.TryGetScore(expected[i], out var score));
            Assert.Equal(1, score);
            Assert.Equal(i, set.RankOf(expected[i]));
            Assert.Equal(i, set.CountBelowLex(expected[i], orEqual: false));
            Assert.Equal(Convert.ToHexString(expected[i]), Convert.ToHexString(set.At(i).MemberArray()));
        }

        foreach (var member in expected.Where((_, i) => i % 2 == 0))
        {
            Assert.True(set.Remove(member));
            Assert.False(set.TryGetScore(member, out _));
        }

        AssertWalk(expected.Where((_, i) => i % 2 == 1).ToList(), set);
    }

    private static void AssertWalk(List<byte[]> expected, SortedSetObject set)
    {
        var walked = new List<string>();
        var walker = set.WalkFrom(0, reverse: false);
        while (walker.MoveNext())
        {
            walked.Add(Convert.ToHexString(walker.Member));
        }

        Assert.Equal(expected.Select(Convert.ToHexString), walked);
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
