using System.Net.Http.Json;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// A real server process joins an in-process founder, takes its share of the keys, and on SIGTERM hands them back
/// before it exits: the path a user's <c>kill</c> or systemd stop takes.
/// </summary>
public sealed class GracefulLeaveProcessTests
{
    [Fact]
    public async Task OnSigtermAJoinedProcessHandsItsKeysBackAndExitsCleanly()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(1);
        var founder = cluster.Nodes[0];
        var state = TestCluster.State(founder);
        await using var client = new SlotRoutingClient(cluster.OwnerOf);
        var keys = Enumerable.Range(0, 2000).Select(i => $"sigterm:{i}").ToArray();
        foreach (var chunk in keys.Chunk(200))
        {
            Assert.All(await Task.WhenAll(chunk.Select(k => client.ExecuteAsync(k, "SET", k, "v-" + k))), r => Assert.False(r.IsError, r.Text));
        }

        var dir = Directory.CreateTempSubdirectory("pepper-sigterm-");
        try
        {
            var (process, _, _) = await NodeProcess.StartOnFreePortsAsync(
                "--node", "127.0.0.1", "--cluster", $"127.0.0.1:{founder.AdminEndPoint.Port}", "--appendonly", "no", "--dir", dir.FullName);
            await using (process)
            {
                // Moving too: the founder drops a handed-over group's keys after the group's replies, on the move thread.
                await Eventually.UntilAsync(
                    () => TestCluster.ServingCount(founder) == 2 && TestCluster.IsSpreadAsThePlanSays(founder) && !TestCluster.Server(founder).Migration.AnyFrozen &&
                          !TestCluster.Rebalancer(founder).Moving,
                    TimeSpan.FromSeconds(30), "the process joins and takes its share of the slots");
                var joinerId = state.Members().Single(m => m.Id != state.MyId).Id;
                var moved = keys.Count(k => state.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == joinerId);
                Assert.InRange(moved, 500, 1500);
                Assert.Equal(keys.Length - moved, founder.Store.Count);

                // The founder's row of GET /cluster/nodes reports the rebalance it ran.
                using var http = founder.CreateAdminClient();
                var rows = await http.GetFromJsonAsync("/cluster/nodes", ClusterJsonContext.Default.NodeInfoArray, token);
                var progress = Assert.Single(rows!, r => r.Myself).Rebalance!;
                Assert.False(progress.Running);
                Assert.Equal(moved, progress.KeysMoved);
                Assert.Equal(Enumerable.Range(0, HashSlot.SlotCount).Count(s => state.OwnerOf(s).Id == joinerId), progress.SlotsMoved);

                await process.SendSignalAsync("TERM");

                Assert.Equal(0, await process.WaitForExitAsync());
            }

            Assert.Equal(MemberStatus.Left, state.Members().Single(m => m.Id != state.MyId).Status);
            Assert.Equal(keys.Length, founder.Store.Count);
            foreach (var key in keys)
            {
                Assert.Equal("v-" + key, (await client.ExecuteAsync(key, "GET", key)).Text);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
