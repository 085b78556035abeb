namespace PepperCache.Core.Storage;

// Two collections changed as one step: LMOVE's source and destination (and the commands built on it).
public sealed partial class KeyValueStore
{
    /// <summary>
    /// Runs <paramref name="operation"/> on the collections at <paramref name="source"/> and
    /// <paramref name="destination"/>, both of <paramref name="type"/>, under both shard locks (taken in ascending
    /// shard order, as every multi-shard operation here). Redis's order of checks: a missing source is handed over as
    /// null and the destination is not looked at; a source of another type is WRONGTYPE; then a destination of another
    /// type is WRONGTYPE, before anything changes; a missing destination is created by the operation. The same key
    /// twice is one collection passed as both. A source left empty is deleted, and both are accounted for.
    /// </summary>
    public void ExecutePair<TOperation>(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, DataType type, ref TOperation operation)
        where TOperation : struct, IPairOperation
    {
        var sourceHash = (uint)Hash(source);
        var destinationHash = (uint)Hash(destination);
        var sourceIndex = ShardIndex(source);
        var destinationIndex = ShardIndex(destination);
        var sourceShard = _shards[sourceIndex];
        var destinationShard = _shards[destinationIndex];
        var firstLock = sourceIndex <= destinationIndex ? sourceShard.Lock : destinationShard.Lock;
        var secondLock = sourceIndex <= destinationIndex ? destinationShard.Lock : sourceShard.Lock;
        firstLock.Enter();
        if (sourceIndex != destinationIndex)
        {
            secondLock.Enter();
        }

        try
        {
            var now = Now;
            var sourceSlot = FindLive(sourceShard, source, sourceHash, now);
            if (sourceSlot < 0)
            {
                operation.Apply(null, null);
                return;
            }

            if (Entry.GetDataType(sourceShard[sourceSlot]) != type)
            {
                WrongTypeException.Throw();
            }

            var from = sourceShard.ObjectAt(sourceSlot)!;
            if (source.SequenceEqual(destination))
            {
                ApplyAndAccount(sourceShard, sourceSlot, from, ref operation);
                return;
            }

            var destinationSlot = FindLive(destinationShard, destination, destinationHash, now);
            StoreObject to;
            if (destinationSlot >= 0)
            {
                if (Entry.GetDataType(destinationShard[destinationSlot]) != type)
                {
                    WrongTypeException.Throw();
                }

                to = destinationShard.ObjectAt(destinationSlot)!;
            }
            else
            {
                to = operation.CreateDestination();
                destinationSlot = Put(destinationShard, -1, Entry.CreateForObject(destination, type, Entry.NoExpiry), destinationHash, now);
                destinationShard.SetObject(destinationSlot, to);
            }

            var sourceBefore = from.HeapSize;
            var destinationBefore = to.HeapSize;
            try
            {
                operation.Apply(from, to);
            }
            finally
            {
                // Slots are stable, so removing one leaves the other's index valid when both share a shard.
                sourceShard.AdjustBytes(from.HeapSize - sourceBefore);
                destinationShard.AdjustBytes(to.HeapSize - destinationBefore);
                if (from.Count == 0)
                {
                    sourceShard.RemoveAt(sourceSlot);
                }

                if (to.Count == 0)
                {
                    destinationShard.RemoveAt(destinationSlot);
                }
            }
        }
        finally
        {
            if (sourceIndex != destinationIndex)
            {
                secondLock.Exit();
            }

            firstLock.Exit();
        }
    }

    private static void ApplyAndAccount<TOperation>(StoreShard shard, int slot, StoreObject value, ref TOperation operation)
        where TOperation : struct, IPairOperation
    {
        var before = value.HeapSize;
        try
        {
            operation.Apply(value, value);
        }
        finally
        {
            shard.AdjustBytes(value.HeapSize - before);
            if (value.Count == 0)
            {
                shard.RemoveAt(slot);
            }
        }
    }
}
