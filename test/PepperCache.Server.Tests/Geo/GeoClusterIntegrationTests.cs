using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Geo;

/// <summary>
/// The geo STORE forms in a cluster: the destination (GEOSEARCHSTORE's first key, GEORADIUS's key after STORE or
/// STOREDIST, found by keyword) must share the source's slot, or the command is CROSSSLOT before anything runs.
/// </summary>
public sealed class GeoClusterIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private const string CrossSlot = "CROSSSLOT Keys in request don't hash to the same slot";

    [Fact]
    public async Task StoreDestinationsOfOneSlotRunAndOfAnotherAreCrossSlot()
    {
        var slot = HashSlot.Of("{geo}"u8);
        var node = fixture.Cluster.NodeServing(slot);
        await using var client = await RespSocket.ConnectAsync(node.RespEndPoint);

        Assert.Equal(2, (await client.CommandAsync("GEOADD", "{geo}src", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania")).Integer);
        Assert.Equal(2, (await client.CommandAsync("GEOSEARCHSTORE", "{geo}a", "{geo}src", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km")).Integer);
        Assert.Equal(2, (await client.CommandAsync("GEORADIUS", "{geo}src", "15", "37", "200", "km", "STORE", "{geo}b")).Integer);
        Assert.Equal(1, (await client.CommandAsync("GEORADIUSBYMEMBER", "{geo}src", "Palermo", "10", "km", "STOREDIST", "{geo}c")).Integer);
        Assert.Equal(["Palermo", "0"], (await client.CommandAsync("ZRANGE", "{geo}c", "0", "-1", "WITHSCORES")).Items!.Select(i => i.Text));

        var other = Enumerable.Range(0, 1000).Select(i => $"other:{i}").First(k => HashSlot.Of(Encoding.UTF8.GetBytes(k)) != slot);
        foreach (var command in new[]
        {
            new[] { "GEOSEARCHSTORE", other, "{geo}src", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km" },
            ["GEORADIUS", "{geo}src", "15", "37", "200", "km", "STORE", other],
            ["GEORADIUS", "{geo}src", "15", "37", "200", "km", "STOREDIST", other],
            ["GEORADIUSBYMEMBER", "{geo}src", "Palermo", "10", "km", "STORE", other],
        })
        {
            var reply = await client.CommandAsync(command);
            Assert.True(reply.IsError && reply.Text == CrossSlot, $"{string.Join(' ', command)}: {reply}");
        }

        // The read-only forms take no destination: STORE is a syntax error there, with no key to route.
        var readOnly = await client.CommandAsync("GEORADIUS_RO", "{geo}src", "15", "37", "200", "km", "STORE", "{geo}b");
        Assert.Equal("ERR syntax error", readOnly.Text);
        Assert.Equal(2, (await client.CommandAsync("ZCARD", "{geo}b")).Integer);
    }
}
