using PepperCache.Core.Rdb;

namespace PepperCache.Core.Storage;

// DUMP and RESTORE: a key's value as Redis's serialized payload, and a key made from one.
public sealed partial class KeyValueStore
{
    /// <summary>
    /// DUMP: the key's value serialized (<see cref="DumpPayload"/>), or null when it does not exist. A use of the key,
    /// as Redis's lookupKeyRead. A collection is serialized under its shard lock (it changes in place); a string
    /// entry never changes once published, so it is serialized after.
    /// </summary>
    public byte[]? Dump(ReadOnlySpan<byte> key)
    {
        var hash = (uint)Hash(key);
        var shard = ShardFor(key);
        StoreValue value;
        lock (shard.Lock)
        {
            var index = FindLive(shard, key, hash, Now);
            if (index < 0)
            {
                return null;
            }

            if (shard.ObjectAt(index) is { } collection)
            {
                return DumpPayload.ForObject(collection, Encodings);
            }

            value = new StoreValue(shard[index]);
        }

        return DumpPayload.ForString(value.Span);
    }

    /// <summary>
    /// MIGRATE's delete of a key the target took: removes it only while DUMP would still give <paramref name="payload"/>
    /// and its expiry is still <paramref name="expiresAt"/> (Unix ms, -1 for none). Redis blocks while it migrates;
    /// a node serves other clients meanwhile, and a write they made since the dump must not go with a copy that
    /// does not hold it. Returns whether the key was removed.
    /// </summary>
    public bool DeleteIfDumpIs(ReadOnlySpan<byte> key, ReadOnlySpan<byte> payload, long expiresAt)
    {
        var hash = (uint)Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLiveNoTouch(shard, key, hash, Now);
            if (index < 0)
            {
                return false;
            }

            var entry = shard[index];
            var current = Entry.GetExpiresAt(entry);
            if ((current == Entry.NoExpiry ? -1 : current) != expiresAt)
            {
                return false;
            }

            var dump = shard.ObjectAt(index) is { } collection
                ? DumpPayload.ForObject(collection, Encodings)
                : DumpPayload.ForString(new StoreValue(entry).Span);
            if (!payload.SequenceEqual(dump))
            {
                return false;
            }

            shard.RemoveAt(index);
            return true;
        }
    }

    /// <summary>
    /// RESTORE's store step, atomic under the shard lock: refuses a live key unless <paramref name="replace"/>; with an
    /// absolute expiry already past it stores nothing and deletes what was there (Redis answers OK either way); else
    /// stores the string or collection with that expiry. <paramref name="idleSeconds"/> (IDLETIME) sets the LRU clock
    /// under an LRU policy and <paramref name="frequency"/> (FREQ) the LFU counter under an LFU policy; -1 for none.
    /// </summary>
    public RestoreResult Restore(
        ReadOnlySpan<byte> key, byte[]? stringValue, StoreObject? collection, long expiresAt, bool replace,
        long idleSeconds = -1, int frequency = -1)
    {
        if ((stringValue is null) == (collection is null))
        {
            throw new ArgumentException("RESTORE stores exactly one of a string and a collection.");
        }

        var hash = (uint)Hash(key);
        var shard = ShardFor(key);
        var entry = collection is null
            ? Entry.Create(key, stringValue, expiresAt)
            : Entry.CreateForObject(key, collection.Type, expiresAt);
        lock (shard.Lock)
        {
            var now = Now;
            var index = FindLive(shard, key, hash, now);
            if (index >= 0 && !replace)
            {
                return RestoreResult.KeyExists;
            }

            if (index >= 0)
            {
                shard.RemoveAt(index);
            }

            if (expiresAt != Entry.NoExpiry && expiresAt <= now)
            {
                return index >= 0 ? RestoreResult.ExpiredReplaced : RestoreResult.Expired;
            }

            index = Put(shard, -1, entry, hash);
            if (collection is not null)
            {
                shard.SetObject(index, collection);
            }

            var usesFrequency = Memory.Policy.UsesFrequency();
            if (usesFrequency && frequency >= 0)
            {
                Entry.SetAccess(entry, AccessBits.WithFrequency(AccessNow, frequency));
            }
            else if (!usesFrequency && idleSeconds >= 0)
            {
                Entry.SetAccess(entry, AccessBits.IdleFor(AccessNow, idleSeconds));
            }

            return RestoreResult.Stored;
        }
    }
}

/// <summary>What <see cref="KeyValueStore.Restore"/> did.</summary>
public enum RestoreResult
{
    Stored,
    /// <summary>The key exists and REPLACE was not given (BUSYKEY).</summary>
    KeyExists,
    /// <summary>The expiry had passed and the key did not exist: nothing stored.</summary>
    Expired,
    /// <summary>The expiry had passed and REPLACE deleted the key that was there.</summary>
    ExpiredReplaced,
}
