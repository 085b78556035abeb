using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>Keys holding collections through the store: Execute, snapshots, slot export and import.</summary>
public class KeyValueStoreObjectsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
    private readonly KeyValueStore _store;

    public KeyValueStoreObjectsTests() => _store = new KeyValueStore(_time);

    [Fact]
    public void ExecuteCreatesDeletesWhenEmptyAndCountsMemory()
    {
        var empty = _store.UsedMemoryExact;
        Set("h", "f", "v");
        Assert.Equal(DataType.Hash, _store.TypeOf("h"u8));
        Assert.True(_store.TryDescribe("h"u8, out var description));
        Assert.Equal("listpack", description.Encoding);
        var withHash = _store.UsedMemoryExact;
        Assert.True(withHash > empty);

        Set("h", "g", new string('x', 1000));
        Assert.True(_store.UsedMemoryExact >= withHash + 1000);
        Assert.True(_store.TryDescribe("h"u8, out description));
        Assert.Equal("hashtable", description.Encoding);

        Remove("h", "f");
        Remove("h", "g");
        Assert.Null(_store.TypeOf("h"u8));
        // The shard's object column stays allocated once used; everything else is given back.
        Assert.True(_store.UsedMemoryExact - empty <= Entry.ArraySize(16, IntPtr.Size));
    }

    [Fact]
    public void ExecuteOnAStringIsWrongTypeAndAStringCommandOnAHashToo()
    {
        _store.Set("s"u8, "v"u8);
        Assert.Throws<WrongTypeException>(() => Set("s", "f", "v"));
        Set("h", "f", "v");
        Assert.Throws<WrongTypeException>(() => _store.TryGet("h"u8, out _));
        Assert.Throws<WrongTypeException>(() => _store.Append("h"u8, "x"u8));
    }

    [Fact]
    public void ExecuteTreatsAnExpiredHashAsMissing()
    {
        Set("h", "f", "v");
        _store.SetExpiry("h"u8, _store.Now + 10, ExpireCondition.Always);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        var read = new Read("f");
        _store.Execute("h"u8, DataType.Hash, ref read);
        Assert.False(read.Found);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void ASnapshotHoldsACopyOfEachCollection()
    {
        Set("h", "a", "1");
        _store.Set("s"u8, "v"u8);
        var entries = new List<StoredEntry>();
        _store.Snapshot(entries);
        Set("h", "b", "2");
        var hash = entries.Single(e => S(e.Key) == "h");
        Assert.Equal(DataType.Hash, hash.Type);
        Assert.Equal(1, hash.Object!.Count);
        Assert.Null(entries.Single(e => S(e.Key) == "s").Object);
    }

    [Fact]
    public void AnExportedHashTravelsAsACopyAndAnyChangeCountsAsAChange()
    {
        Set("{t}h", "a", "1");
        _store.SetExpiry("{t}h"u8, _store.Now + 60_000, ExpireCondition.Always);
        var slot = HashSlot.Of("{t}h"u8);
        var exported = new List<SlotEntry>();
        _store.ExportSlot(slot, exported);
        var entry = Assert.Single(exported);
        Assert.Equal(_store.Now + 60_000, entry.Value.ExpiresAt);
        Assert.Equal(1, entry.Object!.Count);
        Assert.True(_store.SlotUnchangedSince(slot, exported));

        Set("{t}h", "b", "2");
        Assert.Equal(1, entry.Object.Count);
        Assert.False(_store.SlotUnchangedSince(slot, exported));

        exported.Clear();
        _store.ExportSlot(slot, exported);
        Assert.True(_store.SlotUnchangedSince(slot, exported));
        Remove("{t}h", "b");
        Assert.False(_store.SlotUnchangedSince(slot, exported));

        var target = new KeyValueStore(_time);
        var copy = exported[0];
        target.Import(copy.Key, copy.Object!, copy.Value.ExpiresAt);
        Assert.Equal(DataType.Hash, target.TypeOf("{t}h"u8));
        Assert.Equal(_store.Now + 60_000, target.GetExpiresAt("{t}h"u8));
        target.Import("{t}gone"u8, copy.Object!, _store.Now - 1);
        Assert.Null(target.TypeOf("{t}gone"u8));
    }

    private void Set(string key, string field, string value)
    {
        var op = new SetField(field, value, _store.Encodings);
        _store.Execute(B(key), DataType.Hash, ref op);
    }

    private void Remove(string key, string field)
    {
        var op = new RemoveField(field);
        _store.Execute(B(key), DataType.Hash, ref op);
    }

    private struct SetField(string field, string value, EncodingSettings settings) : IObjectOperation
    {
        public readonly StoreObject? CreateIfMissing() => new HashObject();

        public readonly void Apply(StoreObject? value1) => ((HashObject)value1!).Set(B(field), B(value), settings);
    }

    private struct RemoveField(string field) : IObjectOperation
    {
        public readonly StoreObject? CreateIfMissing() => null;

        public readonly void Apply(StoreObject? value) => (value as HashObject)?.Remove(B(field));
    }

    private struct Read(string field) : IObjectOperation
    {
        public bool Found { get; private set; }

        public readonly StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value) => Found = value is HashObject hash && hash.ContainsField(B(field));
    }
}
