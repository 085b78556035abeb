using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Client;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Commands;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// Issue 14's probe on the cache port: CLUSTER SETSLOT ... NODE and PEPPER.IMPORT from a plain client change nothing;
/// the rebalancer, which presents the secret, still moves slots and keys.
/// </summary>
public sealed class ClusterPeerCommandsIntegrationTests
{
    private const string Secret = "pepper-s3cret";

    private static readonly Dictionary<string, string?> WithSecret = new() { ["PepperCache:ClusterSecret"] = Secret };

    [Fact]
    public async Task WithASecretAPlainClientCannotMoveSlotsOrImportKeysButTheRebalancerCan()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(1, settings: WithSecret);
        await using var client = new SlotRoutingClient(cluster.OwnerOf);
        var keys = Enumerable.Range(0, 300).Select(i => $"peer:{i}").ToArray();
        foreach (var key in keys)
        {
            Assert.Equal("OK", (await client.ExecuteAsync(key, "SET", key, "v-" + key)).Text);
        }

        // The join moves about half of the slots with their keys: the rebalancer authenticated itself.
        var joined = await cluster.JoinAsync();
        await cluster.WhenSettledAsync();
        Assert.True(TestCluster.Server(joined).Store.Count > 0, "the joiner received keys");
        foreach (var key in keys)
        {
            Assert.Equal("v-" + key, (await client.ExecuteAsync(key, "GET", key)).Text);
        }

        var founder = cluster.Nodes[0];
        var state = TestCluster.State(founder);
        var mine = Enumerable.Range(0, HashSlot.SlotCount).First(s => state.OwnerOf(s).Id == state.MyId);
        var theirs = Enumerable.Range(0, HashSlot.SlotCount).First(s => state.OwnerOf(s).Id != state.MyId);
        var keysBefore = TestCluster.Server(founder).Store.Count;
        await using var plain = await RespConnection.ConnectAsync("127.0.0.1", founder.RespEndPoint.Port, token);

        var setSlot = await plain.ExecuteAsync("CLUSTER", "SETSLOT", $"{mine}", "NODE", TestCluster.State(joined).MyId, "EPOCH", "1000");
        var import = await plain.ExecuteAsync("PEPPER.IMPORT", $"{theirs}", "RESET", "0", KeyIn(theirs), "forged");
        Assert.StartsWith("NOPERM", setSlot.Text);
        Assert.StartsWith("NOPERM", import.Text);
        Assert.Equal("WRONGPASS invalid cluster secret", (await plain.ExecuteAsync("PEPPER.AUTH", Secret + "x")).Text);
        Assert.StartsWith("NOPERM", (await plain.ExecuteAsync("CLUSTER", "SETSLOT", $"{mine}", "NODE", TestCluster.State(joined).MyId)).Text);

        Assert.Equal(state.MyId, state.OwnerOf(mine).Id);
        Assert.Equal(keysBefore, TestCluster.Server(founder).Store.Count);

        // With the secret presented, the same connection may (this is what the rebalancer does).
        Assert.Equal("OK", (await plain.ExecuteAsync("PEPPER.AUTH", Secret)).Text);
        Assert.Equal("OK", (await plain.ExecuteAsync("PEPPER.IMPORT", $"{theirs}", "RESET", "0", KeyIn(theirs), "sent")).Text);
        Assert.Equal(keysBefore + 1, TestCluster.Server(founder).Store.Count);
    }

    [Fact]
    public async Task ALeavingNodeTakesNoSlotsAndTheSenderKeepsThem()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(2);
        var leaving = cluster.Nodes[1];
        var state = TestCluster.State(leaving);
        var slot = SlotServedElsewhere(state);
        var owner = state.OwnerOf(slot).Id;
        state.SetMyStatus(PepperCache.Server.Cluster.MemberStatus.Leaving);

        // What a member whose plan predates the leave would send it (a loopback peer: no cluster secret here).
        await using var peer = await RespConnection.ConnectAsync("127.0.0.1", leaving.RespEndPoint.Port, token);
        var import = await peer.ExecuteAsync("PEPPER.IMPORT", $"{slot}", "RESET", "0", KeyIn(slot), "v");
        var setSlot = await peer.ExecuteAsync("CLUSTER", "SETSLOT", $"{slot}", "NODE", state.MyId, "EPOCH", "1");

        Assert.Equal("ERR This node is leaving the cluster and takes no slots", import.Text);
        Assert.Equal(import.Text, setSlot.Text);
        Assert.Equal(owner, state.OwnerOf(slot).Id);
        Assert.False(HoldsKeyIn(leaving, slot));
    }

    /// <summary>
    /// A hand-over from a member following another plan (here: the slot's own owner, by hand, in a settled cluster whose
    /// plan keeps the slot there) is refused with TRYAGAIN: taken, the slot would go straight back under the
    /// target's plan. The owner keeps it, and the target drops the pre-copy it had taken.
    /// </summary>
    [Fact]
    public async Task ASlotTheTargetsPlanGivesToAnotherLiveMemberIsNotTaken()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(2);
        var target = cluster.Nodes[1];
        var state = TestCluster.State(target);
        var slot = SlotServedElsewhere(state);
        var owner = state.OwnerOf(slot).Id;
        Assert.Equal(owner, state.PlannedOwners()[slot]);

        await using var peer = await RespConnection.ConnectAsync("127.0.0.1", target.RespEndPoint.Port, token);
        Assert.Equal("OK", (await peer.ExecuteAsync("PEPPER.IMPORT", $"{slot}", "RESET", "0", KeyIn(slot), "pre-copied")).Text);
        Assert.True(HoldsKeyIn(target, slot));
        var setSlot = await peer.ExecuteAsync("CLUSTER", "SETSLOT", $"{slot}", "NODE", state.MyId, "EPOCH", $"{state.EpochOf(slot)}");

        Assert.Equal($"TRYAGAIN Slot {slot} is not planned to this node in the slot plan it holds (plan epoch {state.PlanEpoch})", setSlot.Text);
        Assert.Equal(owner, state.OwnerOf(slot).Id);
        // The refused hand-over's pre-copy is not left behind as stray keys.
        Assert.False(HoldsKeyIn(target, slot));
    }

    [Theory]
    [InlineData("", "127.0.0.1", false, true)]
    [InlineData("", "::1", false, true)]
    [InlineData("", "10.0.0.5", false, false)]
    [InlineData("", null, false, false)]
    [InlineData(Secret, "127.0.0.1", false, false)]
    [InlineData(Secret, "10.0.0.5", false, false)]
    [InlineData(Secret, "10.0.0.5", true, true)]
    public void OnlyAPeerThatPresentedTheSecretOrWithoutOneALoopbackPeerIsAdmitted(string secret, string? remote, bool presented, bool admitted)
    {
        var server = new ServerState(
            new KeyValueStore(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56))),
            Options.Create(new PepperCacheOptions { ClusterSecret = secret }),
            new ClientRegistry(),
            new CommandDispatcher(CommandTable.CreateDefault()));
        var session = new ClientSession(1, remote is null ? null : new IPEndPoint(IPAddress.Parse(remote), 40000), null, 0) { ClusterPeer = presented };
        using var request = new RespRequest(server.Limits);
        var output = new ArrayBufferWriter<byte>();
        var context = new CommandContext(server, session, request) { Output = output };

        Assert.Equal(admitted, ClusterPeerCommands.Admit(context));
        Assert.Equal(admitted, output.WrittenCount == 0);
        if (!admitted)
        {
            Assert.StartsWith("-NOPERM", Encoding.UTF8.GetString(output.WrittenSpan));
        }
    }

    private static string KeyIn(int slot)
    {
        for (var i = 0; ; i++)
        {
            if (HashSlot.Of(Encoding.UTF8.GetBytes($"forged:{i}")) == slot)
            {
                return $"forged:{i}";
            }
        }
    }

    /// <summary>The first slot another node serves, in <paramref name="state"/>'s view.</summary>
    private static int SlotServedElsewhere(PepperCache.Server.Cluster.ClusterState state) =>
        Enumerable.Range(0, HashSlot.SlotCount).First(s => state.OwnerOf(s).Id != state.MyId);

    /// <summary>Whether <paramref name="node"/>'s store holds <see cref="KeyIn"/>(<paramref name="slot"/>).</summary>
    private static bool HoldsKeyIn(PepperCacheApplication node, int slot) =>
        TestCluster.Server(node).Store.Exists(Encoding.UTF8.GetBytes(KeyIn(slot)));

}
