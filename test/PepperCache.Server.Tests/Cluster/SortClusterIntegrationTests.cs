using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// SORT on a node of a cluster: STORE's destination (found wherever STORE comes among the options) must share the
/// sorted key's slot, and BY with a pattern and every GET are refused with Redis 7.0's cluster errors, since the keys
/// they name may live on other nodes.
/// </summary>
public sealed class SortClusterIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    [Fact]
    public async Task StoreStaysInTheSlotAndPatternsAreRefused()
    {
        var slot = HashSlot.Of("{sort}"u8);
        var node = fixture.Cluster.NodeServing(slot);
        await using var client = await RespSocket.ConnectAsync(node.RespEndPoint);

        Assert.Equal(3, (await client.CommandAsync("RPUSH", "{sort}src", "3", "1", "2")).Integer);
        Assert.Equal(["1", "2", "3"], (await client.CommandAsync("SORT", "{sort}src")).Items!.Select(i => i.Text));
        Assert.Equal(2, (await client.CommandAsync("SORT", "{sort}src", "LIMIT", "0", "2", "STORE", "{sort}dst", "DESC")).Integer);
        Assert.Equal(["3", "2"], (await client.CommandAsync("LRANGE", "{sort}dst", "0", "-1")).Items!.Select(i => i.Text));
        Assert.Equal(["3", "1", "2"], (await client.CommandAsync("SORT", "{sort}src", "BY", "nosort")).Items!.Select(i => i.Text));

        var other = Enumerable.Range(0, 1000).Select(i => $"other:{i}").First(k => HashSlot.Of(Encoding.UTF8.GetBytes(k)) != slot);
        var crossSlot = await client.CommandAsync("SORT", "{sort}src", "LIMIT", "0", "1", "STORE", other);
        Assert.Equal("CROSSSLOT Keys in request don't hash to the same slot", crossSlot.Text);
        Assert.Equal("ERR BY option of SORT denied in Cluster mode.", (await client.CommandAsync("SORT", "{sort}src", "BY", "{sort}w_*")).Text);
        Assert.Equal("ERR GET option of SORT denied in Cluster mode.", (await client.CommandAsync("SORT_RO", "{sort}src", "GET", "#")).Text);
        Assert.Equal(0, (await client.CommandAsync("EXISTS", other)).Integer);
    }
}
