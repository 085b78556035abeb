using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

public sealed partial class ClusterRepliesParityTests
{
    /// <summary>
    /// A cluster member answers the database commands as a Redis Cluster node: SELECT, MOVE and SWAPDB of another
    /// database are "not allowed in cluster mode", and argument errors come first where Redis checks them first.
    /// MOVE takes a key that each connected node serves in its own cluster, so neither answers MOVED.
    /// </summary>
    [Fact]
    public async Task DatabaseCommandsAnswerAsARedisClusterNode()
    {
        var key = await KeyServedByBothAsync();
        await RedisParity.AssertSameRepliesAsync(redis.EndPoints[0], pepper.Cluster.Nodes[0].RespEndPoint, $"""
            SELECT 0
            SELECT 1
            SELECT 15
            SELECT -1
            SELECT x
            SELECT 99999999999
            SWAPDB 0 0
            SWAPDB 0 1
            SWAPDB x 0
            SET {key} v
            MOVE {key} 0
            MOVE {key} 1
            MOVE {key} x
            GET {key}
            DEL {key}
            """);
    }

    private async Task<string> KeyServedByBothAsync()
    {
        await using var theirs = await RespSocket.ConnectAsync(redis.EndPoints[0]);
        await using var ours = await RespSocket.ConnectAsync(pepper.Cluster.Nodes[0].RespEndPoint);
        for (var i = 0; i < 1000; i++)
        {
            var key = $"db:{i}";
            if (!(await theirs.CommandAsync("GET", key)).IsError && !(await ours.CommandAsync("GET", key)).IsError)
            {
                return key;
            }
        }

        throw new InvalidOperationException("No key of 1,000 is served by both connected nodes.");
    }
}
