using Microsoft.Extensions.Time.Testing;
using PepperCache.Protocol;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class KeyValueStoreSlotsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    public KeyValueStoreSlotsTests() => _store = new KeyValueStore(_time);

    [Fact]
    public void KeysOfOneSlotShareAShard()
    {
        // {tag} keys share a slot; slots pick shards, so all of them land in one shard whatever the rest of the key.
        var shards = Enumerable.Range(0, 50).Select(i => _store.ShardOf(B($"{{user7}}.field{i}"))).Distinct();
        Assert.Single(shards);
    }

    [Fact]
    public void CountAndListKeysOfASlotSkipExpiredOnes()
    {
        _store.Set("{s}a"u8, "1"u8);
        _store.Set("{s}b"u8, "2"u8);
        _store.Set("{s}gone"u8, "3"u8, _store.Now + 10);
        _store.Set("{other}a"u8, "4"u8);
        _time.Advance(TimeSpan.FromMilliseconds(20));
        var slot = HashSlot.Of("{s}a"u8);

        Assert.Equal(2, _store.CountKeysInSlot(slot));
        var keys = new List<byte[]>();
        _store.GetKeysInSlot(slot, 10, keys);
        Assert.Equal(["{s}a", "{s}b"], keys.Select(k => S(k)).Order());
        keys.Clear();
        _store.GetKeysInSlot(slot, 1, keys);
        Assert.Single(keys);
        Assert.Equal(0, _store.CountKeysInSlot(HashSlot.Of("{empty}"u8)));
    }

    [Fact]
    public void ExportSlotGivesValuesAbsoluteExpiriesAndBytes()
    {
        var expiresAt = _store.Now + 60_000;
        _store.Set("{e}k1"u8, "value1"u8, expiresAt);
        _store.Set("{e}k2"u8, "v2"u8);
        _store.Set("{f}k3"u8, "elsewhere"u8);
        var entries = new List<SlotEntry>();

        var bytes = _store.ExportSlot(HashSlot.Of("{e}"u8), entries);

        Assert.Equal(5 + 6 + 5 + 2, bytes);
        var byKey = entries.ToDictionary(e => S(e.Key));
        Assert.Equal(["{e}k1", "{e}k2"], byKey.Keys.Order());
        Assert.Equal("value1", S(byKey["{e}k1"].Value.Span));
        Assert.Equal(expiresAt, byKey["{e}k1"].Value.ExpiresAt);
        Assert.Equal(0, byKey["{e}k2"].Value.ExpiresAt);
    }

    [Fact]
    public void DeleteSlotRemovesOnlyThatSlotAndCountsLiveKeys()
    {
        _store.Set("{d}1"u8, "x"u8);
        _store.Set("{d}2"u8, "x"u8, _store.Now + 5);
        _store.Set("{keep}1"u8, "x"u8);
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(1, _store.DeleteSlot(HashSlot.Of("{d}"u8)));
        Assert.Equal(1, _store.Count);
        Assert.True(_store.Exists("{keep}1"u8));
    }

    [Fact]
    public void ImportReplacesKeepsAbsoluteExpiryAndDropsWhatHasAlreadyExpired()
    {
        _store.Set("k"u8, "old"u8);
        var expiresAt = _store.Now + 1000;
        _store.Import("k"u8, "new"u8, expiresAt);
        Assert.True(_store.TryGet("k"u8, out var value));
        Assert.Equal("new", S(value.Span));
        Assert.Equal(expiresAt, value.ExpiresAt);

        _store.Import("k"u8, "late"u8, _store.Now - 1);
        Assert.False(_store.Exists("k"u8));
        Assert.Equal(0, _store.Count);

        _store.Import("p"u8, "forever"u8, 0);
        Assert.Equal(-1, _store.GetExpiresAt("p"u8));
    }

    [Fact]
    public void KeysAreCountedPerSlotInOnePass()
    {
        _store.Set("{a}"u8, "1"u8);
        _store.Set("{a}2"u8, "1"u8);
        _store.Set("{b}"u8, "1"u8);
        var counts = new int[HashSlot.SlotCount];
        counts[7] = 99;
        _store.CountKeysPerSlot(counts);
        Assert.Equal(3, counts.Sum());
        Assert.Equal(2, counts[HashSlot.Of("{a}"u8)]);
        Assert.Equal(1, counts[HashSlot.Of("{b}"u8)]);
    }

    [Fact]
    public void ASlotIsUnchangedSinceItsExportWhateverHappensToOtherSlotsOfItsShard()
    {
        var slot = HashSlot.Of("{p}"u8);
        var neighbour = NeighbourKey(B("{p}"));
        _store.Set("{p}a"u8, "1"u8);
        _store.Set("{p}b"u8, "2"u8, _store.Now + 60_000);
        _store.Set(neighbour, "3"u8);
        var exported = new List<SlotEntry>();
        _store.ExportSlot(slot, exported);

        Assert.True(_store.SlotUnchangedSince(slot, exported));
        // Reads, and writes to another slot of the same shard, leave this slot as it was exported.
        Assert.True(_store.TryGet("{p}a"u8, out _));
        _store.Set(neighbour, "4"u8);
        _store.SetExpiry(neighbour, _store.Now + 5_000, ExpireCondition.Always);
        _store.Delete(neighbour);
        Assert.True(_store.SlotUnchangedSince(slot, exported));
        var empty = new List<SlotEntry>();
        _store.ExportSlot(HashSlot.Of("{nothing}"u8), empty);
        Assert.True(_store.SlotUnchangedSince(HashSlot.Of("{nothing}"u8), empty));
    }

    [Theory]
    [InlineData("overwrite")]
    [InlineData("overwrite with the same value")]
    [InlineData("delete")]
    [InlineData("add")]
    [InlineData("expire")]
    [InlineData("persist")]
    [InlineData("increment")]
    [InlineData("expired meanwhile")]
    public void AnyChangeToTheKeysOfASlotMakesItChangedSinceItsExport(string change)
    {
        var slot = HashSlot.Of("{c}"u8);
        _store.Set("{c}a"u8, "1"u8);
        _store.Set("{c}b"u8, "2"u8, _store.Now + 60_000);
        _store.Set("{c}n"u8, "10"u8);
        var exported = new List<SlotEntry>();
        _store.ExportSlot(slot, exported);

        switch (change)
        {
            case "overwrite":
                _store.Set("{c}a"u8, "changed"u8);
                break;
            case "overwrite with the same value":
                _store.Set("{c}a"u8, "1"u8);
                break;
            case "delete":
                Assert.True(_store.Delete("{c}a"u8));
                break;
            case "add":
                _store.Set("{c}new"u8, "x"u8);
                break;
            case "expire":
                Assert.True(_store.SetExpiry("{c}a"u8, _store.Now + 5_000, ExpireCondition.Always));
                break;
            case "persist":
                Assert.True(_store.Persist("{c}b"u8));
                break;
            case "increment":
                Assert.Equal(IncrementResult.Ok, _store.IncrementBy("{c}n"u8, 1, out _));
                break;
            case "expired meanwhile":
                _time.Advance(TimeSpan.FromMinutes(2));
                break;
        }

        Assert.False(_store.SlotUnchangedSince(slot, exported));
    }

    [Fact]
    public void SlotsOfOneShardAreExportedComparedAndDeletedTogetherAsOneByOne()
    {
        // Three slots of one shard, one of another, and a slot of the first shard that is not asked for. Keys are
        // "{tag}#i", so each tag's keys share its slot.
        var neighbour = NeighbourKey(B("p"));
        var third = NeighbourKeyAvoiding(B("p"), neighbour);
        var outsider = NeighbourKeyAvoiding(B("p"), neighbour, third);
        string[] tags = ["p", S(neighbour), S(third), "elsewhere"];
        var slots = tags.Select(t => HashSlot.Of(B(t))).ToArray();
        Assert.Equal(_store.ShardIndexOfSlot(slots[0]), _store.ShardIndexOfSlot(slots[2]));
        Assert.NotEqual(_store.ShardIndexOfSlot(slots[0]), _store.ShardIndexOfSlot(slots[3]));
        for (var i = 0; i < 40; i++)
        {
            _store.Set(B($"{{{tags[i % tags.Length]}}}#{i}"), B($"v{i}"), i % 3 == 0 ? _store.Now + 60_000 : 0);
        }

        _store.Set(outsider, "stays"u8);

        var together = slots.Select(_ => new List<SlotEntry>()).ToArray();
        var bytes = new long[slots.Length];
        _store.ExportSlots(slots, together, bytes);
        for (var s = 0; s < slots.Length; s++)
        {
            var alone = new List<SlotEntry>();
            Assert.Equal(_store.ExportSlot(slots[s], alone), bytes[s]);
            Assert.Equal(10, together[s].Count);
            Assert.Equal(alone.Select(e => S(e.Key)), together[s].Select(e => S(e.Key)));
            Assert.Equal(alone.Select(e => e.Value.ExpiresAt), together[s].Select(e => e.Value.ExpiresAt));
        }

        var unchanged = new bool[slots.Length];
        _store.SlotsUnchangedSince(slots, together, unchanged);
        Assert.All(unchanged, Assert.True);

        // A change to one slot makes that one changed, not the others of its shard; so do a delete and an expiry.
        _store.Set(B($"{{{tags[1]}}}#new"), "x"u8);
        _store.Set(outsider, "changed"u8);
        _store.SlotsUnchangedSince(slots, together, unchanged);
        Assert.Equal([true, false, true, true], unchanged);
        Assert.True(_store.Delete(B("{p}#0")));
        _time.Advance(TimeSpan.FromMinutes(2));
        _store.SlotsUnchangedSince(slots, together, unchanged);
        Assert.Equal([false, false, false, false], unchanged);

        var live = slots.Sum(slot => _store.CountKeysInSlot(slot));
        Assert.Equal(6 + 8 + 7 + 6, live);
        Assert.Equal(live, _store.DeleteSlots(slots));
        Assert.All(slots, slot => Assert.Equal(0, _store.CountKeysInSlot(slot)));
        Assert.True(_store.TryGet(outsider, out _));
    }

    /// <summary>A key of <paramref name="sample"/>'s shard in a slot none of <paramref name="avoid"/> hashes to.</summary>
    private byte[] NeighbourKeyAvoiding(byte[] sample, params byte[][] avoid)
    {
        var taken = avoid.Select(k => HashSlot.Of(k)).Append(HashSlot.Of(sample)).ToHashSet();
        for (var i = 0; i < 100_000; i++)
        {
            var key = B($"m{i}");
            if (!taken.Contains(HashSlot.Of(key)) && _store.ShardOf(key) == _store.ShardOf(sample))
            {
                return key;
            }
        }

        throw new InvalidOperationException("no key shares the shard");
    }

    /// <summary>A key in another slot of the same shard as <paramref name="sample"/>'s (shards are picked by slot).</summary>
    private byte[] NeighbourKey(byte[] sample)
    {
        var slot = HashSlot.Of(sample);
        for (var i = 0; i < 100_000; i++)
        {
            var key = B($"n{i}");
            if (HashSlot.Of(key) != slot && _store.ShardOf(key) == _store.ShardOf(sample))
            {
                return key;
            }
        }

        throw new InvalidOperationException("no key shares the shard");
    }
}
