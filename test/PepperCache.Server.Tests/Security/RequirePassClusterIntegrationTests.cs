using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// Nodes started with the same requirepass still form a cluster and move slots: membership calls carry the
/// password (no cluster secret here), and the mover AUTHs before PEPPER.IMPORT and CLUSTER SETSLOT.
/// </summary>
public sealed class RequirePassClusterIntegrationTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["PepperCache:RequirePass"] = AclTestSupport.Password };

    [Fact]
    public async Task AJoinerGetsItsSlotsAndTheirKeysWhenEveryNodeNeedsAPassword()
    {
        await using var cluster = await TestCluster.StartAsync(1, settings: Settings);
        var first = cluster.Nodes[0];
        const int KeyCount = 500;
        var keys = Enumerable.Range(0, KeyCount).Select(i => $"auth-move:{i}").ToArray();
        await using (var client = await AuthenticatedAsync(first))
        {
            foreach (var key in keys)
            {
                Assert.Equal("OK", await client.CommandAsync("SET", key, "v-" + key));
            }
        }

        var joiner = await cluster.JoinAsync();
        await cluster.WhenSettledAsync();

        var moved = TestCluster.Server(joiner).Store.Count;
        Assert.InRange(moved, 1, KeyCount - 1);
        Assert.Equal(KeyCount, cluster.Nodes.Sum(n => TestCluster.Server(n).Store.Count));
        foreach (var node in cluster.Nodes)
        {
            await using var client = await AuthenticatedAsync(node);
            var myId = TestCluster.State(node).MyId;
            foreach (var key in keys.Where(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == myId))
            {
                Assert.Equal("v-" + key, await client.CommandAsync("GET", key));
            }
        }

        await using var anonymous = await RawRespClient.ConnectAsync(joiner.RespEndPoint);
        Assert.Equal(new RespError("NOAUTH Authentication required."), await anonymous.CommandAsync("GET", keys[0]));

        using var http = joiner.CreateAdminClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AclTestSupport.Password);
        var members = await http.GetFromJsonAsync<string[]>("/cluster", TestContext.Current.CancellationToken);
        Assert.Equal(2, members!.Length);
    }

    private static async Task<RawRespClient> AuthenticatedAsync(PepperCacheApplication node)
    {
        var client = await node.ConnectRawAsync();
        Assert.Equal("OK", await client.CommandAsync("AUTH", AclTestSupport.Password));
        return client;
    }
}
