using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Core.Tests;

public class SlotMapTests
{
    private static readonly string[] Ten = SlotMapSimulation.NodeIds(10);

    [Fact]
    public void SameMembersInAnyOrderGiveTheSameMap()
    {
        var first = SlotMap.Build(Ten);
        var shuffled = Ten.ToArray();
        new Random(7).Shuffle(shuffled);
        var second = SlotMap.Build(shuffled);

        Assert.Empty(SlotMap.Diff(first, second));
        Assert.Equal(Ten.Order(StringComparer.Ordinal), second.Members);
    }

    [Fact]
    public void IsPinnedAcrossVersions()
    {
        // Nodes running different builds must agree, so the score function may never change: these owners are frozen.
        var map = SlotMap.Build(["a", "b", "c"]);
        var owners = string.Concat(Enumerable.Range(0, 16).Select(map.OwnerOf));
        Assert.Equal("ccccaccbabacaabb", owners);
        Assert.Equal([5511, 5369, 5504], map.Members.Select(map.SlotCountOf));
    }

    [Fact]
    public void RangesAndCountsCoverEverySlotOnce()
    {
        var map = SlotMap.Build(Ten);
        var covered = new int[HashSlot.SlotCount];
        foreach (var member in map.Members)
        {
            var ranges = map.RangesOf(member);
            Assert.Equal(map.SlotCountOf(member), ranges.Sum(range => range.Count));
            Assert.Equal(map.SlotCountOf(member), map.SlotsOf(member).Count());
            for (var i = 1; i < ranges.Count; i++)
            {
                // Ranges are maximal: the next one starts past a slot owned by someone else.
                Assert.True(ranges[i].Start > ranges[i - 1].End + 1);
            }

            foreach (var slot in map.SlotsOf(member))
            {
                covered[slot]++;
                Assert.Equal(member, map.OwnerOf(slot));
                Assert.Equal(member, map.Members[map.OwnerIndexOf(slot)]);
            }
        }

        Assert.All(covered, count => Assert.Equal(1, count));
    }

    [Fact]
    public void OneMemberOwnsEverythingInOneRange()
    {
        var map = SlotMap.Build(["solo"]);
        Assert.Equal([new SlotRange(0, HashSlot.SlotCount - 1)], map.RangesOf("solo"));
        Assert.Equal("solo", map.OwnerOf(HashSlot.SlotCount - 1));
    }

    [Fact]
    public void StrangerOwnsNothing()
    {
        var map = SlotMap.Build(Ten);
        Assert.Empty(map.RangesOf("nobody"));
        Assert.Equal(0, map.SlotCountOf("nobody"));
        Assert.Equal(-1, map.IndexOf("nobody"));
    }

    [Theory]
    [InlineData("a,a")]
    [InlineData("a,")]
    [InlineData("")]
    public void RejectsEmptyOrDuplicateMembers(string commaSeparated) =>
        Assert.Throws<ArgumentException>(() => SlotMap.Build(commaSeparated.Split(',')));

    [Fact]
    public void RejectsAnEmptyMemberSet() => Assert.Throws<ArgumentException>(() => SlotMap.Build([]));

    [Fact]
    public void DiffListsExactlyTheSlotsThatChangeOwner()
    {
        var before = SlotMap.Build(Ten);
        var after = SlotMap.Build([.. Ten, "newcomer"]);
        var moves = SlotMap.Diff(before, after);

        var moved = moves.Select(move => move.Slot).ToHashSet();
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            Assert.Equal(moved.Contains(slot), before.OwnerOf(slot) != after.OwnerOf(slot));
        }

        Assert.All(moves, move =>
        {
            Assert.Equal(before.OwnerOf(move.Slot), move.From);
            Assert.Equal(after.OwnerOf(move.Slot), move.To);
        });

        // Most of what moves goes to the newcomer; the rest is the capacity ripple.
        Assert.True(moves.Count(move => move.To == "newcomer") > moves.Count * 9 / 10);
        Assert.Equal(after.SlotCountOf("newcomer"), moves.Count(move => move.To == "newcomer"));
    }

    [Fact]
    public void DiffFromNothingListsEverySlot()
    {
        var map = SlotMap.Build(Ten);
        var moves = SlotMap.Diff(null, map);
        Assert.Equal(HashSlot.SlotCount, moves.Count);
        Assert.All(moves, move => Assert.Null(move.From));
    }
}
