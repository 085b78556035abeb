using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Lists;

/// <summary>
/// Lists moving with their slots: contents in order and absolute expiries arrive intact; a client blocked on a key
/// whose slot moves away is answered MOVED, and one whose slot stays keeps waiting and is served.
/// </summary>
public sealed class ListMigrationIntegrationTests
{
    [Fact]
    public async Task ListsMoveIntactAndBlockedClientsOfMovedSlotsAreRedirected()
    {
        await using var cluster = await TestCluster.StartAsync(1);
        var first = cluster.Nodes[0];
        var store = TestCluster.Server(first).Store;
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var expected = new Dictionary<string, (string Contents, long ExpiresAt)>(StringComparer.Ordinal);
        for (var i = 0; i < 300; i++)
        {
            // Small lists, and every twentieth one of 3,000 binary elements; half with a TTL.
            var key = $"ml:{i}";
            var list = new ListObject();
            for (var e = 0; e < (i % 20 == 0 ? 3000 : 5); e++)
            {
                list.Push(Encoding.UTF8.GetBytes($"e{i}.{e}\0\r\n"), head: false);
            }

            var expiry = i % 2 == 0 ? expiresAt + i : 0;
            store.SetObject(Encoding.UTF8.GetBytes(key), list, expiry);
            expected[key] = (Contents(list), expiry);
        }

        var blocked = new List<(string Key, RespFrameClient Client)>();
        try
        {
            for (var i = 0; i < 24; i++)
            {
                var client = await RespFrameClient.ConnectAsync(first.RespEndPoint);
                var key = $"mb:{i}";
                blocked.Add((key, client));
                await client.SendAsync(["BLPOP", key, "0"]);
            }

            var registry = TestCluster.Server(first).Blocking;
            await Eventually.UntilAsync(() => registry.BlockedCount == blocked.Count, TimeSpan.FromSeconds(10), "clients blocked");

            var joiner = cluster.AddNode();
            await cluster.WhenSettledAsync();
            var joinerId = TestCluster.State(joiner).MyId;
            var moved = expected.Keys.Count(k => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == joinerId);
            Assert.InRange(moved, 50, 250);
            Assert.Equal(expected.Count, cluster.Nodes.Sum(n => TestCluster.Server(n).Store.Count));
            foreach (var (key, want) in expected)
            {
                var bytes = Encoding.UTF8.GetBytes(key);
                var holder = Assert.Single(cluster.Nodes, n => TestCluster.Server(n).Store.Exists(bytes));
                Assert.Equal(cluster.OwnerOf(HashSlot.Of(bytes)).Id, TestCluster.State(holder).MyId);
                var holderStore = TestCluster.Server(holder).Store;
                var read = new ReadAll();
                holderStore.Execute(bytes, DataType.List, ref read);
                Assert.Equal(want.Contents, read.Contents);
                Assert.Equal(want.ExpiresAt == 0 ? -1 : want.ExpiresAt, holderStore.GetExpiresAt(bytes));
            }

            // Waiters on moved slots were answered MOVED; the others still wait, and a push serves them.
            var staying = blocked.Where(b => cluster.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(b.Key))).Id != joinerId).ToList();
            Assert.InRange(staying.Count, 1, blocked.Count - 1);
            foreach (var (key, client) in blocked.Except(staying))
            {
                var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
                Assert.StartsWith($"-MOVED {slot} ", Encoding.UTF8.GetString(await client.ReadReplyAsync()));
            }

            await Eventually.UntilAsync(() => registry.BlockedCount == staying.Count, TimeSpan.FromSeconds(10), "only the staying clients blocked");
            await using var pusher = await RespFrameClient.ConnectAsync(first.RespEndPoint);
            foreach (var (key, client) in staying)
            {
                Assert.Equal(":1\r\n", Encoding.UTF8.GetString(await pusher.ExecuteAsync("RPUSH", key, "v")));
                Assert.Equal($"*2\r\n${key.Length}\r\n{key}\r\n$1\r\nv\r\n", Encoding.UTF8.GetString(await client.ReadReplyAsync()));
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

    private static string Contents(ListObject list)
    {
        var elements = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            elements.Add(Convert.ToHexString(list[i]));
        }

        return string.Join(",", elements);
    }

    private struct ReadAll : IObjectOperation
    {
        public string? Contents;

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value) => Contents = value is ListObject list ? ListMigrationIntegrationTests.Contents(list) : null;
    }
}
