using System.Globalization;
using System.Text;
using PepperCache.Client;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// Two nodes on TLS only (<c>--tls-port</c>, <c>--port 0</c>) with <c>--tls-cluster yes</c>: the join and the
/// membership calls go over HTTPS, the rebalancer moves keys to the joiner's TLS port, and clients on TLS are sent to
/// TLS ports. Every certificate is checked against the test CA and required of clients (tls-auth-clients yes).
/// </summary>
public sealed class TlsClusterIntegrationTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task AJoinOverTlsMovesKeysThatTheNewOwnerServesOnItsTlsPort()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(
            1,
            settings: _certificates.NodeSettings(("TlsCluster", "yes")),
            perNode: () => new Dictionary<string, string?> { ["PepperCache:TlsPort"] = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture) });
        var founder = cluster.Nodes[0];
        var keys = Enumerable.Range(0, 400).Select(i => $"tls-move:{i}").ToArray();
        await using (var connection = await ConnectAsync(founder))
        {
            foreach (var key in keys)
            {
                Assert.Equal("OK", (await connection.ExecuteAsync("SET", key, "v-" + key)).Text);
            }
        }

        var joiner = await cluster.JoinAsync();
        await cluster.WhenSettledAsync();

        Assert.True(TestCluster.Server(joiner).Store.Count > 0, "the joiner received no keys");
        Assert.Equal(0, TestCluster.Server(founder).Store.Count + TestCluster.Server(joiner).Store.Count - keys.Length);
        Assert.All(TestCluster.State(founder).Members(), m => Assert.Equal(0, m.Port));

        await using var toFounder = await ConnectAsync(founder);
        await using var toJoiner = await ConnectAsync(joiner);
        var joinerId = TestCluster.State(joiner).MyId;
        var movedKey = keys.First(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == joinerId);
        foreach (var key in keys)
        {
            var onJoiner = cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(key))).Id == joinerId;
            Assert.Equal("v-" + key, (await (onJoiner ? toJoiner : toFounder).ExecuteAsync("GET", key)).Text);
        }

        // The founder sends a TLS client to the joiner's TLS port.
        var moved = await toFounder.ExecuteAsync("GET", movedKey);
        Assert.True(moved.IsError);
        Assert.Equal(
            $"MOVED {HashSlot.Of(Encoding.UTF8.GetBytes(movedKey))} 127.0.0.1:{joiner.TlsEndPoint.Port}",
            moved.Text);
        var slots = await toFounder.ExecuteAsync("CLUSTER", "SLOTS");
        Assert.Equal(
            new[] { (long)founder.TlsEndPoint.Port, joiner.TlsEndPoint.Port }.Order(),
            slots.Elements.Select(s => s.Elements[2].Elements[1].Integer).Distinct().Order());
        Assert.Equal("yes", (await toJoiner.ExecuteAsync("CONFIG", "GET", "tls-admin")).Elements[1].Text);
        token.ThrowIfCancellationRequested();
    }

    private Task<RespConnection> ConnectAsync(PepperCacheApplication node) =>
        RespConnection.ConnectAsync("127.0.0.1", node.TlsEndPoint.Port, _certificates.ClientOptions(_certificates.Client), TestContext.Current.CancellationToken);
}
