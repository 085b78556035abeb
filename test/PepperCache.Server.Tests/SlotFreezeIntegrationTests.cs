using System.Globalization;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>A frozen slot holds its commands back in the connection loop, flushing earlier replies, until the move ends.</summary>
public sealed class SlotFreezeIntegrationTests
{
    [Fact]
    public async Task HeldBackCommandRunsAfterTheUnfreezeAndSeesTheNewState()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var node = TestCluster.Server(cluster.Nodes[0]);
        var slot = HashSlot.Of("{frz}k"u8);
        await using var client = await cluster.Nodes[0].ConnectRawAsync();
        await client.AssertReplyAsync("SET {frz}k before\r\n", "+OK\r\n");

        Assert.True(node.Migration.TryFreeze(slot));
        await client.SendAsync("SET {thaw}other 1\r\nGET {frz}k\r\nPING\r\n");
        // The reply before the held-back command arrives while the slot is still frozen.
        Assert.Equal("+OK\r\n", await client.ReadExactlyAsync(5));
        node.Store.Set("{frz}k"u8, "after"u8);
        node.Migration.Unfreeze(slot);

        Assert.Equal("$5\r\nafter\r\n+PONG\r\n", await client.ReadExactlyAsync(18));
    }

    [Fact]
    public async Task HeldBackCommandIsRedirectedWhenTheSlotMovedMeanwhile()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var bNode = TestCluster.State(b).Myself;
        var key = Enumerable.Range(0, 1000).Select(i => $"held:{i}")
            .First(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == TestCluster.State(a).MyId);
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
        await using var client = await a.ConnectRawAsync();

        Assert.True(TestCluster.Server(a).Migration.TryFreeze(slot));
        await client.SendAsync($"GET {key}\r\nPING\r\n");
        TestCluster.State(a).AssignSlot(slot, bNode.Id);
        TestCluster.Server(a).Migration.Unfreeze(slot);

        var expected = $"-MOVED {slot.ToString(CultureInfo.InvariantCulture)} {bNode.Host}:{bNode.Port}\r\n+PONG\r\n";
        Assert.Equal(expected, await client.ReadExactlyAsync(Encoding.UTF8.GetByteCount(expected)));
    }

    [Fact]
    public async Task ImportIsRefusedForASlotThisNodeServes()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var slot = HashSlot.Of("{mine}"u8).ToString(CultureInfo.InvariantCulture);
        await using var client = await cluster.Nodes[0].ConnectRawAsync();
        await client.AssertReplyAsync(
            $"*6\r\n$13\r\nPEPPER.IMPORT\r\n${slot.Length}\r\n{slot}\r\n$5\r\nRESET\r\n$1\r\n0\r\n$6\r\n{{mine}}\r\n$1\r\nv\r\n",
            $"-ERR Slot {slot} is already served by this node\r\n");
    }
}
