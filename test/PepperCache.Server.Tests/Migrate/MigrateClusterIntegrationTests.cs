using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Migrate;

/// <summary>
/// MIGRATE on a cluster member is routed by its keys as Redis finds them: the key argument, or with KEYS the keys
/// after it (not the empty key argument), so MOVED and CROSSSLOT answer before anything is sent.
/// </summary>
public sealed class MigrateClusterIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    [Fact]
    public async Task KeysAfterKeysRouteTheCommand()
    {
        // A tag whose node does not serve the empty key's slot: routing by "" would send it elsewhere.
        var emptySlot = HashSlot.Of(""u8);
        var tag = Enumerable.Range(0, 1000).Select(i => $"{{mig{i}}}")
            .First(t => fixture.Cluster.NodeServing(HashSlot.Of(Encoding.UTF8.GetBytes(t))) != fixture.Cluster.NodeServing(emptySlot));
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(tag));
        var node = fixture.Cluster.NodeServing(slot);
        await using var client = await RespSocket.ConnectAsync(node.RespEndPoint);
        var elsewhere = Enumerable.Range(0, 1000).Select(i => $"away:{i}")
            .First(k => fixture.Cluster.NodeServing(HashSlot.Of(Encoding.UTF8.GetBytes(k))) != node);

        Assert.Equal("NOKEY", (await client.CommandAsync("MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", tag + "a", tag + "b")).Text);
        Assert.Equal("NOKEY", (await client.CommandAsync("MIGRATE", "127.0.0.1", "1", tag + "a", "0", "100", "COPY")).Text);
        Assert.StartsWith("MOVED ", (await client.CommandAsync("MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", elsewhere)).Text);
        Assert.StartsWith("MOVED ", (await client.CommandAsync("MIGRATE", "127.0.0.1", "1", elsewhere, "0", "100")).Text);
        Assert.Equal("CROSSSLOT Keys in request don't hash to the same slot",
            (await client.CommandAsync("MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", tag + "a", elsewhere)).Text);
    }
}
