namespace PepperCache.Core.Storage;

// Keys holding a collection (a StoreObject beside the entry) rather than string bytes.
public sealed partial class KeyValueStore
{
    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/>, replacing whatever the key held (its expiry
    /// becomes <paramref name="expiresAt"/>, Unix ms, 0 for none). The way in for keys of other types until their
    /// commands exist; tests use it to put a collection in the keyspace.
    /// </summary>
    internal void SetObject(ReadOnlySpan<byte> key, StoreObject value, long expiresAt = Entry.NoExpiry)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hash = Hash(key);
        var shard = ShardFor(key);
        var entry = Entry.CreateForObject(key, value.Type, expiresAt);
        lock (shard.Lock)
        {
            var index = Put(shard, shard.IndexOf(key, (uint)hash), entry, (uint)hash, Now);
            shard.SetObject(index, value);
        }
    }
}
