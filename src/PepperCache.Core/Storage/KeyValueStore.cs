using System.IO.Hashing;
using System.Runtime.CompilerServices;
using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

/// <summary>
/// The keyspace: binary-safe keys to binary-safe string values with optional absolute expiry (Unix ms).
/// Thread-safe; sharded by key hash with one lock per shard, so independent keys never contend and
/// multi-key operations lock their shards in index order.
/// </summary>
/// <remarks>
/// Every operation here is atomic with respect to every other. Expired keys are removed lazily when touched and
/// by <see cref="RemoveExpired"/>, which the active-expiry service calls.
/// Split by concern: <c>KeyValueStore.Strings.cs</c> and <c>KeyValueStore.Float.cs</c> (value operations),
/// <c>KeyValueStore.Multi.cs</c> (operations over several shards), <c>KeyValueStore.Keys.cs</c> (rename, random key),
/// <c>KeyValueStore.Expiry.cs</c> (TTLs and active expiry), <c>KeyValueStore.Scan.cs</c> (iteration).
/// </remarks>
public sealed partial class KeyValueStore
{
    private readonly StoreShard[] _shards;
    private readonly int _shardShift;
    private readonly ulong _seed;
    private readonly TimeProvider _time;
    private readonly MemoryMeter _meter = new();

    public KeyValueStore(TimeProvider? time = null, int shardCount = 256)
    {
        if (shardCount <= 0 || (shardCount & (shardCount - 1)) != 0 || shardCount > HashSlot.SlotCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shardCount), "Shard count must be a power of two, at most 16384.");
        }

        _time = time ?? TimeProvider.System;
        _accessOrigin = ReferenceEquals(_time, TimeProvider.System) ? Now - Environment.TickCount64 : 0;
        _shards = new StoreShard[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            _shards[i] = new StoreShard(_meter, int.Log2(shardCount));
            _shards[i].Publish(force: true);
        }

        Memory = new MemorySettings();
        Memory.MaxMemoryChanged = OnMaxMemoryChanged;

        _shardShift = 64 - int.Log2(shardCount);
        // A per-process seed so clients cannot choose keys that collide in one bucket.
        _seed = (ulong)Random.Shared.NextInt64();
    }

    /// <summary>Current time in Unix milliseconds, from the store's clock.</summary>
    public long Now => _pausedNow != 0 ? _pausedNow : _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The time the access bits (LRU clock, LFU minutes) are stamped and read with: <see cref="Now"/> to within a few
    /// ms. On the system clock it is the coarse monotonic tick from the store's start, as Redis's LRU_CLOCK reads a
    /// clock its cron caches: a precise clock read costs ~55 ns on a VM's kvm-clock, the coarse one ~10 ns, and the
    /// bits keep 100 ms. A test's clock is read as it is, so moving it ages keys.
    /// </summary>
    internal long AccessNow => _pausedNow != 0 ? _pausedNow
        : _accessOrigin != 0 ? _accessOrigin + Environment.TickCount64
        : Now;

    private readonly long _accessOrigin;

    public TimeProvider TimeProvider => _time;

    internal int ShardCount => _shards.Length;

    /// <summary>Number of keys, including expired keys not yet reclaimed (as Redis's DBSIZE).</summary>
    public long Count
    {
        get
        {
            long total = 0;
            foreach (var shard in _shards)
            {
                total += shard.Count;
            }

            return total;
        }
    }

    /// <summary>Number of keys with an expiry (INFO keyspace <c>expires=</c>).</summary>
    public long VolatileCount
    {
        get
        {
            long total = 0;
            foreach (var shard in _shards)
            {
                total += shard.VolatileCount;
            }

            return total;
        }
    }

    public bool TryGet(ReadOnlySpan<byte> key, out StoreValue value)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLive(shard, key, (uint)hash);
            if (index < 0)
            {
                value = default;
                return false;
            }

            var entry = StringAt(shard, index);
            value = new StoreValue(entry);
            return true;
        }
    }

    /// <summary>
    /// Sets <paramref name="key"/> unconditionally, replacing any value and expiry. Overwriting a key counts as a use
    /// of it, as Redis's lookupKeyWrite does: under an LFU policy a key written often is a key used often.
    /// </summary>
    /// <param name="expiresAt">Absolute expiry in Unix ms, or 0 for none.</param>
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAt = 0)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        var entry = Entry.Create(key, value, expiresAt);
        lock (shard.Lock)
        {
            var index = FindLive(shard, key, (uint)hash);
            var old = index >= 0 ? shard[index] : null;
            Put(shard, index, entry, (uint)hash);
            if (old is not null)
            {
                // An overwritten entry nobody read goes to the next write of its size, as an evicted one does.
                EntryRecycler.Offer(old);
            }
        }
    }

    /// <summary>Where a value starts in an entry whose key is <paramref name="keyLength"/> bytes: see <see cref="SetInPlace"/>.</summary>
    public static int ValueOffset(int keyLength) => Entry.HeaderSize + keyLength;

    /// <summary>
    /// As <see cref="Set(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long)"/> without an expiry, but <paramref name="buffer"/>
    /// becomes the entry: its value already starts at <see cref="ValueOffset"/> and runs to its end, and only the
    /// header and key are written in front of it. For a huge value (a 500 MB SET) that saves a copy of its size. The
    /// caller gives the array up: it must not change it afterwards, and may read it only until it calls
    /// <see cref="EndAdoption"/> on the same thread, after which a write that frees the entry may reuse the array.
    /// </summary>
    public void SetInPlace(ReadOnlySpan<byte> key, byte[] buffer)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        var entry = Entry.Adopt(buffer, key, Entry.NoExpiry);
        // The caller's request still holds the array as its argument until EndAdoption; with no slot to say so, the
        // entry is marked as read, so it is never reused.
        if (!AdoptedArrays.TryHold(entry))
        {
            Entry.Share(entry);
        }

        lock (shard.Lock)
        {
            var index = FindLive(shard, key, (uint)hash);
            var old = index >= 0 ? shard[index] : null;
            Put(shard, index, entry, (uint)hash);
            if (old is not null)
            {
                EntryRecycler.Offer(old);
            }
        }
    }

    /// <summary>
    /// The command that called <see cref="SetInPlace"/> on this thread has ended: nothing reads the array as its
    /// argument any more, and a write that frees it may reuse it.
    /// </summary>
    public static void EndAdoption() => AdoptedArrays.Release();

    /// <summary>A large argument's array its command did not keep (see <see cref="EntryRecycler.OfferArgument"/>).</summary>
    public static void ReturnArgumentArray(byte[] array) => EntryRecycler.OfferArgument(array);

    /// <summary>An array of <paramref name="length"/> bytes for a value to be adopted (<see cref="SetInPlace"/>): one a write freed, or a new one.</summary>
    public static byte[] NewEntryArray(int length) => EntryRecycler.Take(length) ?? GC.AllocateUninitializedArray<byte>(length);

    /// <summary>SET with its conditions. Returns true when the value was written.</summary>
    /// <param name="expiresAt">Absolute expiry in Unix ms, or 0 for none (ignored with <paramref name="keepTtl"/>).</param>
    /// <param name="previous">The value before the call (for SET ... GET), or default when there was none.</param>
    /// <param name="previousMustBeString">SET ... GET, GETSET: a key of another type is WRONGTYPE, and nothing is written.</param>
    public bool Set(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> value,
        long expiresAt,
        SetCondition condition,
        bool keepTtl,
        out StoreValue previous,
        bool previousMustBeString = false)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLive(shard, key, (uint)hash);
            if (index >= 0)
            {
                var old = shard[index];
                // SET overwrites a key of any type; SET ... GET and GETSET refuse one that is not a string.
                if (previousMustBeString && Entry.GetDataType(old) != DataType.String)
                {
                    WrongTypeException.Throw();
                }

                previous = new StoreValue(old);
                if (condition == SetCondition.IfNotExists)
                {
                    return false;
                }

                Put(shard, index, Entry.Create(key, value, keepTtl ? Entry.GetExpiresAt(old) : expiresAt), (uint)hash);
                return true;
            }

            previous = default;
            if (condition == SetCondition.IfExists)
            {
                return false;
            }

            Put(shard, -1, Entry.Create(key, value, keepTtl ? Entry.NoExpiry : expiresAt), (uint)hash);
            return true;
        }
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            var index = FindLiveNoTouch(shard, key, (uint)hash, Now);
            if (index < 0)
            {
                return false;
            }

            var entry = shard[index];
            shard.RemoveAt(index);
            EntryRecycler.Offer(entry);
            return true;
        }
    }

    public bool Exists(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var shard = ShardFor(key);
        lock (shard.Lock)
        {
            return FindLiveNoTouch(shard, key, (uint)hash, Now) >= 0;
        }
    }

    /// <summary>Removes every key.</summary>
    public void Clear()
    {
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                shard.Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Hash(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key, (long)_seed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private StoreShard ShardFor(ReadOnlySpan<byte> key) => _shards[ShardIndex(key)];

    // Shards follow the cluster hash slot, not the bucket hash: every key of a slot lives in one shard, so moving a
    // slot to another node reads one shard (1/256 of the keys) instead of all of them. Slots are uniform over keys,
    // so shards stay balanced; the seeded hash still picks the bucket inside the shard, so chosen keys cannot collide.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ShardIndex(ReadOnlySpan<byte> key) => HashSlot.Of(key) & (_shards.Length - 1);

    /// <summary>
    /// The slot of a live key, reclaiming it on the way if it has expired (lazy expiry), and marking it accessed
    /// for eviction (Redis's lookupKey).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindLive(StoreShard shard, ReadOnlySpan<byte> key, uint hash, long now)
    {
        var index = FindLiveNoTouch(shard, key, hash, now);
        if (index >= 0)
        {
            var entry = shard[index];
            Entry.SetAccess(entry, AccessBits.Touched(Entry.GetAccess(entry), AccessNow, Memory, Memory.Policy.UsesFrequency()));
        }

        return index;
    }

    /// <summary>
    /// As <see cref="FindLive(StoreShard, ReadOnlySpan{byte}, uint, long)"/> for a caller that needs the time only to
    /// tell whether the key has expired: the clock is read only for a key that has an expiry (GET and SET of keys
    /// without a TTL, the common case, read none).
    /// </summary>
    private int FindLive(StoreShard shard, ReadOnlySpan<byte> key, uint hash)
    {
        var index = shard.IndexOf(key, hash);
        if (index < 0)
        {
            return -1;
        }

        var entry = shard[index];
        if (Entry.GetExpiresAt(entry) != Entry.NoExpiry && Entry.IsExpired(entry, Now))
        {
            shard.RemoveExpiredAt(index);
            return -1;
        }

        Entry.SetAccess(entry, AccessBits.Touched(Entry.GetAccess(entry), AccessNow, Memory, Memory.Policy.UsesFrequency()));
        return index;
    }

    /// <summary>As <see cref="FindLive"/>, without marking the key accessed (TTL, TYPE, OBJECT: Redis's LOOKUP_NOTOUCH).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FindLiveNoTouch(StoreShard shard, ReadOnlySpan<byte> key, uint hash, long now)
    {
        var index = shard.IndexOf(key, hash);
        if (index >= 0 && Entry.IsExpired(shard[index], now))
        {
            shard.RemoveExpiredAt(index);
            return -1;
        }

        return index;
    }

    /// <summary>
    /// Publishes <paramref name="entry"/> for its key: in place of the key's entry at <paramref name="index"/>, or as a
    /// new key when <paramref name="index"/> is negative. A new key starts its access bits afresh; an overwritten one
    /// keeps its LFU counter, as Redis's dbOverwrite does, or under LRU is simply used now.
    /// </summary>
    private int Put(StoreShard shard, int index, byte[] entry, uint hash)
    {
        var frequency = Memory.Policy.UsesFrequency();
        var now = AccessNow;
        if (index >= 0)
        {
            var access = frequency ? Entry.GetAccess(shard[index]) : AccessBits.ForNewKey(now, frequency: false);
            Entry.SetAccess(entry, access);
            shard.Replace(index, entry);
            return index;
        }

        Entry.SetAccess(entry, AccessBits.ForNewKey(now, frequency));
        return shard.Add(entry, hash);
    }

    /// <summary>The entry at <paramref name="index"/>, which a string command may use: WRONGTYPE for any other type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte[] StringAt(StoreShard shard, int index)
    {
        var entry = shard[index];
        if (Entry.GetDataType(entry) != DataType.String)
        {
            WrongTypeException.Throw();
        }

        return entry;
    }
}
