using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>Forgetting members (CLUSTER FORGET and the prune after ForgetAfter) on ClusterState, without a network.</summary>
public sealed class ClusterForgetTests
{
    [Fact]
    public void AFailedMemberIsForgottenAndOldNewsOfItDoesNotBringItBack()
    {
        var (founder, joiner, third) = ThreeMembers();
        founder.MarkFailed(third.MyId);
        var stale = joiner.CreateMessage(includeSlots: false, 0);

        Assert.Equal(ForgetResult.Forgotten, founder.Forget(third.MyId, "test"));
        founder.Merge(stale);

        Assert.DoesNotContain(founder.Members(), m => m.Id == third.MyId);
        Assert.Equal(ForgetResult.Unknown, founder.Forget(third.MyId, "test"));
    }

    [Fact]
    public void AForgottenMemberThatComesBackWithAHigherIncarnationIsTakenAgain()
    {
        var (founder, _, third) = ThreeMembers();
        founder.MarkFailed(third.MyId);
        var failedNews = founder.CreateMessage(includeSlots: false, 0);
        founder.Forget(third.MyId, "test");

        // The failed member hears it was failed and refutes it: incarnation + 1.
        third.Merge(failedNews);
        founder.Merge(third.CreateMessage(includeSlots: false, 0));

        var back = founder.Members().Single(m => m.Id == third.MyId);
        Assert.Equal((MemberStatus.Alive, 2L), (back.Status, back.Incarnation));
    }

    [Fact]
    public void AMemberThatLeftIsForgottenOnceItsSlotsHaveGone()
    {
        var (founder, joiner, _) = ThreeMembers();
        joiner.SetMyStatus(MemberStatus.Leaving);
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        Assert.Equal(ForgetResult.Serving, founder.Forget(joiner.MyId, "test"));

        joiner.SetMyStatus(MemberStatus.Left);
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));

        Assert.Equal(ForgetResult.Forgotten, founder.Forget(joiner.MyId, "test"));
        Assert.DoesNotContain(founder.Members(), m => m.Id == joiner.MyId);
    }

    [Fact]
    public void MyselfAServingMemberAndAStrangerAreNotForgotten()
    {
        var (founder, joiner, _) = ThreeMembers();

        Assert.Equal(ForgetResult.Myself, founder.Forget(founder.MyId, "test"));
        Assert.Equal(ForgetResult.Serving, founder.Forget(joiner.MyId, "test"));
        Assert.Equal(ForgetResult.Unknown, founder.Forget(new string('a', 40), "test"));
        Assert.Equal(3, founder.Members().Length);
    }

    private static (ClusterState Founder, ClusterState Joiner, ClusterState Third) ThreeMembers()
    {
        var founder = NewState();
        var joiner = NewState(cluster: "127.0.0.1");
        var third = NewState(cluster: "127.0.0.1");
        founder.Merge(joiner.CreateMessage(includeSlots: false, 0));
        founder.Merge(third.CreateMessage(includeSlots: false, 0));
        joiner.Merge(founder.CreateMessage(includeSlots: true, 0));
        third.Merge(founder.CreateMessage(includeSlots: true, 0));
        return (founder, joiner, third);
    }

    private static ClusterState NewState(string cluster = "") =>
        new(Options.Create(new PepperCacheOptions { Port = 0, AdminPort = 0, Cluster = cluster }), NullLogger<ClusterState>.Instance);
}
