using System.Runtime.CompilerServices;
using PepperCache.Protocol;

namespace PepperCache.Core.Storage;

/// <summary>
/// One lock's worth of the keyspace: a chained hash table over <see cref="Entry"/> arrays, with the
/// <see cref="StoreObject"/> of each non-string key beside its entry. Every member except the lock and the
/// statistics must be called with <see cref="Lock"/> held.
/// </summary>
/// <remarks>
/// Slots live in one array and keep their index for the life of the entry: growth copies the array in order,
/// and freed slots are reused through a free list, never compacted. A SCAN cursor is therefore a slot index,
/// and a key that stays in the table is never skipped by a scan that walks indexes upward, whatever else is
/// added or removed meanwhile (keys added during a scan may or may not be returned, as in Redis).
/// Memory: <see cref="UsedBytes"/> counts what the shard holds on the managed heap (its tables, entries and objects)
/// and hands changes on to the store-wide <see cref="MemoryMeter"/> in batches, so writers share no counter.
/// </remarks>
internal sealed class StoreShard(MemoryMeter meter, int slotShift)
{
    private const int InitialCapacity = 16;

    // Free slots are chained through Next encoded as (-3 - index), as Dictionary does, so 0..n is a live chain.
    private const int EndOfFreeList = -1;

    private int[] _buckets = new int[InitialCapacity];
    private Slot[] _slots = new Slot[InitialCapacity];
    private int _highWater;
    private int _freeList = EndOfFreeList;
    private int _freeCount;

    // Keys per cluster hash slot of this shard (slot >> slotShift), as Redis keeps countKeysInSlot: a move sizes its
    // batches and the stray sweep finds its slots from these, not from a pass that touches every entry of the store.
    private readonly int[] _keysPerSlot = new int[HashSlot.SlotCount >> slotShift];

    // The hash slot of each position's key, plus one (0: free), index-aligned with _slots: the passes that move, compare,
    // delete or count a slot's keys read this column instead of every entry's key and its CRC16, and a removal needs no
    // CRC16 either. Two bytes a key, where Redis's slot-to-keys list takes 16.
    private ushort[] _hashSlots = new ushort[InitialCapacity];

    // Allocated when the shard first holds a non-string key; index-aligned with _slots.
    private StoreObject?[]? _objects;

    // Heap bytes held, and the part of it already added to the meter.
    private long _usedBytes = EmptyBytes(slotShift);
    private long _publishedBytes;

    public Lock Lock { get; } = new();

    /// <summary>Managed heap bytes of the tables, entries and objects (readable without the lock, for statistics).</summary>
    public long UsedBytes => Volatile.Read(ref _usedBytes);

    /// <summary>
    /// Heap bytes of the table itself (buckets, slots and the object column), without the entries and collections it
    /// points to: MEMORY STATS's overhead.hashtable.main. Read without the lock; a stale figure is fine for statistics.
    /// </summary>
    public long TableOverheadBytes
    {
        get
        {
            var objects = Volatile.Read(ref _objects);
            return TableBytes(Volatile.Read(ref _slots).Length) + SlotCountBytes(slotShift) + (objects is null ? 0 : Entry.ArraySize(objects.Length, IntPtr.Size));
        }
    }

    /// <summary>Keys removed by eviction; cumulative, survives <see cref="Clear"/>. Readable without the lock.</summary>
    public long EvictedRemoved { get; private set; }

    /// <summary>Live entries, expired-but-unreclaimed included.</summary>
    public int Count => _highWater - _freeCount;

    /// <summary>Entries that carry an expiry.</summary>
    public int VolatileCount { get; private set; }

    /// <summary>
    /// Entries removed because they had expired (lazily or actively); cumulative, survives <see cref="Clear"/>.
    /// The one member that may be read without the lock, for statistics, where a stale value is fine.
    /// </summary>
    public long ExpiredRemoved { get; private set; }

    /// <summary>Keys of cluster hash slot <paramref name="slot"/> (one of this shard's), expired ones not yet reclaimed included.</summary>
    public int KeysInSlot(int slot) => _keysPerSlot[slot >> slotShift];

    /// <summary>Upper bound (exclusive) of slot indexes in use, for scans.</summary>
    public int SlotLimit => _highWater;

    /// <summary>The entry in <paramref name="index"/>, or null for a free slot.</summary>
    public byte[]? GetAt(int index) => _slots[index].Entry;

    /// <summary>The cluster hash slot of the key in position <paramref name="index"/>, or -1 for a free position.</summary>
    public int HashSlotAt(int index) => _hashSlots[index] - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(ReadOnlySpan<byte> key, uint hash)
    {
        var slots = _slots;
        var i = _buckets[hash & (uint)(_buckets.Length - 1)] - 1;
        while ((uint)i < (uint)slots.Length)
        {
            ref var slot = ref slots[i];
            if (slot.Hash == hash && Entry.GetKey(slot.Entry!).SequenceEqual(key))
            {
                return i;
            }

            i = slot.Next;
        }

        return -1;
    }

    public byte[] this[int index] => _slots[index].Entry!;

    /// <summary>The collection of the key in slot <paramref name="index"/>; null for a string.</summary>
    public StoreObject? ObjectAt(int index) => _objects?[index];

    /// <summary>Adds a key holding a collection; its entry must have been made by <see cref="Entry.CreateForObject"/>.</summary>
    public int Add(byte[] entry, uint hash, StoreObject value)
    {
        var index = Add(entry, hash);
        SetObject(index, value);
        return index;
    }

    /// <summary>Puts <paramref name="value"/> (or null for a string) beside the entry in slot <paramref name="index"/>.</summary>
    public void SetObject(int index, StoreObject? value)
    {
        if (value is null && _objects is null)
        {
            return;
        }

        if (_objects is null)
        {
            _objects = new StoreObject?[_slots.Length];
            _usedBytes += Entry.ArraySize(_objects.Length, IntPtr.Size);
        }

        ref var cell = ref _objects[index];
        _usedBytes += (value?.HeapSize ?? 0) - (cell?.HeapSize ?? 0);
        cell = value;
        Publish();
    }

    /// <summary>Accounts for a collection that grew or shrank in place by <paramref name="delta"/> heap bytes.</summary>
    public void AdjustBytes(long delta)
    {
        _usedBytes += delta;
        Publish();
    }

    /// <summary>Adds an entry whose key is known to be absent; returns its slot index.</summary>
    public int Add(byte[] entry, uint hash)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _freeList;
            _freeList = -3 - _slots[index].Next;
            _freeCount--;
        }
        else
        {
            if (_highWater == _slots.Length)
            {
                Grow();
            }

            index = _highWater++;
        }

        ref var bucket = ref _buckets[hash & (uint)(_buckets.Length - 1)];
        ref var slot = ref _slots[index];
        slot.Hash = hash;
        slot.Entry = entry;
        slot.Next = bucket - 1;
        bucket = index + 1;
        if (Entry.GetExpiresAt(entry) != Entry.NoExpiry)
        {
            VolatileCount++;
        }

        var hashSlot = HashSlot.Of(Entry.GetKey(entry));
        _keysPerSlot[hashSlot >> slotShift]++;
        _hashSlots[index] = (ushort)(hashSlot + 1);
        _usedBytes += Entry.HeapSize(entry);
        Publish();
        return index;
    }

    /// <summary>Puts a new entry for the same key in slot <paramref name="index"/>; any collection the key held is dropped.</summary>
    public void Replace(int index, byte[] entry)
    {
        ref var slot = ref _slots[index];
        VolatileCount += (Entry.GetExpiresAt(entry) != Entry.NoExpiry ? 1 : 0)
                         - (Entry.GetExpiresAt(slot.Entry!) != Entry.NoExpiry ? 1 : 0);
        _usedBytes += Entry.HeapSize(entry) - Entry.HeapSize(slot.Entry!);
        slot.Entry = entry;
        if (_objects is not null && _objects[index] is { } value)
        {
            // A new entry is a new value: the key's collection, if it had one, goes with the old entry.
            _usedBytes -= value.HeapSize;
            _objects[index] = null;
        }

        Publish();
    }

    /// <summary>Changes the expiry of the entry in slot <paramref name="index"/> in place.</summary>
    public void SetExpiresAt(int index, long expiresAt)
    {
        var entry = _slots[index].Entry!;
        VolatileCount += (expiresAt != Entry.NoExpiry ? 1 : 0)
                         - (Entry.GetExpiresAt(entry) != Entry.NoExpiry ? 1 : 0);
        Entry.SetExpiresAt(entry, expiresAt);
    }

    public void RemoveAt(int index)
    {
        ref var slot = ref _slots[index];
        ref var link = ref _buckets[slot.Hash & (uint)(_buckets.Length - 1)];
        if (link - 1 == index)
        {
            link = slot.Next + 1;
        }
        else
        {
            var i = link - 1;
            while (_slots[i].Next != index)
            {
                i = _slots[i].Next;
            }

            _slots[i].Next = slot.Next;
        }

        if (Entry.GetExpiresAt(slot.Entry!) != Entry.NoExpiry)
        {
            VolatileCount--;
        }

        _keysPerSlot[(_hashSlots[index] - 1) >> slotShift]--;
        _hashSlots[index] = 0;
        _usedBytes -= Entry.HeapSize(slot.Entry!);
        if (_objects is not null && _objects[index] is { } value)
        {
            _usedBytes -= value.HeapSize;
            _objects[index] = null;
        }

        Publish();
        slot.Entry = null;
        slot.Hash = 0;
        slot.Next = -3 - _freeList;
        _freeList = index;
        _freeCount++;
    }

    /// <summary>Removes an entry that has expired, counting it for INFO's <c>expired_keys</c>.</summary>
    public void RemoveExpiredAt(int index)
    {
        RemoveAt(index);
        ExpiredRemoved++;
    }

    /// <summary>
    /// Removes an entry to make room: evicted (counted in INFO's <c>evicted_keys</c>), or met expired while sampling
    /// (<c>expired_keys</c>). What it frees reaches the meter at once, or eviction would evict more than it must; the
    /// growth of writes waiting for a batch stays waiting, since forcing it out too would surface it, up to the meter's
    /// error over all shards, as a burst of evictions for whichever command comes next.
    /// </summary>
    public void RemoveToMakeRoom(int index, bool expired)
    {
        var waiting = _usedBytes - _publishedBytes;
        RemoveAt(index);
        if (expired)
        {
            ExpiredRemoved++;
        }
        else
        {
            EvictedRemoved++;
        }

        // RemoveAt may itself have published (its batch crossed the threshold); either way, what was waiting before
        // is waiting again and the meter has the rest.
        var freed = waiting - (_usedBytes - _publishedBytes);
        if (freed > 0)
        {
            meter.Add(-freed);
            _publishedBytes -= freed;
        }
    }

    public void Clear()
    {
        _buckets = new int[InitialCapacity];
        _slots = new Slot[InitialCapacity];
        _hashSlots = new ushort[InitialCapacity];
        _objects = null;
        _highWater = 0;
        _freeList = EndOfFreeList;
        _freeCount = 0;
        VolatileCount = 0;
        Array.Clear(_keysPerSlot);
        _usedBytes = EmptyBytes(slotShift);
        Publish(force: true);
    }

    /// <summary>Hands the change in <see cref="UsedBytes"/> to the meter once it is worth a shared write.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Publish(bool force = false)
    {
        var delta = _usedBytes - _publishedBytes;
        if (force || delta >= meter.PublishThreshold || -delta >= meter.PublishThreshold)
        {
            meter.Add(delta);
            _publishedBytes = _usedBytes;
        }
    }

    /// <summary>
    /// Gives back table memory once the shard is mostly empty (fewer keys than a quarter of its capacity): the tables
    /// are cut to the power of two above the highest occupied slot. No entry moves, so a SCAN in progress keeps its
    /// guarantee (slots above the new end were all free); a shard whose top slots are occupied stays as it is.
    /// Returns true when the tables shrank. O(capacity), so callers ask only on the way down (active expiry).
    /// </summary>
    public bool TryShrink()
    {
        if (_slots.Length <= InitialCapacity || Count * 4 >= _slots.Length)
        {
            return false;
        }

        var top = _highWater - 1;
        while (top >= 0 && _slots[top].Entry is null)
        {
            top--;
        }

        var size = Math.Max(InitialCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(top + 1)));
        if (size * 2 > _slots.Length)
        {
            return false;
        }

        _usedBytes += TableBytes(size) - TableBytes(_slots.Length);
        Array.Resize(ref _slots, size);
        Array.Resize(ref _hashSlots, size);
        if (_objects is not null)
        {
            _usedBytes += Entry.ArraySize(size, IntPtr.Size) - Entry.ArraySize(_objects.Length, IntPtr.Size);
            Array.Resize(ref _objects, size);
        }

        _highWater = top + 1;
        _buckets = new int[size];
        _freeList = EndOfFreeList;
        _freeCount = 0;
        var mask = (uint)(size - 1);
        // Walk down so the free list hands out the lowest free slots first, keeping live keys low for the next shrink.
        for (var i = _highWater - 1; i >= 0; i--)
        {
            ref var slot = ref _slots[i];
            if (slot.Entry is null)
            {
                slot.Next = -3 - _freeList;
                _freeList = i;
                _freeCount++;
                continue;
            }

            ref var bucket = ref _buckets[slot.Hash & mask];
            slot.Next = bucket - 1;
            bucket = i + 1;
        }

        Publish(force: true);
        return true;
    }

    /// <summary>Heap bytes of an empty shard's tables and per-slot key counts.</summary>
    internal static long EmptyBytes(int slotShift) => TableBytes(InitialCapacity) + SlotCountBytes(slotShift);

    /// <summary>Heap bytes of the per-slot key counts of a shard whose slots are <c>slot >> slotShift</c>.</summary>
    internal static long SlotCountBytes(int slotShift) => Entry.ArraySize(HashSlot.SlotCount >> slotShift, sizeof(int));

    private static long TableBytes(int capacity)
        => Entry.ArraySize(capacity, sizeof(int)) + Entry.ArraySize(capacity, Unsafe.SizeOf<Slot>())
           + Entry.ArraySize(capacity, sizeof(ushort));

    private void Grow()
    {
        var size = _slots.Length * 2;
        _usedBytes += TableBytes(size) - TableBytes(_slots.Length);
        if (_objects is not null)
        {
            _usedBytes += Entry.ArraySize(size, IntPtr.Size) - Entry.ArraySize(_objects.Length, IntPtr.Size);
            Array.Resize(ref _objects, size);
        }

        Array.Resize(ref _slots, size);
        Array.Resize(ref _hashSlots, size);
        var buckets = new int[size];
        var mask = (uint)(size - 1);
        for (var i = 0; i < _highWater; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Entry is null)
            {
                continue;
            }

            ref var bucket = ref buckets[slot.Hash & mask];
            slot.Next = bucket - 1;
            bucket = i + 1;
        }

        _buckets = buckets;
    }

    private struct Slot
    {
        public uint Hash;
        public int Next;
        public byte[]? Entry;
    }
}
