using System.Globalization;
using System.Text;
using PepperCache.Core.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The four rebalance guarantees of issue 4 on real in-process nodes (loopback sockets) sharing a test membership:
/// no misses across a join and a graceful leave, no lost or overwritten acknowledged write, one copy per key, TTLs kept.
/// </summary>
public sealed class RebalanceIntegrationTests
{
    private const int ReaderPassLimit = 500;

    [Fact]
    public async Task JoinAndGracefulLeaveKeepEveryKeyReadableOnceWithItsExpiry()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(3);
        await using var client = new SlotRoutingClient(cluster.Membership);
        const int KeyCount = 3000;
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var keys = Enumerable.Range(0, KeyCount).Select(i => $"join:{i}").ToArray();
        await ForEachBatchAsync(keys, k => client.ExecuteAsync(k, "SET", k, "v-" + k));
        var volatileKeys = keys.Where((_, i) => i % 10 == 0).ToArray();
        await ForEachBatchAsync(volatileKeys, k => client.ExecuteAsync(k, "PEXPIREAT", k, Expiry(expiresAt, k)));

        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => ReadAllUntilStoppedAsync(cluster.Membership, keys, stop.Token)).ToArray();

        var joined = await cluster.JoinAsync();
        await cluster.WhenSettledAsync(token);
        AssertEachKeyOnItsOwnerOnly(cluster, keys);
        Assert.True(joined.Server.Store.Count > 0, "the new node received no keys");

        var leaving = cluster.Nodes[0];
        var leavingKeys = leaving.Server.Store.Count;
        await cluster.LeaveAsync(leaving, token);
        await cluster.WhenSettledAsync(token);
        AssertEachKeyOnItsOwnerOnly(cluster, keys);

        await stop.CancelAsync();
        var results = await Task.WhenAll(readers);
        Assert.All(results, r => Assert.True(r.Passes > 0));
        Assert.Equal(0, results.Sum(r => r.Misses));
        Assert.Equal(0, results.Sum(r => r.WrongValues));
        Assert.True(leavingKeys > 0);

        foreach (var key in volatileKeys)
        {
            var holder = cluster.Nodes.Single(n => n.Server.Store.Exists(Encoding.UTF8.GetBytes(key)));
            Assert.Equal(long.Parse(Expiry(expiresAt, key), CultureInfo.InvariantCulture), holder.Server.Store.GetExpiresAt(Encoding.UTF8.GetBytes(key)));
        }

        var ttl = await client.ExecuteAsync(volatileKeys[0], "PEXPIRETIME", volatileKeys[0]);
        Assert.Equal(long.Parse(Expiry(expiresAt, volatileKeys[0]), CultureInfo.InvariantCulture), ttl.Integer);
    }

    [Fact]
    public async Task WritesAcknowledgedDuringMovesAreNeitherLostNorOverwritten()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(3);
        await using var client = new SlotRoutingClient(cluster.Membership);
        var counters = Enumerable.Range(0, 400).Select(i => $"counter:{i}").ToArray();
        var doomed = Enumerable.Range(0, 200).Select(i => $"doomed:{i}").ToArray();
        await ForEachBatchAsync(counters, k => client.ExecuteAsync(k, "SET", k, "0"));
        await ForEachBatchAsync(doomed, k => client.ExecuteAsync(k, "SET", k, "old"));

        var acknowledged = new long[counters.Length];
        var unknown = new long[counters.Length];
        var deleted = new bool[doomed.Length];
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            await using var writer = new SlotRoutingClient(cluster.Membership);
            for (var n = 0; n < 20_000 && !stop.IsCancellationRequested; n++)
            {
                var i = (n * 7919 + w) % counters.Length;
                try
                {
                    var reply = await writer.ExecuteAsync(counters[i], "INCR", counters[i]);
                    Assert.False(reply.IsError, reply.Text);
                    Interlocked.Increment(ref acknowledged[i]);
                }
                catch (PepperCache.Client.RespConnectionException)
                {
                    // Sent to a node as it stopped: applied or not, nobody was told it was.
                    Interlocked.Increment(ref unknown[i]);
                }
            }
        }, token)).ToList();
        writers.Add(Task.Run(async () =>
        {
            await using var deleter = new SlotRoutingClient(cluster.Membership);
            for (var i = 0; i < doomed.Length && !stop.IsCancellationRequested; i++)
            {
                var reply = await deleter.ExecuteAsync(doomed[i], "DEL", doomed[i]);
                deleted[i] = reply.Integer == 1;
                await Task.Delay(5, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, token));

        await cluster.JoinAsync();
        await cluster.WhenSettledAsync(token);
        await cluster.LeaveAsync(cluster.Nodes[1], token);
        await cluster.WhenSettledAsync(token);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        for (var i = 0; i < counters.Length; i++)
        {
            var value = long.Parse((await client.ExecuteAsync(counters[i], "GET", counters[i])).Text!, CultureInfo.InvariantCulture);
            Assert.InRange(value, acknowledged[i], acknowledged[i] + unknown[i]);
        }

        for (var i = 0; i < doomed.Length; i++)
        {
            if (deleted[i])
            {
                Assert.True((await client.ExecuteAsync(doomed[i], "GET", doomed[i])).IsNull, doomed[i] + " came back");
            }
        }

        Assert.True(acknowledged.Sum() > 0);
        AssertEachKeyOnItsOwnerOnly(cluster, [.. counters, .. doomed.Where((_, i) => !deleted[i])]);
    }

    [Fact]
    public async Task UnreachableTargetLeavesSlotsServedAndReadableWhereTheyAre()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(2);
        await using var client = new SlotRoutingClient(cluster.Membership);
        var keys = Enumerable.Range(0, 500).Select(i => $"stay:{i}").ToArray();
        await ForEachBatchAsync(keys, k => client.ExecuteAsync(k, "SET", k, k));

        // A target that accepts connections and drops them at once: every move fails after its slot was frozen.
        using var ghostListener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        ghostListener.Start();
        var ghostPort = ((System.Net.IPEndPoint)ghostListener.LocalEndpoint).Port;
        var dropping = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var accepted = await ghostListener.AcceptSocketAsync(token);
                    accepted.Close(0);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The listener stopped.
            }
        }, token);
        var ghost = new Server.Cluster.ClusterNode(TestMembership.NewNodeId(), "127.0.0.1", ghostPort, ghostPort);
        cluster.Membership.Add(ghost);
        Assert.Contains(Enumerable.Range(0, HashSlot.SlotCount), s => cluster.Membership.DesiredOwnerOf(s).Id == ghost.Id);

        // Both nodes try, fail and retry with backoff; meanwhile every key stays readable where it was.
        for (var i = 0; i < 250 && cluster.Nodes.Any(n => Interlocked.Read(ref n.Rebalancer.FailedMoves) < 2); i++)
        {
            await Task.Delay(20, token);
        }

        Assert.All(cluster.Nodes, n => Assert.True(Interlocked.Read(ref n.Rebalancer.FailedMoves) >= 2));
        foreach (var key in keys)
        {
            Assert.Equal(key, (await client.ExecuteAsync(key, "GET", key)).Text);
        }

        Assert.Equal(0, Enumerable.Range(0, HashSlot.SlotCount).Count(s => cluster.Membership.OwnerOf(s).Id == ghost.Id));
        Assert.All(cluster.Nodes, n => Assert.False(n.Server.Migration.AnyFrozen));

        cluster.Membership.Remove(ghost.Id);
        await cluster.WhenSettledAsync(token);
        ghostListener.Stop();
        await dropping;
        AssertEachKeyOnItsOwnerOnly(cluster, keys);
    }

    [Fact]
    public async Task StrayKeysOfSlotsServedElsewhereAreRemoved()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(2);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        var strayKey = Enumerable.Range(0, 1000).Select(i => $"stray:{i}")
            .First(k => cluster.Membership.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == b.Node.Id);
        var ownKey = Enumerable.Range(0, 1000).Select(i => $"own:{i}")
            .First(k => cluster.Membership.OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(k))).Id == a.Node.Id);
        a.Server.Store.Set(Encoding.UTF8.GetBytes(strayKey), "left over"u8);
        a.Server.Store.Set(Encoding.UTF8.GetBytes(ownKey), "mine"u8);

        // Any membership change prompts the cleanup; reassigning a slot to its owner is the smallest one.
        cluster.Membership.Assign(0, cluster.Membership.OwnerOf(0).Id);
        for (var i = 0; i < 250 && a.Server.Store.Exists(Encoding.UTF8.GetBytes(strayKey)); i++)
        {
            await Task.Delay(20, token);
        }

        Assert.False(a.Server.Store.Exists(Encoding.UTF8.GetBytes(strayKey)));
        Assert.True(a.Server.Store.Exists(Encoding.UTF8.GetBytes(ownKey)));
    }

    private static string Expiry(long baseAt, string key) =>
        (baseAt + (key.GetHashCode(StringComparison.Ordinal) & 0xFFFF)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Guarantee 3: the sum of DBSIZE is the key count, and each key is on the node serving its slot.</summary>
    private static void AssertEachKeyOnItsOwnerOnly(TestCluster cluster, string[] keys)
    {
        Assert.Equal(keys.Length, cluster.Nodes.Sum(n => n.Server.Store.Count));
        foreach (var key in keys)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var holders = cluster.Nodes.Where(n => n.Server.Store.Exists(bytes)).ToList();
            var holder = Assert.Single(holders);
            Assert.Equal(cluster.Membership.OwnerOf(HashSlot.Of(bytes)).Id, holder.Node.Id);
        }
    }

    private static async Task ForEachBatchAsync(string[] keys, Func<string, Task<PepperCache.Protocol.RespReply>> action)
    {
        foreach (var chunk in keys.Chunk(200))
        {
            var replies = await Task.WhenAll(chunk.Select(action));
            Assert.All(replies, r => Assert.False(r.IsError, r.Text));
        }
    }

    private static async Task<(int Passes, int Misses, int WrongValues)> ReadAllUntilStoppedAsync(
        TestMembership membership, string[] keys, CancellationToken stop)
    {
        await using var reader = new SlotRoutingClient(membership);
        int passes = 0, misses = 0, wrong = 0;
        while (passes < ReaderPassLimit && (passes == 0 || !stop.IsCancellationRequested))
        {
            foreach (var chunk in keys.Chunk(100))
            {
                var replies = await Task.WhenAll(chunk.Select(k => reader.ExecuteAsync(k, "GET", k)));
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (replies[i].IsNull)
                    {
                        misses++;
                    }
                    else if (replies[i].Text != "v-" + chunk[i])
                    {
                        wrong++;
                    }
                }
            }

            passes++;
        }

        return (passes, misses, wrong);
    }
}
