using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Collection commands over several keys (SINTER, SMOVE, SUNIONSTORE...): every involved shard locked in ascending
// order (as MSET does, so no deadlock), the operation run through an ObjectLookup that reaches only those keys.
public sealed partial class KeyValueStore
{
    /// <summary>
    /// Runs <paramref name="operation"/> on the keys that are arguments <paramref name="first"/> to
    /// <paramref name="end"/> (exclusive) of <paramref name="request"/>, holding all their shard locks: one atomic step
    /// to every other command.
    /// </summary>
    public void ExecuteMany<TOperation>(RespRequest request, int first, int end, ref TOperation operation)
        where TOperation : struct, IMultiObjectOperation
    {
        ArgumentNullException.ThrowIfNull(request);
        var words = (_shards.Length + 63) >> 6;
        Span<ulong> involved = words <= StackShardWords ? stackalloc ulong[StackShardWords] : new ulong[words];
        involved = involved[..words];
        MarkShards(request, first, end, 1, involved);
        EnterShards(involved);
        try
        {
            operation.Apply(new ObjectLookup(this, Now));
        }
        finally
        {
            ExitShards(involved);
        }
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

        index = Put(shard, index, Entry.CreateForObject(key, value.Type, Entry.NoExpiry), hash, now);
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
