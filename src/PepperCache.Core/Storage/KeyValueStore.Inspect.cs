namespace PepperCache.Core.Storage;

// Questions about one key that do not read its value: TOUCH, TYPE, OBJECT, MEMORY USAGE.
public sealed partial class KeyValueStore
{
    /// <summary>Bytes a key costs in its shard's tables beyond its entry: one slot (hash, chain link, reference), one bucket and its hash slot.</summary>
    internal const int TableBytesPerKey = 16 + 4 + 2;

    /// <summary>TOUCH: marks the key used (for eviction) and returns whether it exists.</summary>
    public bool Touch(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            return FindLive(shard, key, (uint)hash) >= 0;
        }
    }

    /// <summary>TYPE: what the key holds, or null when it does not exist. Does not count as a use.</summary>
    public DataType? TypeOf(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLiveNoTouch(shard, key, (uint)hash, Now);
            return index < 0 ? null : Entry.GetDataType(shard[index]);
        }
    }

    /// <summary>OBJECT and MEMORY USAGE: the key's type, encoding, access bits and heap bytes. Does not count as a use.</summary>
    public bool TryDescribe(ReadOnlySpan<byte> key, out KeyDescription description)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLiveNoTouch(shard, key, (uint)hash, now);
            if (index < 0)
            {
                description = default;
                return false;
            }

            var entry = shard[index];
            var value = shard.ObjectAt(index);
            var access = Entry.GetAccess(entry);
            var encodingName = value is not null
                ? value.EncodingName
                : StringEncodings.Of(Entry.GetValue(entry), Entry.GetStringEncoding(entry));
            long? integer = null;
            if (value is null && encodingName.SequenceEqual("int"u8) && Protocol.RespParser.TryParseInt64(Entry.GetValue(entry), out var number))
            {
                integer = number;
            }

            description = new KeyDescription(
                Entry.GetDataType(entry),
                System.Text.Encoding.ASCII.GetString(encodingName),
                IdleMs: AccessBits.IdleMs(access, AccessNow),
                Frequency: (int)AccessBits.DecayedCounter(access, AccessNow, Memory.LfuDecayTime),
                Bytes: Entry.HeapSize(entry) + TableBytesPerKey + (value?.HeapSize ?? 0),
                Integer: integer);
            return true;
        }
    }
}

/// <summary>What OBJECT and MEMORY USAGE report about a key.</summary>
/// <param name="IdleMs">Time since last use, from the LRU clock (meaningful under a non-LFU policy).</param>
/// <param name="Frequency">The decayed LFU counter (meaningful under an LFU policy).</param>
/// <param name="Bytes">Heap bytes of the entry, its share of the table and its collection.</param>
/// <param name="Integer">The value of an <c>int</c>-encoded string (OBJECT REFCOUNT tells Redis's shared integers by it); null otherwise.</param>
public readonly record struct KeyDescription(DataType Type, string Encoding, long IdleMs, int Frequency, long Bytes, long? Integer = null);
