using PepperCache.Core.Types;

namespace PepperCache.Core.Storage;

// Keys that hold collections: the one entry point every collection command goes through.
public sealed partial class KeyValueStore
{
    /// <summary>When collections leave their compact encodings (CONFIG SET changes them live).</summary>
    public EncodingSettings Encodings { get; } = new();

    /// <summary>
    /// Runs <paramref name="operation"/> on the collection at <paramref name="key"/>, which must be of
    /// <paramref name="type"/>, as one atomic step: lookup with lazy expiry and the access mark, the type check
    /// (WRONGTYPE before anything changes), creation when the operation asks for it, deletion of a collection left
    /// empty, and the memory accounting of whatever the operation changed.
    /// </summary>
    public void Execute<TOperation>(ReadOnlySpan<byte> key, DataType type, ref TOperation operation)
        where TOperation : struct, IObjectOperation
    {
        var hash = (uint)Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, hash, now);
            StoreObject? value = null;
            if (index >= 0)
            {
                if (Entry.GetDataType(shard[index]) != type)
                {
                    WrongTypeException.Throw();
                }

                value = shard.ObjectAt(index);
            }
            else if (operation.CreateIfMissing() is { } created)
            {
                index = Put(shard, -1, Entry.CreateForObject(key, type, Entry.NoExpiry), hash);
                shard.SetObject(index, created);
                value = created;
            }

            var before = value?.HeapSize ?? 0;
            try
            {
                operation.Apply(value);
            }
            finally
            {
                if (value is not null)
                {
                    // First the change, then (for an emptied collection) the removal, which takes off what it holds now.
                    shard.AdjustBytes(value.HeapSize - before);
                    if (value.Count == 0)
                    {
                        shard.RemoveAt(index);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="value"/> at <paramref name="key"/>, replacing whatever the key held (COPY, RESTORE,
    /// slot imports, tests). An empty collection deletes the key instead.
    /// </summary>
    public void SetObject(ReadOnlySpan<byte> key, StoreObject value, long expiresAt = Entry.NoExpiry)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hash = (uint)Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = shard.IndexOf(key, hash);
            if (value.Count == 0)
            {
                if (index >= 0)
                {
                    shard.RemoveAt(index);
                }

                return;
            }

            index = Put(shard, index, Entry.CreateForObject(key, value.Type, expiresAt), hash);
            shard.SetObject(index, value);
        }
    }
}
