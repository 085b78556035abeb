using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.SortedSets;

/// <summary>A client blocked on a sorted-set key whose slot moves away is answered MOVED; one whose slot stays is served.</summary>
public sealed class SortedSetBlockingMigrationTests
{
    [Fact]
    public async Task BlockedClientsOfMovedSlotsAreRedirectedAndTheOthersServed()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var first = cluster.Nodes[0];
        var blocked = new List<(string Key, RespFrameClient Client)>();
        try
        {
            for (var i = 0; i < 24; i++)
            {
                var client = await RespFrameClient.ConnectAsync(first.RespEndPoint);
                var key = $"zmb:{i}";
                blocked.Add((key, client));
                await client.SendAsync(i % 2 == 0 ? ["BZPOPMIN", key, "0"] : ["BZMPOP", "0", "1", key, "MAX"]);
            }

            var registry = TestCluster.Server(first).Blocking;
            await Eventually.UntilAsync(() => registry.BlockedCount == blocked.Count, TimeSpan.FromSeconds(10), "clients blocked");

            var joiner = cluster.AddNode();
            await cluster.WhenSettledAsync();
            var joinerId = TestCluster.State(joiner).MyId;
            var staying = blocked.Where(b => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(b.Key))).Id != joinerId).ToList();
            Assert.InRange(staying.Count, 1, blocked.Count - 1);
            foreach (var (key, client) in blocked.Except(staying))
            {
                var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
                Assert.StartsWith($"-MOVED {slot} ", Encoding.UTF8.GetString(await client.ReadReplyAsync()));
            }

            await Eventually.UntilAsync(() => registry.BlockedCount == staying.Count, TimeSpan.FromSeconds(10), "only the staying clients blocked");
            await using var writer = await RespFrameClient.ConnectAsync(first.RespEndPoint);
            foreach (var (key, client) in staying)
            {
                Assert.Equal(":1\r\n", Encoding.UTF8.GetString(await writer.ExecuteAsync("ZADD", key, "3", "v")));
                var reply = Encoding.UTF8.GetString(await client.ReadReplyAsync());
                var header = $"${key.Length}\r\n{key}\r\n";
                Assert.True(reply == $"*3\r\n{header}$1\r\nv\r\n$1\r\n3\r\n" || reply == $"*2\r\n{header}*1\r\n*2\r\n$1\r\nv\r\n$1\r\n3\r\n", reply);
            }
        }
        finally
        {
            foreach (var (_, client) in blocked)
            {
                await client.DisposeAsync();
            }
        }
    }
}
