using PepperCache.Server.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// Members that failed (or left: the same path, ClusterForgetTests) are forgotten after ForgetAfter, so CLUSTER NODES lists the cluster as it is (before,
/// a 3-node cluster listed 6 after a few restarts), and CLUSTER FORGET answers as Redis's.
/// </summary>
public sealed class ForgetIntegrationTests
{
    [Fact]
    public async Task ACrashedMemberIsForgottenAfterTheGracePeriod()
    {
        await using var cluster = await TestCluster.StartAsync(3, settings: new Dictionary<string, string?> { ["PepperCache:ForgetAfter"] = "300" });
        var crashed = cluster.Nodes[2];
        var crashedId = TestCluster.State(crashed).MyId;
        cluster.Nodes.Remove(crashed);
        await TestCluster.CrashAsync(crashed);

        await Eventually.UntilAsync(
            () => cluster.Nodes.All(n => TestCluster.State(n).Members().All(m => m.Id != crashedId)),
            TimeSpan.FromSeconds(60),
            "the survivors mark the crashed member failed and then forget it");

        foreach (var node in cluster.Nodes)
        {
            await using var raw = await node.ConnectRawAsync();
            var nodes = TestCluster.State(node).Members();
            Assert.Equal(2, nodes.Length);
            Assert.All(nodes, m => Assert.Equal(MemberStatus.Alive, m.Status));
            await raw.AssertReplyAsync(Command("CLUSTER", "FORGET", crashedId), $"-ERR Unknown node {crashedId}\r\n");
            await raw.AssertReplyAsync(Command("CLUSTER", "FORGET", TestCluster.State(node).MyId), "-ERR I tried hard but I can't forget myself...\r\n");
            var other = nodes.Single(m => m.Id != TestCluster.State(node).MyId).Id;
            await raw.AssertReplyAsync(Command("CLUSTER", "FORGET", other), "-ERR Can't forget a member that is still serving: make it leave first\r\n");
            await raw.AssertReplyAsync(Command("CLUSTER", "FORGET"), "-ERR wrong number of arguments for 'cluster|forget' command\r\n");
        }
    }

    private static string Command(params string[] parts) =>
        $"*{parts.Length}\r\n" + string.Concat(parts.Select(p => $"${p.Length}\r\n{p}\r\n"));
}
