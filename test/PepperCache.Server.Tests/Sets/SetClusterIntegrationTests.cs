using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Sets;

/// <summary>The multi-key set commands in a cluster: keys of one slot run on its owner, keys of several are CROSSSLOT.</summary>
public sealed class SetClusterIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private const string CrossSlot = "CROSSSLOT Keys in request don't hash to the same slot";

    [Fact]
    public async Task KeysOfOneSlotRunOnItsOwnerAndKeysOfSeveralAreCrossSlot()
    {
        var slot = HashSlot.Of("{sets}"u8);
        var node = fixture.Cluster.NodeServing(slot);
        await using var client = await RespSocket.ConnectAsync(node.RespEndPoint);

        Assert.Equal(3, (await client.CommandAsync("SADD", "{sets}a", "1", "2", "3")).Integer);
        Assert.Equal(2, (await client.CommandAsync("SADD", "{sets}b", "2", "3")).Integer);
        Assert.Equal(2, (await client.CommandAsync("SINTERCARD", "2", "{sets}a", "{sets}b")).Integer);
        Assert.Equal(3, (await client.CommandAsync("SUNIONSTORE", "{sets}d", "{sets}a", "{sets}b")).Integer);
        Assert.Equal(1, (await client.CommandAsync("SMOVE", "{sets}a", "{sets}e", "1")).Integer);
        Assert.Equal(["2", "3"], (await client.CommandAsync("SINTER", "{sets}a", "{sets}d")).Items!.Select(i => i.Text));

        // A key of another slot among them: refused before anything runs, whichever node is asked.
        var other = Enumerable.Range(0, 1000).Select(i => $"other:{i}").First(k => HashSlot.Of(Encoding.UTF8.GetBytes(k)) != slot);
        foreach (var command in new[]
        {
            new[] { "SINTERCARD", "2", "{sets}a", other },
            ["SMOVE", "{sets}a", other, "2"],
            ["SINTERSTORE", other, "{sets}a"],
            ["SUNION", "{sets}a", other],
            ["SDIFFSTORE", "{sets}d", "{sets}a", other],
        })
        {
            var reply = await client.CommandAsync(command);
            Assert.True(reply.IsError && reply.Text == CrossSlot, $"{string.Join(' ', command)}: {reply}");
        }

        Assert.Equal(2, (await client.CommandAsync("SCARD", "{sets}a")).Integer);
        Assert.Equal(3, (await client.CommandAsync("SCARD", "{sets}d")).Integer);
    }
}
