using System.Buffers;
using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

// Read-modify-write of string values (bitmaps and HyperLogLogs change a value that stays a string) and COPY. As Redis,
// a bitmap or HLL is changed in place when it can be: a spacious entry no reader holds (Entry's invariant). Otherwise
// the value is copied once into a new spacious entry, so readers that hold the old entry keep reading the old value.
public sealed partial class KeyValueStore
{
    /// <summary><see cref="IStringsOperation.Prepare"/>'s answer to delete the destination key.</summary>
    public const long DeleteDestination = -1;

    /// <summary><see cref="IStringsOperation.Prepare"/>'s answer to leave every key as it is.</summary>
    public const long KeepDestination = -2;

    /// <summary>
    /// Runs <paramref name="operation"/> on the string at <paramref name="key"/> under its shard lock: WRONGTYPE for a
    /// key of another type, before anything changes. The value is changed in place when its entry is spacious, has the
    /// room and no reader holds it; otherwise it is copied once into a new spacious entry (with room to grow when it
    /// grows). A changed value keeps the key's expiry and is encoded <c>raw</c>, as
    /// Redis's SETBIT and PFADD leave it; with <paramref name="unshare"/> an existing value left as it is becomes
    /// <c>raw</c> too, as Redis's dbUnshareStringValue makes it, unless the operation answered -2 (an error found
    /// before Redis would unshare).
    /// </summary>
    public StringUpdateResult UpdateString<TOperation>(ReadOnlySpan<byte> key, bool unshare, ref TOperation operation)
        where TOperation : struct, IStringUpdate
    {
        var hash = (uint)Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, hash, now);
            var old = index >= 0 ? StringAt(shard, index) : null;
            var current = old is null ? default : Entry.GetValue(old);
            var length = operation.Prepare(current, old is not null);
            if (length < 0)
            {
                if (old is not null && unshare && length == -1)
                {
                    Entry.SetStringEncoding(old, StringEncoding.Raw);
                }

                return old is null ? StringUpdateResult.Missing : StringUpdateResult.Unchanged;
            }

            var newLength = checked((int)length);
            if (old is not null && Entry.IsMutable(old) && newLength <= Entry.Capacity(old))
            {
                var room = Entry.GetRoom(old);
                if (newLength > current.Length)
                {
                    // The spare room holds stale or uninitialized bytes: a grown value starts zeroed.
                    room[current.Length..newLength].Clear();
                }

                Entry.SetValueLength(old, newLength);
                operation.Apply(room[..newLength]);
                return StringUpdateResult.Changed;
            }

            // A new key gets its exact length, a grown value room to grow on (Redis's sdsnewlen, sdsgrowzero).
            var capacity = old is null || newLength <= current.Length ? newLength : Entry.GrowthCapacity(newLength);
            var entry = Entry.CreateSpacious(key, newLength, capacity, old is null ? Entry.NoExpiry : Entry.GetExpiresAt(old));
            var value = Entry.GetRoom(entry)[..newLength];
            var kept = Math.Min(current.Length, newLength);
            current[..kept].CopyTo(value);
            value[kept..].Clear();
            operation.Apply(value);
            Put(shard, index, entry, hash);
            return old is null ? StringUpdateResult.Created : StringUpdateResult.Changed;
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> over the strings at arguments [<paramref name="firstSource"/>,
    /// <paramref name="sourceEnd"/>) of <paramref name="request"/> and, unless <paramref name="destination"/> is
    /// negative, writes or deletes the key at that argument, all with every involved shard locked (ascending order).
    /// A written destination is <c>raw</c> and keeps its expiry only with <paramref name="keepDestinationTtl"/>
    /// (PFMERGE changes the value; BITOP sets it). Returns the destination's new value, or default when none was
    /// written; <paramref name="deleted"/> tells whether a destination was deleted.
    /// </summary>
    public StoreValue CombineStrings<TOperation>(
        RespRequest request, int firstSource, int sourceEnd, int destination, bool keepDestinationTtl, ref TOperation operation, out bool deleted)
        where TOperation : struct, IStringsOperation
    {
        ArgumentNullException.ThrowIfNull(request);
        deleted = false;
        var words = (_shards.Length + 63) >> 6;
        Span<ulong> involved = words <= StackShardWords ? stackalloc ulong[StackShardWords] : new ulong[words];
        involved = involved[..words];
        MarkShards(request, firstSource, sourceEnd, 1, involved);
        if (destination >= 0)
        {
            var destinationShard = ShardIndex(request[destination]);
            involved[destinationShard >> 6] |= 1UL << (destinationShard & 63);
        }

        var count = sourceEnd - firstSource;
        var sources = ArrayPool<StoreValue>.Shared.Rent(Math.Max(count, 1));
        EnterShards(involved);
        try
        {
            var now = Now;
            var read = 0;
            for (; read < count; read++)
            {
                var key = request[firstSource + read];
                var shard = ShardFor(key);
                var index = FindLive(shard, key, (uint)Hash(key), now);
                if (index < 0)
                {
                    sources[read] = default;
                }
                else if (Entry.GetDataType(shard[index]) == DataType.String)
                {
                    sources[read] = operation.KeepsSources ? new StoreValue(shard[index]) : StoreValue.Borrowed(shard[index]);
                }
                else
                {
                    break;
                }
            }

            var values = sources.AsSpan(0, read);
            var length = operation.Prepare(values, read == count);
            if (destination < 0 || length == KeepDestination)
            {
                return default;
            }

            var target = request[destination];
            var targetHash = (uint)Hash(target);
            var targetShard = ShardFor(target);
            var targetIndex = FindLive(targetShard, target, targetHash, now);
            if (length == DeleteDestination)
            {
                if (targetIndex >= 0)
                {
                    targetShard.RemoveAt(targetIndex);
                    deleted = true;
                }

                return default;
            }

            var expiresAt = keepDestinationTtl && targetIndex >= 0 ? Entry.GetExpiresAt(targetShard[targetIndex]) : Entry.NoExpiry;
            var entry = Entry.CreateUninitialized(target, checked((int)length), expiresAt, DataType.String, StringEncoding.Raw);
            operation.Write(values, entry.AsSpan(Entry.GetValueOffset(entry)));
            Put(targetShard, targetIndex, entry, targetHash);
            return new StoreValue(entry);
        }
        finally
        {
            ExitShards(involved);
            ArrayPool<StoreValue>.Shared.Return(sources, clearArray: true);
        }
    }

    /// <summary>
    /// COPY: <paramref name="target"/> gets an independent copy of <paramref name="source"/>'s value and its expiry,
    /// replacing what it held only with <paramref name="replace"/>. A string keeps its encoding (Redis duplicates the
    /// object as it is); a collection is <see cref="StoreObject.Clone"/>d, so every type copies the same way. The copy
    /// is a new key to eviction: its access bits start afresh. The caller refuses a key copied onto itself.
    /// </summary>
    public CopyResult Copy(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, bool replace)
    {
        var sourceHash = (uint)Hash(source);
        var targetHash = (uint)Hash(target);
        var sourceIndex = ShardIndex(source);
        var targetIndex = ShardIndex(target);
        var sourceShard = _shards[sourceIndex];
        var targetShard = _shards[targetIndex];
        var firstLock = sourceIndex <= targetIndex ? sourceShard.Lock : targetShard.Lock;
        var secondLock = sourceIndex <= targetIndex ? targetShard.Lock : sourceShard.Lock;
        firstLock.Enter();
        if (sourceIndex != targetIndex)
        {
            secondLock.Enter();
        }

        try
        {
            var now = Now;
            var sourceSlot = FindLive(sourceShard, source, sourceHash, now);
            if (sourceSlot < 0)
            {
                return CopyResult.NoSource;
            }

            var targetSlot = FindLive(targetShard, target, targetHash, now);
            if (targetSlot >= 0)
            {
                if (!replace)
                {
                    return CopyResult.DestinationExists;
                }

                // Slots are stable, so removing the target leaves sourceSlot valid when both share a shard.
                targetShard.RemoveAt(targetSlot);
            }

            var old = sourceShard[sourceSlot];
            var value = Entry.GetValue(old);
            var entry = Entry.CreateUninitialized(target, value.Length, Entry.GetExpiresAt(old));
            value.CopyTo(entry.AsSpan(Entry.GetValueOffset(entry)));
            Entry.SetMeta(entry, Entry.GetMeta(old) & 0xFF & Entry.PortableMetaMask);
            var copy = sourceShard.ObjectAt(sourceSlot)?.Clone();
            var slot = Put(targetShard, -1, entry, targetHash);
            if (copy is not null)
            {
                targetShard.SetObject(slot, copy);
            }

            return CopyResult.Copied;
        }
        finally
        {
            if (sourceIndex != targetIndex)
            {
                secondLock.Exit();
            }

            firstLock.Exit();
        }
    }
}
