using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Core.Types;

/// <summary>
/// A Redis set: distinct binary-safe members. Read and changed only under its key's shard lock. Split by concern:
/// this file (the two encodings, add, remove, membership), <c>SetObject.Iteration.cs</c> (enumeration, SSCAN, random
/// members) and <c>SetObject.Persistence.cs</c> (clone, AOF, payload).
/// </summary>
/// <remarks>
/// <para>
/// Encodings, as Redis 7.0's (which has no listpack sets): while every member is an integer as Redis reads one
/// (<c>string2ll</c>: no sign but '-', no leading zero, 64 bits) and there are at most
/// <see cref="EncodingSettings.SetMaxIntsetEntries"/> of them, an "intset": a sorted <c>long[]</c>, found by binary
/// search, so SMEMBERS answers in ascending order as Redis does. A non-integer member, or one member too many,
/// converts it once to a "hashtable" of members, each one immutable <c>byte[]</c>, in slots that keep their index for
/// the life of their member (growth copies the slots in order; freed slots are reused through a free list), so SSCAN's
/// cursor is a slot index and a member present for a whole scan is always returned, whatever is written meanwhile.
/// </para>
/// <para>
/// <see cref="HeapSize"/> is kept exact as it changes: the object, its arrays, and every member array, each counted
/// as <see cref="Entry.ArraySize"/> does.
/// </para>
/// </remarks>
public sealed partial class SetObject : StoreObject
{
    /// <summary>Managed bytes of the object itself: header, method table and fields (measured by a test).</summary>
    internal const int ObjectBytes = 72;

    /// <summary>Redis caps intsets at 2^30 members whatever set-max-intset-entries says.</summary>
    private const long IntsetHardLimit = 1 << 30;

    private const int InitialCapacity = 4;

    // Free slots are chained through Next encoded as (-3 - index), as StoreShard does.
    private const int EndOfFreeList = -1;

    // A per-process seed, so clients cannot choose members that all fall in one bucket.
    private static readonly long Seed = Random.Shared.NextInt64();

    // The intset: sorted, the first _intCount in use. Null once the set is a hashtable.
    private long[]? _integers;
    private int _intCount;

    // The hashtable: null while the set is an intset.
    private Slot[]? _slots;
    private int[]? _buckets;
    private int _highWater;
    private int _freeList = EndOfFreeList;
    private int _freeCount;
    private long _memberBytes;

    /// <summary>An empty set, an intset until a member says otherwise (Redis's createIntsetObject).</summary>
    public SetObject() => _integers = new long[InitialCapacity];

    public override DataType Type => DataType.Set;

    /// <summary>True while the set keeps Redis's intset encoding (sorted integers).</summary>
    public bool IsIntset => _integers is not null;

    public override ReadOnlySpan<byte> EncodingName => IsIntset ? "intset"u8 : "hashtable"u8;

    public override long Count => IsIntset ? _intCount : _highWater - _freeCount;

    public override long HeapSize => ObjectBytes
        + (_integers is null ? 0 : Entry.ArraySize(_integers.Length, sizeof(long)))
        + (_slots is null ? 0 : Entry.ArraySize(_slots.Length, Unsafe.SizeOf<Slot>()))
        + (_buckets is null ? 0 : Entry.ArraySize(_buckets.Length, sizeof(int)))
        + _memberBytes;

    /// <summary>SISMEMBER: whether <paramref name="member"/> is in the set.</summary>
    public bool Contains(ReadOnlySpan<byte> member)
    {
        if (_integers is not null)
        {
            return RespParser.TryParseInt64(member, out var value) && IntIndex(value) >= 0;
        }

        return IndexOf(member, HashOf(member)) >= 0;
    }

    /// <summary>Membership of a member of another set, without formatting an integer when both are intsets.</summary>
    public bool Contains(SetMember member)
    {
        if (member.IsInteger)
        {
            if (_integers is not null)
            {
                return IntIndex(member.Integer) >= 0;
            }

            Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
            var bytes = member.Format(text);
            return IndexOf(bytes, HashOf(bytes)) >= 0;
        }

        return Contains(member.Bytes);
    }

    /// <summary>
    /// SADD of one member: true when it is new. A non-integer member converts an intset to a hashtable first; an
    /// integer that makes the intset longer than <see cref="EncodingSettings.SetMaxIntsetEntries"/> converts it after
    /// (Redis's setTypeAdd).
    /// </summary>
    public bool Add(ReadOnlySpan<byte> member, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (_integers is not null)
        {
            if (RespParser.TryParseInt64(member, out var value))
            {
                return AddInteger(value, settings);
            }

            ConvertToHashtable();
        }

        var hash = HashOf(member);
        if (IndexOf(member, hash) >= 0)
        {
            return false;
        }

        MarkChanged();
        AddSlot(member.ToArray(), hash);
        return true;
    }

    /// <summary>Adds a member of another set (SINTERSTORE, SUNION...): its integer stays one while this set is an intset.</summary>
    public bool Add(SetMember member, EncodingSettings settings)
    {
        if (member.IsInteger)
        {
            if (_integers is not null)
            {
                return AddInteger(member.Integer, settings);
            }

            Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
            return Add(member.Format(text), settings);
        }

        return Add(member.Bytes, settings);
    }

    /// <summary>SREM of one member: true when it was there.</summary>
    public bool Remove(ReadOnlySpan<byte> member)
    {
        if (_integers is not null)
        {
            if (!RespParser.TryParseInt64(member, out var value))
            {
                return false;
            }

            var at = IntIndex(value);
            if (at < 0)
            {
                return false;
            }

            RemoveIntegerAt(at);
            return true;
        }

        var index = IndexOf(member, HashOf(member));
        if (index < 0)
        {
            return false;
        }

        RemoveSlot(index);
        return true;
    }

    /// <summary>Removes a member of this set (SPOP's draws).</summary>
    public void Remove(SetMember member)
    {
        if (member.IsInteger && _integers is not null)
        {
            var at = IntIndex(member.Integer);
            if (at >= 0)
            {
                RemoveIntegerAt(at);
            }

            return;
        }

        if (member.IsInteger)
        {
            Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
            Remove(member.Format(text));
            return;
        }

        Remove(member.Bytes);
    }

    /// <summary>
    /// Back to an intset when every member is an integer and they fit one: what Redis's SPOP with a count gives when it
    /// rebuilds the set from the members it keeps (a set rebuilt member by member starts as an intset).
    /// </summary>
    public void CompactIfIntegers(EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (_integers is not null || Count > Math.Min(settings.SetMaxIntsetEntries, IntsetHardLimit))
        {
            return;
        }

        var integers = new long[Math.Max(InitialCapacity, (int)Count)];
        var n = 0;
        foreach (var member in this)
        {
            if (!RespParser.TryParseInt64(member.Bytes, out integers[n++]))
            {
                return;
            }
        }

        Array.Sort(integers, 0, n);
        MarkChanged();
        _integers = integers;
        _intCount = n;
        _slots = null;
        _buckets = null;
        _highWater = 0;
        _freeList = EndOfFreeList;
        _freeCount = 0;
        _memberBytes = 0;
    }

    /// <summary>Removes every member, leaving an empty intset (SPOP taking the whole set; the store then deletes the key).</summary>
    public void Clear()
    {
        MarkChanged();
        _integers = new long[InitialCapacity];
        _intCount = 0;
        _slots = null;
        _buckets = null;
        _highWater = 0;
        _freeList = EndOfFreeList;
        _freeCount = 0;
        _memberBytes = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HashOf(ReadOnlySpan<byte> member) => (uint)XxHash3.HashToUInt64(member, Seed);

    private static long MemberSize(byte[] member) => Entry.ArraySize(member.Length, 1);

    private int IntIndex(long value) => Array.BinarySearch(_integers!, 0, _intCount, value);

    private bool AddInteger(long value, EncodingSettings settings)
    {
        var at = IntIndex(value);
        if (at >= 0)
        {
            return false;
        }

        MarkChanged();
        at = ~at;
        var integers = _integers!;
        if (_intCount == integers.Length)
        {
            Array.Resize(ref integers, integers.Length * 2);
            _integers = integers;
        }

        Array.Copy(integers, at, integers, at + 1, _intCount - at);
        integers[at] = value;
        _intCount++;
        if (_intCount > Math.Min(settings.SetMaxIntsetEntries, IntsetHardLimit))
        {
            ConvertToHashtable();
        }

        return true;
    }

    private void RemoveIntegerAt(int at)
    {
        MarkChanged();
        var integers = _integers!;
        Array.Copy(integers, at + 1, integers, at, _intCount - at - 1);
        _intCount--;
    }

    /// <summary>Intset to hashtable: each integer becomes its decimal text, as Redis's setTypeConvert does.</summary>
    private void ConvertToHashtable()
    {
        var integers = _integers!;
        var count = _intCount;
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(InitialCapacity, count + 1));
        _slots = new Slot[capacity];
        _buckets = new int[capacity];
        _integers = null;
        _intCount = 0;
        Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
        for (var i = 0; i < count; i++)
        {
            var bytes = new SetMember(integers[i]).Format(text);
            AddSlot(bytes.ToArray(), HashOf(bytes));
        }
    }

    private int IndexOf(ReadOnlySpan<byte> member, uint hash)
    {
        var slots = _slots!;
        var index = _buckets![hash & (uint)(_buckets.Length - 1)] - 1;
        while ((uint)index < (uint)slots.Length)
        {
            ref var slot = ref slots[index];
            if (slot.Hash == hash && slot.Member.AsSpan().SequenceEqual(member))
            {
                return index;
            }

            index = slot.Next;
        }

        return -1;
    }

    private void AddSlot(byte[] member, uint hash)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _freeList;
            _freeList = -3 - _slots![index].Next;
            _freeCount--;
        }
        else
        {
            if (_highWater == _slots!.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
                Rehash();
            }

            index = _highWater++;
        }

        ref var slot = ref _slots[index];
        slot.Hash = hash;
        slot.Member = member;
        ref var bucket = ref _buckets![hash & (uint)(_buckets.Length - 1)];
        slot.Next = bucket - 1;
        bucket = index + 1;
        _memberBytes += MemberSize(member);
    }

    private void RemoveSlot(int index)
    {
        MarkChanged();
        var slots = _slots!;
        ref var slot = ref slots[index];
        _memberBytes -= MemberSize(slot.Member!);
        ref var link = ref _buckets![slot.Hash & (uint)(_buckets.Length - 1)];
        if (link - 1 == index)
        {
            link = slot.Next + 1;
        }
        else
        {
            var i = link - 1;
            while (slots[i].Next != index)
            {
                i = slots[i].Next;
            }

            slots[i].Next = slot.Next;
        }

        slot.Member = null;
        slot.Hash = 0;
        slot.Next = -3 - _freeList;
        _freeList = index;
        _freeCount++;
    }

    private void Rehash()
    {
        var buckets = new int[_slots!.Length];
        var mask = (uint)(buckets.Length - 1);
        for (var i = 0; i < _highWater; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Member is null)
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
        public byte[]? Member;
    }
}
