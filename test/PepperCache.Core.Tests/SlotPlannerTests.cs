using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Core.Tests;

/// <summary>Who gives how much in one plan of <see cref="SlotPlanner"/> (the simulation checks the bounds over histories).</summary>
public class SlotPlannerTests
{
    /// <summary>
    /// The three nodes of bench/rebalance.sh before its fourth joins: 5,461, 5,734 and 5,189 slots. The joiner needs
    /// ⌈0.95 × 4,096⌉ = 3,892; above the upper bound (4,300) they give 1,161, 1,434 and 889, and the other 408 are
    /// shared by those three so that the largest give is as small as it can be: 1,229 / 1,434 / 1,229. Before, the
    /// first of the fullest gave them all (1,569 / 1,434 / 889), and the join lasted as long as that member's move.
    /// </summary>
    [Fact]
    public void AJoinSpreadsWhatTheMembersMustGiveBeyondTheirExcessSoTheLargestGiveIsSmallest()
    {
        var current = Table(("a", 5461), ("b", 5734), ("c", 5189));

        var next = SlotPlanner.Next(current, ["a", "b", "c", "d"]);

        Assert.Equal(3892, next.Count(o => o == "d"));
        Assert.Equal(1229, Given(current, next, "a"));
        Assert.Equal(1434, Given(current, next, "b"));
        Assert.Equal(1229, Given(current, next, "c"));
    }

    /// <summary>
    /// Twenty members at the mean (16 hold 819 slots, 4 hold 820) and a joiner: the new upper bound is 819 and the
    /// lower 742, so only the four at 820 must give (1 each) and can give 78 at most, 312 of the 742 the joiner needs.
    /// The other 430 come from the fullest of the rest down to the lower bound, as few members as can: 77 from each of
    /// five and 45 from a sixth. Spreading it over all sixteen others would cut a range out of each for the joiner.
    /// </summary>
    [Fact]
    public void WhatTheGiversCannotCoverComesFromTheFewestOthersDownToTheLowerBound()
    {
        var members = Enumerable.Range(0, 20).Select(i => ($"m{i:D2}", i < 4 ? 820 : 819)).ToArray();
        var current = Table(members);

        var next = SlotPlanner.Next(current, [.. members.Select(m => m.Item1), "new"]);

        Assert.Equal(742, next.Count(o => o == "new"));
        Assert.All(members.Take(4), m => Assert.Equal(78, Given(current, next, m.Item1)));
        var others = members.Skip(4).Select(m => Given(current, next, m.Item1)).Where(g => g > 0).Order().ToArray();
        Assert.Equal([45, 77, 77, 77, 77, 77], others);
    }

    /// <summary>
    /// N members with one range each, in slot order, and a joiner: below 20 members every member must give. Cutting
    /// each giver's own range end gave the joiner N ranges; neighbouring givers now free the end of one range and the
    /// start of the next together, one run per pair, so it gets ⌈N/2⌉ (the fewest: a run holding pieces of three
    /// members would hold the middle one's whole range), and every giver still holds one range.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(9)]
    public void NeighbouringGiversFreeOneRunSoAJoinerGetsHalfAsManyRanges(int n)
    {
        var members = Enumerable.Range(0, n).Select(i => ($"m{i}", HashSlot.SlotCount / n + (i < HashSlot.SlotCount % n ? 1 : 0))).ToArray();
        var current = Table(members);

        var next = SlotPlanner.Next(current, [.. members.Select(m => m.Item1), "new"]);

        var ranges = SlotRange.ByOwner(next);
        Assert.Equal((n + 1) / 2, ranges["new"].Count);
        Assert.All(members, m => Assert.Single(ranges[m.Item1]));
    }

    private static string?[] Table(params (string Id, int Slots)[] members)
    {
        Assert.Equal(HashSlot.SlotCount, members.Sum(m => m.Slots));
        var owners = new string?[HashSlot.SlotCount];
        var slot = 0;
        foreach (var (id, slots) in members)
        {
            Array.Fill(owners, id, slot, slots);
            slot += slots;
        }

        return owners;
    }

    private static int Given(string?[] before, string[] after, string member) =>
        Enumerable.Range(0, before.Length).Count(s => before[s] == member && after[s] != member);
}
