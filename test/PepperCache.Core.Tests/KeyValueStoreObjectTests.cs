using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// Keys holding a collection (a test <see cref="StoreObject"/>): their type, the WRONGTYPE guard on every string
/// operation, and their heap bytes through overwrite, delete, rename, expiry and eviction. One shard, so every change
/// of <see cref="KeyValueStore.UsedMemoryExact"/> can be predicted to the byte.
/// </summary>
public sealed class KeyValueStoreObjectTests
{
    private const long ObjectBytes = 10_000;

    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    // One shard's empty tables (buckets, slots, their hash slots, and its keys per slot: all 16384 slots when it is the only shard), and
    // the reference array the shard adds beside its slots for its first object.
    private readonly long _empty = ArrayBytes(16, 4) + ArrayBytes(16, 16) + ArrayBytes(16, 2) + ArrayBytes(16384, 4);
    private readonly long _objectColumn = ArrayBytes(16, 8);

    public KeyValueStoreObjectTests() => _store = new KeyValueStore(_time, shardCount: 1);

    [Fact]
    public void DataTypeNumbersAreRedisTypeCodes()
    {
        // Frozen: stored in every entry, and on their way to AOF rewrites and migration payloads.
        Assert.Equal(0, (byte)DataType.String);
        Assert.Equal(1, (byte)DataType.List);
        Assert.Equal(2, (byte)DataType.Set);
        Assert.Equal(3, (byte)DataType.SortedSet);
        Assert.Equal(4, (byte)DataType.Hash);
        Assert.Equal(6, (byte)DataType.Stream);
        Assert.Equal(6, Enum.GetValues<DataType>().Length);
    }

    [Theory]
    [InlineData(DataType.String, "string")]
    [InlineData(DataType.List, "list")]
    [InlineData(DataType.Set, "set")]
    [InlineData(DataType.SortedSet, "zset")]
    [InlineData(DataType.Hash, "hash")]
    [InlineData(DataType.Stream, "stream")]
    public void TypeNamesAreRedisNamesAndParseInAnyCase(DataType type, string name)
    {
        Assert.Equal(name, S(DataTypeNames.Of(type)));
        Assert.True(DataTypeNames.TryParse(B(name.ToUpperInvariant()), out var parsed));
        Assert.Equal(type, parsed);
        Assert.False(DataTypeNames.TryParse(B(name + "s"), out _));
    }

    [Theory]
    [InlineData(DataType.List)]
    [InlineData(DataType.Set)]
    [InlineData(DataType.SortedSet)]
    [InlineData(DataType.Hash)]
    [InlineData(DataType.Stream)]
    public void TypeOfReportsTheObjectsType(DataType type)
    {
        _store.SetObject("obj"u8, new TestObject(type, ObjectBytes));
        Assert.Equal(type, _store.TypeOf("obj"u8));
        Assert.True(_store.TryDescribe("obj"u8, out var description));
        Assert.Equal(type, description.Type);
        Assert.Equal("listpack", description.Encoding);
        Assert.True(_store.Exists("obj"u8));
        Assert.Equal(1, _store.Count);

        var listed = new List<byte[]>();
        _store.Scan(0, ""u8, 100, listed, type);
        Assert.Equal("obj", S(Assert.Single(listed)));
        listed.Clear();
        _store.Scan(0, ""u8, 100, listed, DataType.String);
        Assert.Empty(listed);
    }

    [Fact]
    public void StringOperationsOnAnObjectThrowWrongTypeAndChangeNothing()
    {
        var expiresAt = _store.Now + 60_000;
        _store.SetObject("obj"u8, new TestObject(DataType.List, ObjectBytes), expiresAt);
        var used = _store.UsedMemoryExact;

        var operations = new (string Name, Action Run)[]
        {
            ("GET", () => _store.TryGet("obj"u8, out _)),
            ("APPEND", () => _store.Append("obj"u8, "x"u8)),
            ("APPEND empty", () => _store.Append("obj"u8, ""u8)),
            ("INCRBY", () => _store.IncrementBy("obj"u8, 1, out _)),
            ("INCRBYFLOAT", () => _store.IncrementByFloat("obj"u8, "1.5"u8, out _)),
            ("GETSET", () => _store.Set("obj"u8, "v"u8, 0, SetCondition.Always, keepTtl: false, out _, previousMustBeString: true)),
            ("SET NX GET", () => _store.Set("obj"u8, "v"u8, 0, SetCondition.IfNotExists, keepTtl: false, out _, previousMustBeString: true)),
            ("SETRANGE", () => _store.SetRange("obj"u8, 0, "x"u8)),
            ("STRLEN", () => _store.StringLength("obj"u8)),
            ("GETDEL", () => _store.TryGetDelete("obj"u8, out _)),
            ("GETEX", () => _store.TryGetAndExpire("obj"u8, 0, persist: true, out _)),
        };

        foreach (var (name, run) in operations)
        {
            var thrown = Record.Exception(run);
            Assert.True(thrown is WrongTypeException, $"{name} should throw WrongTypeException, threw {thrown?.GetType().Name ?? "nothing"}");
            Assert.Equal(WrongTypeException.Text, thrown!.Message);
            Assert.Equal(DataType.List, _store.TypeOf("obj"u8));
            Assert.Equal(expiresAt, _store.GetExpiresAt("obj"u8));
            Assert.Equal(used, _store.UsedMemoryExact);
            Assert.Equal(1, _store.Count);
        }

        // MGET answers nil for a key of another type, as Redis does.
        var values = new StoreValue[1];
        Assert.Equal(0, _store.GetMany(Request("MGET", "obj"), 1, values));
        Assert.False(values[0].HasValue);
    }

    [Fact]
    public void StoringAnObjectCountsItsEntryAndItsBytes()
    {
        _store.SetObject("obj"u8, new TestObject(DataType.Hash, ObjectBytes));
        var entry = ArrayBytes(16 + 3, 1);
        Assert.Equal(_empty + _objectColumn + entry + ObjectBytes, _store.UsedMemoryExact);
        Assert.True(_store.TryDescribe("obj"u8, out var description));
        Assert.Equal(entry + KeyValueStore.TableBytesPerKey + ObjectBytes, description.Bytes);

        // Another object in its place: the old one's bytes go, the new one's come.
        _store.SetObject("obj"u8, new TestObject(DataType.Set, 3 * ObjectBytes));
        Assert.Equal(_empty + _objectColumn + entry + (3 * ObjectBytes), _store.UsedMemoryExact);
        Assert.Equal(DataType.Set, _store.TypeOf("obj"u8));
    }

    [Fact]
    public void SetOverwritesAnObjectAndFreesItsBytes()
    {
        _store.SetObject("obj"u8, new TestObject(DataType.List, ObjectBytes), _store.Now + 60_000);
        _store.Set("obj"u8, "value"u8);

        Assert.Equal(DataType.String, _store.TypeOf("obj"u8));
        Assert.True(_store.TryGet("obj"u8, out var value));
        Assert.Equal("value", S(value.Span));
        Assert.Equal(-1, _store.GetExpiresAt("obj"u8));
        Assert.Equal(0, _store.VolatileCount);
        Assert.Equal(_empty + _objectColumn + ArrayBytes(16 + 3 + 5, 1), _store.UsedMemoryExact);

        // SET with its options overwrites too (without GET, a key of any type).
        _store.SetObject("obj"u8, new TestObject(DataType.List, ObjectBytes));
        Assert.True(_store.Set("obj"u8, "v"u8, 0, SetCondition.IfExists, keepTtl: false, out _));
        Assert.Equal(DataType.String, _store.TypeOf("obj"u8));
        Assert.Equal(_empty + _objectColumn + ArrayBytes(16 + 3 + 1, 1), _store.UsedMemoryExact);

        // MSET as well.
        _store.SetObject("obj"u8, new TestObject(DataType.List, ObjectBytes));
        _store.SetMany(Request("MSET", "obj", "v"), 1, onlyIfNoneExist: false);
        Assert.Equal(DataType.String, _store.TypeOf("obj"u8));
        Assert.Equal(_empty + _objectColumn + ArrayBytes(16 + 3 + 1, 1), _store.UsedMemoryExact);
    }

    [Fact]
    public void DeleteFreesTheObjectsBytes()
    {
        _store.SetObject("obj"u8, new TestObject(DataType.List, ObjectBytes));
        Assert.True(_store.Delete("obj"u8));
        Assert.Null(_store.TypeOf("obj"u8));
        Assert.Equal(_empty + _objectColumn, _store.UsedMemoryExact);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void AnExpiredObjectIsReclaimedWithItsBytes()
    {
        _store.SetObject("obj"u8, new TestObject(DataType.Hash, ObjectBytes), _store.Now + 1000);
        Assert.Equal(1, _store.VolatileCount);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_store.TypeOf("obj"u8));
        Assert.Equal(_empty + _objectColumn, _store.UsedMemoryExact);
        Assert.Equal(1, _store.ExpiredKeys);
    }

    [Fact]
    public void RenameCarriesTheObjectWithItsBytesAndExpiry()
    {
        var expiresAt = _store.Now + 60_000;
        _store.SetObject("obj"u8, new TestObject(DataType.SortedSet, ObjectBytes), expiresAt);
        var used = _store.UsedMemoryExact;

        Assert.Equal(RenameResult.Renamed, _store.Rename("obj"u8, "ob2"u8, onlyIfTargetMissing: false));
        Assert.Null(_store.TypeOf("obj"u8));
        Assert.Equal(DataType.SortedSet, _store.TypeOf("ob2"u8));
        Assert.Equal(expiresAt, _store.GetExpiresAt("ob2"u8));
        Assert.Equal(used, _store.UsedMemoryExact);

        Assert.True(_store.Delete("ob2"u8));
        Assert.Equal(_empty + _objectColumn, _store.UsedMemoryExact);
    }

    [Fact]
    public void RenameOntoAKeyFreesWhatTheTargetHeld()
    {
        _store.SetObject("obj"u8, new TestObject(DataType.List, ObjectBytes));
        _store.SetObject("target"u8, new TestObject(DataType.Hash, 5 * ObjectBytes));
        Assert.Equal(RenameResult.Renamed, _store.Rename("obj"u8, "target"u8, onlyIfTargetMissing: false));
        Assert.Equal(DataType.List, _store.TypeOf("target"u8));
        Assert.Equal(_empty + _objectColumn + ArrayBytes(16 + 6, 1) + ObjectBytes, _store.UsedMemoryExact);

        // A string renamed onto an object key: the object goes.
        _store.Set("s"u8, "v"u8);
        Assert.Equal(RenameResult.Renamed, _store.Rename("s"u8, "target"u8, onlyIfTargetMissing: false));
        Assert.Equal(DataType.String, _store.TypeOf("target"u8));
        Assert.Equal(_empty + _objectColumn + ArrayBytes(16 + 6 + 1, 1), _store.UsedMemoryExact);

        // RENAMENX onto an object key changes nothing.
        _store.SetObject("obj"u8, new TestObject(DataType.List, ObjectBytes));
        _store.SetObject("other"u8, new TestObject(DataType.Set, ObjectBytes));
        var used = _store.UsedMemoryExact;
        Assert.Equal(RenameResult.TargetExists, _store.Rename("obj"u8, "other"u8, onlyIfTargetMissing: true));
        Assert.Equal(used, _store.UsedMemoryExact);
        Assert.Equal(DataType.Set, _store.TypeOf("other"u8));
    }

    [Fact]
    public void RenameAcrossShardsMovesTheObjectsBytes()
    {
        var store = new KeyValueStore(_time);
        var (source, target) = KeysInDifferentShards(store);
        store.SetObject(source, new TestObject(DataType.List, ObjectBytes));
        Assert.Equal(RenameResult.Renamed, store.Rename(source, target, onlyIfTargetMissing: false));
        Assert.True(store.TryDescribe(target, out var description));
        Assert.Equal(ArrayBytes(16 + target.Length, 1) + KeyValueStore.TableBytesPerKey + ObjectBytes, description.Bytes);

        // Deleting the renamed key gives back its entry and its object, and nothing is left counted in the source shard.
        var before = store.UsedMemoryExact;
        Assert.True(store.Delete(target));
        Assert.Equal(before - ArrayBytes(16 + target.Length, 1) - ObjectBytes, store.UsedMemoryExact);
        Assert.Equal(store.EmptyMemory + (2 * _objectColumn), store.UsedMemoryExact);
    }

    [Theory]
    [InlineData(EvictionPolicy.AllKeysLru)]
    [InlineData(EvictionPolicy.AllKeysLfu)]
    [InlineData(EvictionPolicy.AllKeysRandom)]
    [InlineData(EvictionPolicy.VolatileLru)]
    [InlineData(EvictionPolicy.VolatileTtl)]
    public void EvictionCanEvictAnObject(EvictionPolicy policy)
    {
        _store.SetObject("obj"u8, new TestObject(DataType.Hash, ObjectBytes), _store.Now + 60_000);
        _store.Memory.Policy = policy;
        _store.Memory.MaxMemory = _empty + _objectColumn + 100;

        var evicted = new List<string>();
        Assert.Equal(EvictionOutcome.Ok, _store.Evict(64, new Listener(evicted)));

        Assert.Equal(["obj"], evicted);
        Assert.Null(_store.TypeOf("obj"u8));
        Assert.Equal(_empty + _objectColumn, _store.UsedMemoryExact);
        Assert.Equal(1, _store.EvictedKeys);
    }

    private static (byte[] Source, byte[] Target) KeysInDifferentShards(KeyValueStore store)
    {
        var source = B("obj:0");
        for (var i = 1; i < 1000; i++)
        {
            var target = B($"obj:{i}");
            if (store.ShardOf(target) != store.ShardOf(source))
            {
                return (source, target);
            }
        }

        throw new InvalidOperationException("no key in another shard among 1,000");
    }

    private static long ArrayBytes(long length, int elementSize) => (24 + (length * elementSize) + 7) / 8 * 8;

    private sealed class Listener(List<string> keys) : IEvictionListener
    {
        public void OnEvicted(ReadOnlySpan<byte> key) => keys.Add(S(key));
    }
}
