using PepperCache.Server.Cluster;

namespace PepperCache.Server.Tests.Cluster;

public sealed class MemberTableTests
{
    private static readonly Member Seed = new(new string('a', 40), "127.0.0.1", 9004, 18088, 1, MemberStatus.Alive);
    private static readonly Member JoinerB = new(new string('b', 40), "127.0.0.2", 9004, 18088, 1, MemberStatus.Alive);
    private static readonly Member JoinerC = new(new string('c', 40), "127.0.0.3", 9004, 18088, 1, MemberStatus.Alive);

    [Fact]
    public void ConcurrentJoinsAtDifferentMembersMergeInsteadOfOverwriting()
    {
        // B joined at A while C joined at A's peer D: each side knows one newcomer; exchanging tables in either
        // order gives both sides all four members.
        var d = Seed with { Id = new string('d', 40), Host = "127.0.0.4" };
        var atA = Table(Seed, d, JoinerB);
        var atD = Table(Seed, d, JoinerC);

        var aThenD = Table([.. atA.All]);
        foreach (var member in atD.All)
        {
            aThenD.Merge(member);
        }

        var dThenA = Table([.. atD.All]);
        foreach (var member in atA.All)
        {
            dThenA.Merge(member);
        }

        Assert.Equal(4, aThenD.Count);
        Assert.Equal(aThenD.All.OrderBy(m => m.Id), dThenA.All.OrderBy(m => m.Id));
    }

    [Fact]
    public void AFailureReportBeatsAliveAtTheSameIncarnationButNotANewerIncarnation()
    {
        var table = Table(Seed, JoinerB);

        Assert.True(table.Merge(JoinerB with { Status = MemberStatus.Failed }));
        Assert.False(table.Merge(JoinerB));
        Assert.Equal(MemberStatus.Failed, table.Find(JoinerB.Id)!.Status);

        // The member refutes (or restarts) with a higher incarnation, at a new port: that wins.
        Assert.True(table.Merge(JoinerB with { Incarnation = 2, Port = 9005 }));
        Assert.Equal((MemberStatus.Alive, 9005), (table.Find(JoinerB.Id)!.Status, table.Find(JoinerB.Id)!.Port));
        Assert.False(table.Merge(JoinerB with { Status = MemberStatus.Failed }));
    }

    [Fact]
    public void MergingIsIdempotentAndOnlyAliveMembersAreGivenSlots()
    {
        var table = Table(Seed, JoinerB, JoinerC with { Status = MemberStatus.Leaving });

        Assert.False(table.Merge(Seed));
        Assert.Equal([Seed.Id, JoinerB.Id], table.AliveIds().Order());
    }

    private static MemberTable Table(params Member[] members)
    {
        var table = new MemberTable();
        foreach (var member in members)
        {
            table.Merge(member);
        }

        return table;
    }
}
