using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// The one runner for commands over several keys (SMOVE, SINTER, SUNIONSTORE, LMOVE, ZUNIONSTORE, ZRANGESTORE...):
// every involved shard lock taken once, in ascending shard order, as the string multi-key operations do (so two
// commands over keys in different shards cannot deadlock), for the whole command; the operation reaches the keys
// through LockedKeys, which refuses a key whose shard it does not hold. The shard set is a bitmask on the stack.
public sealed partial class KeyValueStore
{
    /// <summary>
    /// Runs <paramref name="operation"/> holding the shard locks of arguments <paramref name="first"/> to
    /// <paramref name="end"/> (exclusive) of <paramref name="request"/> and of argument <paramref name="also"/>
    /// (negative for none; a destination before a <c>numkeys</c>), so it reads and writes all its keys as one atomic
    /// step to every other command.
    /// </summary>
    public void ExecuteOnKeys<TOperation>(RespRequest request, int first, int end, int also, ref TOperation operation)
        where TOperation : struct, IKeysOperation
    {
        ArgumentNullException.ThrowIfNull(request);
        var words = (_shards.Length + 63) >> 6;
        Span<ulong> involved = words <= StackShardWords ? stackalloc ulong[StackShardWords] : new ulong[words];
        involved = involved[..words];
        MarkShards(request, first, end, 1, involved);
        if (also >= 0)
        {
            var shardIndex = ShardIndex(request[also]);
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

    internal bool TryReadLocked(ReadOnlySpan<byte> key, long now, out DataType type, out StoreObject? value)
    {
        var shard = LockedShardFor(key);
        var index = FindLive(shard, key, (uint)Hash(key), now);
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

    internal StoreObject? FindLocked(ReadOnlySpan<byte> key, DataType type, long now)
    {
        var shard = LockedShardFor(key);
        var index = FindLive(shard, key, (uint)Hash(key), now);
        if (index < 0)
        {
            return null;
        }

        if (Entry.GetDataType(shard[index]) != type)
        {
            WrongTypeException.Throw();
        }

        return shard.ObjectAt(index);
    }

    internal void ChangedLocked(ReadOnlySpan<byte> key, long heapBefore)
    {
        var shard = LockedShardFor(key);
        var index = shard.IndexOf(key, (uint)Hash(key));
        if (index < 0 || shard.ObjectAt(index) is not { } value)
        {
            throw new InvalidOperationException("Changed names a key that holds no collection.");
        }

        shard.AdjustBytes(value.HeapSize - heapBefore);
        if (value.Count == 0)
        {
            shard.RemoveAt(index);
        }
    }

    internal bool StoreLocked(ReadOnlySpan<byte> key, StoreObject? value, long now)
    {
        var shard = LockedShardFor(key);
        var hash = (uint)Hash(key);
        var index = FindLive(shard, key, hash, now);
        var existed = index >= 0;
        if (value is null || value.Count == 0)
        {
            if (existed)
            {
                shard.RemoveAt(index);
            }

            return existed;
        }

        index = Put(shard, index, Entry.CreateForObject(key, value.Type, Entry.NoExpiry), hash);
        shard.SetObject(index, value);
        return existed;
    }

    /// <summary>The key's shard, which the caller must hold: an operation may reach only the keys it locked.</summary>
    private StoreShard LockedShardFor(ReadOnlySpan<byte> key)
    {
        var shard = ShardFor(key);
        if (!shard.Lock.IsHeldByCurrentThread)
        {
            throw new InvalidOperationException("The key is not among those the operation locked.");
        }

        return shard;
    }
}

/// <summary>
/// One command's work on several keys (SMOVE, SINTER, LMOVE, ZUNIONSTORE...), run by
/// <see cref="KeyValueStore.ExecuteOnKeys{TOperation}"/> with every involved shard locked, so it is one atomic step.
/// A struct, like <see cref="IObjectOperation"/>; it may write its reply from inside.
/// </summary>
public interface IKeysOperation
{
    /// <summary>Works on the keys through <paramref name="keys"/>, which reaches only the keys the call locked.</summary>
    void Apply(LockedKeys keys);
}
