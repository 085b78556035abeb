using System.Globalization;
using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>
/// A Node.js application's client, ioredis 5.11.1 (test/node/ioredis.mjs): strings, hashes, lists, sets, sorted sets,
/// expiry, a pipeline and a WRONGTYPE error against one node, and through ioredis's Cluster client against a 3-node
/// cluster. The expected lines are what the same script prints against redis-server 7.0.15.
/// </summary>
public sealed class NodeClientIntegrationTests(NodeFixture node, ThreeNodeClusterFixture cluster)
    : IClassFixture<NodeFixture>, IClassFixture<ThreeNodeClusterFixture>
{
    private const string Expected = """
        strings ["OK",11,"hello world",41,42,"hello",["hello world",null],null]
        hashes [2,"pepper",8,{"name":"pepper","heat":"8"},0,1,1]
        lists [3,4,["z","a","b","c"],"z",["c","b"],1]
        sets [3,3,["a","b","c"],1,["b","c"],3]
        sortedsets [3,["a","1","b","2","c","3"],"3.5",["a"],["c","a"],"2",1]
        expiry [true,-1,-2,0]
        pipeline ["OK",2,"2",1,"pipeline"]
        errors ["WRONGTYPE Operation against a key holding the wrong kind of value"]

        """;

    [Fact]
    public async Task IoredisAgainstOneNode()
    {
        var result = await NodeJs.RunAsync("ioredis.mjs", "single", "127.0.0.1", Port(node.App));

        Assert.Equal(new ToolResult(0, Expected, ""), result);
    }

    [Fact]
    public async Task IoredisClusterAgainstAThreeNodeCluster()
    {
        var nodes = cluster.Cluster.Nodes;
        var result = await NodeJs.RunAsync("ioredis.mjs", "cluster", "127.0.0.1", Port(nodes[1]));

        Assert.Equal(new ToolResult(0, Expected, ""), result);
        // The keys went to the member serving slot {js}, whichever the seed was.
        Assert.Single(nodes, n => n.Store.Exists("{js}:h"u8));
    }

    private static string Port(PepperCacheApplication app) => app.RespEndPoint.Port.ToString(CultureInfo.InvariantCulture);
}
