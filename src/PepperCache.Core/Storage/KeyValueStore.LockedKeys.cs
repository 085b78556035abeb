using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Commands that read collections at several keys and may store a result at another (ZUNIONSTORE, ZRANGESTORE...):
// every involved shard lock taken in ascending order, as the string multi-key operations do, for the whole command.
public sealed partial class KeyValueStore
{
    /// <summary>
    /// Runs <paramref name="operation"/> holding the shard locks of arguments <paramref name="first"/> to
    /// <paramref name="end"/> (exclusive) of <paramref name="request"/> and of argument <paramref name="destination"/>
    /// (negative for none), so it reads its sources and writes its result as one atomic step.
    /// </summary>
    public void ExecuteOnKeys<TOperation>(RespRequest request, int first, int end, int destination, ref TOperation operation)
        where TOperation : struct, IKeysOperation
    {
        ArgumentNullException.ThrowIfNull(request);
        var words = (_shards.Length + 63) >> 6;
        Span<ulong> involved = words <= StackShardWords ? stackalloc ulong[StackShardWords] : new ulong[words];
        involved = involved[..words];
        MarkShards(request, first, end, 1, involved);
        if (destination >= 0)
        {
            var shardIndex = ShardIndex(request[destination]);
            involved[shardIndex >> 6] |= 1UL << (shardIndex & 63);
        }

        EnterShards(involved);
        try
        {
            operation.Apply(new LockedKeys(this, Now));
        }
        finally
        {
            ExitShards(involved);
        }
    }

    /// <summary>The keys an <see cref="IKeysOperation"/> may use: only those whose shard locks are held.</summary>
    public readonly struct LockedKeys
    {
        private readonly KeyValueStore _store;
        private readonly long _now;

        internal LockedKeys(KeyValueStore store, long now)
        {
            _store = store;
            _now = now;
        }

        /// <summary>
        /// The value at <paramref name="key"/> (a use of the key, with lazy expiry): false when missing; a string has a
        /// null <paramref name="value"/>. The object must not be changed (use <see cref="Store"/> for a result).
        /// </summary>
        public bool TryRead(ReadOnlySpan<byte> key, out DataType type, out StoreObject? value)
        {
            var shard = _store.ShardFor(key);
            var index = _store.FindLive(shard, key, (uint)_store.Hash(key), _now);
            if (index < 0)
            {
                type = default;
                value = null;
                return false;
            }

            type = Entry.GetDataType(shard[index]);
            value = shard.ObjectAt(index);
            return true;
        }

        /// <summary>
        /// Replaces whatever <paramref name="key"/> held (any type, any expiry) with <paramref name="value"/>, with no
        /// expiry; null or an empty collection deletes the key. Returns whether the key existed.
        /// </summary>
        public bool Store(ReadOnlySpan<byte> key, StoreObject? value)
        {
            var hash = (uint)_store.Hash(key);
            var shard = _store.ShardFor(key);
            var index = FindLiveNoTouch(shard, key, hash, _now);
            var existed = index >= 0;
            if (value is null || value.Count == 0)
            {
                if (existed)
                {
                    shard.RemoveAt(index);
                }

                return existed;
            }

            index = _store.Put(shard, index, Entry.CreateForObject(key, value.Type, Entry.NoExpiry), hash, _now);
            shard.SetObject(index, value);
            return existed;
        }
    }
}

/// <summary>A command's work on several keys, run by <see cref="KeyValueStore.ExecuteOnKeys{TOperation}"/> under their locks.</summary>
public interface IKeysOperation
{
    void Apply(KeyValueStore.LockedKeys keys);
}
