using System.Collections.Concurrent;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// Slot migration copies a batch of slots before freezing them and sends again, while frozen, only the slots that
/// changed since. These tests write to the slots in exactly that window (through the rebalancer's test hook) and check
/// that the new owners end up with what the old owner held at the freeze: overwritten values, deleted keys gone, new
/// keys, changed expiries; and that unchanged slots were handed over with their pre-copy alone.
/// </summary>
public sealed class RebalancePreCopyIntegrationTests
{
    private const int KeyCount = 6000;

    [Fact]
    public async Task WritesBetweenThePreCopyAndTheFreezeReachTheNewOwner()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var expected = new ConcurrentDictionary<string, (string? Value, long ExpiresAt)>(StringComparer.Ordinal);
        for (var i = 0; i < KeyCount; i++)
        {
            var key = $"pre:{i}";
            var bytes = Encoding.UTF8.GetBytes(key);
            var expiry = i % 2 == 0 ? expiresAt : 0;
            var owner = cluster.NodeWithId(cluster.OwnerOf(HashSlot.Of(bytes)).Id);
            TestCluster.Server(owner).Store.Set(bytes, Encoding.UTF8.GetBytes("v-" + key), expiry);
            expected[key] = ("v-" + key, expiry);
        }

        foreach (var node in cluster.Nodes)
        {
            var store = TestCluster.Server(node).Store;
            TestCluster.Rebalancer(node).PreCopied = slots => ChangeFourSlots(store, slots, expiresAt, expected);
        }

        await cluster.JoinAsync();
        await cluster.WhenSettledAsync();
        foreach (var node in cluster.Nodes)
        {
            TestCluster.Rebalancer(node).PreCopied = null;
        }

        foreach (var (key, (value, expiry)) in expected)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            var holders = cluster.Nodes.Where(n => TestCluster.Server(n).Store.Exists(bytes)).ToList();
            if (value is null)
            {
                Assert.Empty(holders);
                continue;
            }

            var holder = Assert.Single(holders);
            Assert.Equal(cluster.OwnerOf(HashSlot.Of(bytes)).Id, TestCluster.State(holder).MyId);
            Assert.True(TestCluster.Server(holder).Store.TryGet(bytes, out var stored));
            Assert.Equal(value, Encoding.UTF8.GetString(stored.Span));
            Assert.Equal(expiry, stored.ExpiresAt);
        }

        Assert.Equal(expected.Count(e => e.Value.Value is not null), cluster.Nodes.Sum(n => TestCluster.Server(n).Store.Count));
        Assert.Contains(expected.Values, e => e.Value is null);
        Assert.Contains(expected.Keys, k => k.EndsWith("added", StringComparison.Ordinal));
        Assert.True(cluster.Nodes.Sum(n => TestCluster.Rebalancer(n).SlotsResent) >= 4, "changed slots were not sent again");
        Assert.True(cluster.Nodes.Sum(n => TestCluster.Rebalancer(n).SlotsKeptFromPreCopy) > 0, "no slot was handed over with its pre-copy alone");
    }

    /// <summary>
    /// In the first four slots of the batch that hold keys: overwrite a key (dropping its expiry, as SET does), delete
    /// one, add one, change one's expiry; and record what each key must be at its new owner.
    /// </summary>
    private static void ChangeFourSlots(
        KeyValueStore store, IReadOnlyList<int> slots, long expiresAt, ConcurrentDictionary<string, (string? Value, long ExpiresAt)> expected)
    {
        var change = 0;
        var entries = new List<SlotEntry>();
        foreach (var slot in slots)
        {
            entries.Clear();
            store.ExportSlot(slot, entries);
            if (entries.Count == 0 || change == 4)
            {
                continue;
            }

            var key = Encoding.UTF8.GetString(entries[0].Key);
            var bytes = entries[0].Key;
            switch (change++)
            {
                case 0:
                    store.Set(bytes, Encoding.UTF8.GetBytes("changed-" + key));
                    expected[key] = ("changed-" + key, 0);
                    break;
                case 1:
                    Assert.True(store.Delete(bytes));
                    expected[key] = (null, 0);
                    break;
                case 2:
                    // A hash tag of the whole key puts the new key in the same slot.
                    var added = "{" + key + "}added";
                    store.Set(Encoding.UTF8.GetBytes(added), "new"u8);
                    expected[added] = ("new", 0);
                    break;
                default:
                    Assert.True(store.SetExpiry(bytes, expiresAt + 1234, ExpireCondition.Always));
                    expected[key] = (expected[key].Value, expiresAt + 1234);
                    break;
            }
        }
    }
}
