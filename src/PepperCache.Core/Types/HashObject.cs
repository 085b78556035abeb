using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

/// <summary>
/// A Redis hash: binary-safe fields to binary-safe values. Read and changed only under its key's shard lock.
/// Split by concern: this file (the table), <c>HashObject.Iteration.cs</c> (enumeration, HSCAN, random fields),
/// <c>HashObject.Numbers.cs</c> (HINCRBY, HINCRBYFLOAT) and <c>HashObject.Persistence.cs</c> (clone, AOF, payload).
/// </summary>
/// <remarks>
/// <para>
/// Each field lives with its value in one array, its pair: <c>[fieldLength: 4][field][value]</c>. A clone (a snapshot
/// for the AOF rewrite, a move's export, COPY) copies only the table and shares the pairs, marking each one it shares
/// (<see cref="SharedMark"/>, the field length's top bit): a shared pair never changes, and a new value for its field
/// is a new pair. A value of the same length as the one it replaces is written into an unshared pair in place, as
/// SET reuses a string's array, so overwriting a field allocates nothing (a dead 100 KB pair per HSET ran the GC's
/// large-object budget out every 40 commands, docs/benchmarks.md). Readers copy out under the lock.
/// </para>
/// <para>
/// Encodings, as Redis's: while the hash is small (at most <see cref="EncodingSettings.HashMaxListpackEntries"/>
/// fields, none and no value longer than <see cref="EncodingSettings.HashMaxListpackValue"/> bytes) it is a
/// "listpack": slots dense in insertion order, found by a linear scan of their hashes, a deleted field closing the
/// gap, so HGETALL answers in Redis's order. Crossing a limit converts it once to a "hashtable": buckets are added
/// over the same slots, and from then on a slot keeps its index for the life of its field (growth copies the slots
/// in order; freed slots are reused through a free list). HSCAN's cursor is then a slot index, and a field present
/// for a whole scan is always returned, whatever is written meanwhile.
/// </para>
/// <para>
/// <see cref="HeapSize"/> is kept exact as it changes: the object, its slot and bucket arrays, and every pair,
/// each array counted as <see cref="Entry.ArraySize"/> does.
/// </para>
/// </remarks>
public sealed partial class HashObject : StoreObject
{
    /// <summary>Managed bytes of the object itself: header, method table and fields (measured by a test).</summary>
    internal const int ObjectBytes = 64;

    private const int InitialCapacity = 2;

    /// <summary>Set in a pair's field length once a clone shares it.</summary>
    private const int SharedMark = int.MinValue;

    // Free slots are chained through Next encoded as (-3 - index), as StoreShard does.
    private const int EndOfFreeList = -1;

    // A per-process seed, so clients cannot choose fields that all fall in one bucket.
    private static readonly long Seed = Random.Shared.NextInt64();

    private Slot[] _slots;

    // Null while the hash is a listpack.
    private int[]? _buckets;
    private int _highWater;
    private int _freeList = EndOfFreeList;
    private int _freeCount;
    private long _pairBytes;

    public HashObject()
        : this(InitialCapacity)
    {
    }

    private HashObject(int capacity) => _slots = new Slot[capacity];

    public override DataType Type => DataType.Hash;

    /// <summary>True while the hash keeps Redis's listpack encoding (insertion order, linear lookup).</summary>
    public bool IsListpack => _buckets is null;

    public override ReadOnlySpan<byte> EncodingName => IsListpack ? "listpack"u8 : "hashtable"u8;

    public override long Count => _highWater - _freeCount;

    public override long HeapSize =>
        ObjectBytes + Entry.ArraySize(_slots.Length, Unsafe.SizeOf<Slot>())
        + (_buckets is null ? 0 : Entry.ArraySize(_buckets.Length, sizeof(int))) + _pairBytes;

    /// <summary>The field of a pair (see remarks).</summary>
    public static ReadOnlySpan<byte> FieldOf(byte[] pair) =>
        pair.AsSpan(sizeof(int), BinaryPrimitives.ReadInt32LittleEndian(pair) & ~SharedMark);

    /// <summary>The value of a pair (see remarks).</summary>
    public static ReadOnlySpan<byte> ValueOf(byte[] pair) =>
        pair.AsSpan(sizeof(int) + (BinaryPrimitives.ReadInt32LittleEndian(pair) & ~SharedMark));

    public bool TryGetValue(ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        var index = IndexOf(field, HashOf(field));
        value = index < 0 ? default : ValueOf(_slots[index].Pair!);
        return index >= 0;
    }

    public bool ContainsField(ReadOnlySpan<byte> field) => IndexOf(field, HashOf(field)) >= 0;

    /// <summary>
    /// HSET of one field: returns true when the field is new. Converts to a hashtable first when the field or the
    /// value is longer than a listpack holds, and after adding when the listpack has too many fields (Redis's
    /// hashTypeSet); an overwritten field keeps its place.
    /// </summary>
    public bool Set(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (_buckets is null && (field.Length > settings.HashMaxListpackValue || value.Length > settings.HashMaxListpackValue))
        {
            ConvertToHashtable();
        }

        var hash = HashOf(field);
        var index = IndexOf(field, hash);
        MarkChanged();
        if (index >= 0)
        {
            ref var slot = ref _slots[index];
            var old = slot.Pair!;
            if (old.Length == sizeof(int) + field.Length + value.Length && (BinaryPrimitives.ReadInt32LittleEndian(old) & SharedMark) == 0)
            {
                value.CopyTo(old.AsSpan(sizeof(int) + field.Length));
                return false;
            }

            var replacement = NewPair(field, value);
            _pairBytes += PairSize(replacement) - PairSize(old);
            slot.Pair = replacement;
            return false;
        }

        var pair = NewPair(field, value);

        Add(pair, hash);
        if (_buckets is null && Count > settings.HashMaxListpackEntries)
        {
            ConvertToHashtable();
        }

        return true;
    }

    /// <summary>HDEL of one field: true when it was there.</summary>
    public bool Remove(ReadOnlySpan<byte> field)
    {
        var hash = HashOf(field);
        var index = IndexOf(field, hash);
        if (index < 0)
        {
            return false;
        }

        MarkChanged();
        ref var slot = ref _slots[index];
        _pairBytes -= PairSize(slot.Pair!);
        if (_buckets is null)
        {
            // A listpack closes the gap, so the order stays insertion order (Redis's lpDeleteRange).
            Array.Copy(_slots, index + 1, _slots, index, _highWater - index - 1);
            _slots[--_highWater] = default;
            return true;
        }

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

        slot.Pair = null;
        slot.Hash = 0;
        slot.Next = -3 - _freeList;
        _freeList = index;
        _freeCount++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HashOf(ReadOnlySpan<byte> field) => (uint)XxHash3.HashToUInt64(field, Seed);

    private static long PairSize(byte[] pair) => Entry.ArraySize(pair.Length, 1);

    /// <summary>From now on the pair is a clone's too: it is not written again.</summary>
    private static void MarkShared(byte[] pair)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(pair);
        if ((length & SharedMark) == 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(pair, length | SharedMark);
        }
    }

    private static byte[] NewPair(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        var pair = GC.AllocateUninitializedArray<byte>(checked(sizeof(int) + field.Length + value.Length));
        BinaryPrimitives.WriteInt32LittleEndian(pair, field.Length);
        field.CopyTo(pair.AsSpan(sizeof(int)));
        value.CopyTo(pair.AsSpan(sizeof(int) + field.Length));
        return pair;
    }

    private int IndexOf(ReadOnlySpan<byte> field, uint hash)
    {
        var slots = _slots;
        if (_buckets is null)
        {
            for (var i = 0; i < _highWater; i++)
            {
                if (slots[i].Hash == hash && FieldOf(slots[i].Pair!).SequenceEqual(field))
                {
                    return i;
                }
            }

            return -1;
        }

        var index = _buckets[hash & (uint)(_buckets.Length - 1)] - 1;
        while ((uint)index < (uint)slots.Length)
        {
            ref var slot = ref slots[index];
            if (slot.Hash == hash && FieldOf(slot.Pair!).SequenceEqual(field))
            {
                return index;
            }

            index = slot.Next;
        }

        return -1;
    }

    private void Add(byte[] pair, uint hash)
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

        ref var slot = ref _slots[index];
        slot.Hash = hash;
        slot.Pair = pair;
        if (_buckets is not null)
        {
            ref var bucket = ref _buckets[hash & (uint)(_buckets.Length - 1)];
            slot.Next = bucket - 1;
            bucket = index + 1;
        }

        _pairBytes += PairSize(pair);
    }

    private void Grow()
    {
        Array.Resize(ref _slots, _slots.Length * 2);
        if (_buckets is not null)
        {
            Rehash();
        }
    }

    /// <summary>Listpack to hashtable: buckets over the slots as they are, so no slot moves.</summary>
    private void ConvertToHashtable()
    {
        if (!BitOperations.IsPow2(_slots.Length))
        {
            Array.Resize(ref _slots, (int)BitOperations.RoundUpToPowerOf2((uint)_slots.Length));
        }

        Rehash();
    }

    private void Rehash()
    {
        var buckets = new int[_slots.Length];
        var mask = (uint)(buckets.Length - 1);
        for (var i = 0; i < _highWater; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Pair is null)
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
        public byte[]? Pair;
    }
}
