using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PepperCache.Core.Storage;

/// <summary>
/// The layout of one stored key: a single array <c>[expiresAt: 8][keyLength: 4][meta: 4][key][value]</c>.
/// One object per key keeps the per-key overhead near Redis's and the lookup to one pointer hop.
/// </summary>
/// <remarks>
/// <para>
/// Invariant: the key and value bytes of a <em>shared</em> entry never change. An entry is shared once anything may
/// read it outside the shard lock: a <see cref="StoreValue"/> (GET, MGET, DUMP, slot export...) or a snapshot marks it
/// (<see cref="Share"/>), and the value of an entry that is not <see cref="IsSpacious"/> never changes in place at all.
/// So a reader may keep an entry it was handed and copy its value out after leaving the lock. Only the expiry and
/// meta fields of a shared entry are rewritten in place, and only under the shard lock. The mark also tells eviction
/// whether a removed entry's array may be reused for a new entry (<see cref="EntryRecycler"/>): only if it never was.
/// </para>
/// <para>
/// A spacious entry (<see cref="CreateSpacious"/>) is the form APPEND, SETRANGE, SETBIT, BITFIELD and PFADD leave, as
/// Redis's sds string with spare room: <c>[header][key][valueLength: 4][value][spare]</c>. While no reader holds it,
/// those commands change its value bytes in place under the shard lock (Redis's cost, O(bytes changed)); once shared,
/// the next change copies it into a new spacious entry, as before. The array's length is its capacity, so memory
/// accounting (<see cref="HeapSize"/>) counts the spare room as Redis counts sds allocation.
/// </para>
/// <para>
/// Meta is Redis's <c>robj</c> header in 32 bits: the <see cref="DataType"/> (bits 0-3), a string's encoding
/// (bits 4-5, <see cref="StringEncoding"/>), the layout flags <see cref="SpaciousFlag"/> and <see cref="SharedFlag"/>
/// (bits 6-7, never copied to another entry) and the 24 access bits eviction reads (bits 8-31): an LRU clock, or
/// under an LFU policy Redis's 16-bit minutes + 8-bit logarithmic counter. A key of another type than string has
/// no value bytes here: its collection sits beside the entry in the shard (<see cref="StoreObject"/>).
/// </para>
/// </remarks>
internal static class Entry
{
    public const int HeaderSize = 16;

    /// <summary>The access bits' width (Redis's LRU_BITS).</summary>
    public const int AccessBits = 24;

    public const uint AccessMask = (1u << AccessBits) - 1;

    /// <summary>Stored in the expiry field of a key that does not expire.</summary>
    public const long NoExpiry = 0;

    /// <summary>Meta bit: the entry has a length word after its key and spare room after its value. Never cleared.</summary>
    public const byte SpaciousFlag = 0x40;

    /// <summary>Meta bit: a reader may hold the entry outside the lock; its value must not change, nor its array be reused.</summary>
    public const byte SharedFlag = 0x80;

    /// <summary>The meta bits that describe the value rather than this array's layout: what RENAME and COPY carry over.</summary>
    public const uint PortableMetaMask = ~(uint)(SpaciousFlag | SharedFlag);

    /// <summary>Redis's SDS_MAX_PREALLOC: growth doubles the length below it, and adds this much above it.</summary>
    public const int MaxPreallocation = 1024 * 1024;

    private const int LengthWordSize = 4;

    /// <summary>
    /// A string entry; the store stamps its access bits when it publishes it. Its array may be one eviction freed on
    /// this thread (<see cref="EntryRecycler"/>): every byte of it is written here.
    /// </summary>
    public static byte[] Create(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAt, StringEncoding encoding = StringEncoding.AsWritten)
    {
        var length = HeaderSize + key.Length + value.Length;
        var entry = EntryRecycler.Take(length) ?? GC.AllocateUninitializedArray<byte>(length);
        Initialize(entry, key, expiresAt, DataType.String, encoding);
        value.CopyTo(entry.AsSpan(HeaderSize + key.Length));
        return entry;
    }

    /// <summary>A new entry with <paramref name="key"/> and room for <paramref name="valueLength"/> value bytes, left for the caller to fill.</summary>
    public static byte[] CreateUninitialized(
        ReadOnlySpan<byte> key,
        int valueLength,
        long expiresAt,
        DataType type = DataType.String,
        StringEncoding encoding = StringEncoding.AsWritten)
    {
        var entry = GC.AllocateUninitializedArray<byte>(HeaderSize + key.Length + valueLength);
        Initialize(entry, key, expiresAt, type, encoding);
        return entry;
    }

    // The whole header (the meta word with it, so no flag or access bit of an array's earlier use survives) and the key.
    private static void Initialize(byte[] entry, ReadOnlySpan<byte> key, long expiresAt, DataType type, StringEncoding encoding)
    {
        SetExpiresAt(entry, expiresAt);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(8), key.Length);
        SetMeta(entry, (uint)type | ((uint)encoding << 4));
        key.CopyTo(entry.AsSpan(HeaderSize));
    }

    /// <summary>
    /// Makes <paramref name="buffer"/>, whose value bytes already sit after room for the header and key and run to its
    /// end, a string entry: header and key are written in front of the value, which is not copied.
    /// </summary>
    public static byte[] Adopt(byte[] buffer, ReadOnlySpan<byte> key, long expiresAt)
    {
        SetExpiresAt(buffer, expiresAt);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(8), key.Length);
        SetMeta(buffer, (uint)DataType.String | ((uint)StringEncoding.AsWritten << 4));
        key.CopyTo(buffer.AsSpan(HeaderSize));
        return buffer;
    }

    /// <summary>
    /// A new spacious string entry (see the remarks) with <paramref name="key"/>, value length
    /// <paramref name="valueLength"/> and room for <paramref name="capacity"/> value bytes, encoded <c>raw</c>. The
    /// value and spare bytes are left for the caller to fill.
    /// </summary>
    public static byte[] CreateSpacious(ReadOnlySpan<byte> key, int valueLength, long capacity, long expiresAt)
    {
        var size = Math.Min(HeaderSize + key.Length + LengthWordSize + Math.Max(capacity, valueLength), Array.MaxLength);
        var entry = GC.AllocateUninitializedArray<byte>((int)size);
        SetExpiresAt(entry, expiresAt);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(8), key.Length);
        SetMeta(entry, (uint)DataType.String | ((uint)StringEncoding.Raw << 4) | SpaciousFlag);
        key.CopyTo(entry.AsSpan(HeaderSize));
        SetValueLength(entry, valueLength);
        return entry;
    }

    /// <summary>
    /// The capacity to give a value growing to <paramref name="length"/> bytes, as Redis's sdsMakeRoomFor: double below
    /// <see cref="MaxPreallocation"/>, one more MB above it, so appending costs O(1) amortised.
    /// </summary>
    public static long GrowthCapacity(long length) => length < MaxPreallocation ? length * 2 : length + MaxPreallocation;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSpacious(byte[] entry) => (entry[12] & SpaciousFlag) != 0;

    /// <summary>True when the value of <paramref name="entry"/> may be changed in place (under the shard lock).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsMutable(byte[] entry) => (entry[12] & (SpaciousFlag | SharedFlag)) == SpaciousFlag;

    /// <summary>
    /// Marks <paramref name="entry"/> as held by a reader outside the lock (call under the shard lock): its value bytes
    /// stay as they are from now on, the next in-place change copies it instead, and once removed its array is left
    /// to the GC rather than reused (<see cref="EntryRecycler"/>). Written once: a hot key's later reads only read it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Share(byte[] entry)
    {
        if ((entry[12] & SharedFlag) == 0)
        {
            entry[12] |= SharedFlag;
        }
    }

    /// <summary>Value bytes a spacious entry can hold without a new array.</summary>
    public static int Capacity(byte[] entry) => entry.Length - HeaderSize - GetKeyLength(entry) - LengthWordSize;

    /// <summary>
    /// The whole room of a mutable spacious entry, from its first value byte to its end, for an in-place change; set
    /// the new length with <see cref="SetValueLength"/>.
    /// </summary>
    public static Span<byte> GetRoom(byte[] entry) => entry.AsSpan(GetValueOffset(entry));

    /// <summary>Sets a spacious entry's value length (under the shard lock, when it is not shared).</summary>
    public static void SetValueLength(byte[] entry, int length)
        => Unsafe.WriteUnaligned(ref entry[HeaderSize + GetKeyLength(entry)], length);

    /// <summary>The entry of a key whose value is a collection: header and key, no value bytes.</summary>
    public static byte[] CreateForObject(ReadOnlySpan<byte> key, DataType type, long expiresAt)
        => CreateUninitialized(key, 0, expiresAt, type);

    /// <summary>Managed heap bytes of an entry array: object header, method table and length word, padded to 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long HeapSize(byte[] entry) => ArraySize(entry.Length, 1);

    /// <summary>Managed heap bytes of an array of <paramref name="length"/> elements of <paramref name="elementSize"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ArraySize(long length, int elementSize) => (24 + (length * elementSize) + 7) & ~7L;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint GetMeta(byte[] entry) => Unsafe.ReadUnaligned<uint>(ref entry[12]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetMeta(byte[] entry, uint meta) => Unsafe.WriteUnaligned(ref entry[12], meta);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DataType GetDataType(byte[] entry) => (DataType)(entry[12] & 0xF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static StringEncoding GetStringEncoding(byte[] entry) => (StringEncoding)((entry[12] >> 4) & 0x3);

    /// <summary>Rewrites a string's encoding in place (under the shard lock, as the other meta fields), keeping the layout flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetStringEncoding(byte[] entry, StringEncoding encoding)
        => entry[12] = (byte)((entry[12] & (0xF | SpaciousFlag | SharedFlag)) | ((int)encoding << 4));

    /// <summary>The 24 access bits: LRU clock, or LFU minutes and counter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint GetAccess(byte[] entry) => GetMeta(entry) >> 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetAccess(byte[] entry, uint access) => SetMeta(entry, (GetMeta(entry) & 0xFF) | (access << 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long GetExpiresAt(byte[] entry) => Unsafe.ReadUnaligned<long>(ref entry[0]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetExpiresAt(byte[] entry, long expiresAt) => Unsafe.WriteUnaligned(ref entry[0], expiresAt);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetKeyLength(byte[] entry) => Unsafe.ReadUnaligned<int>(ref entry[8]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> GetKey(byte[] entry) => entry.AsSpan(HeaderSize, GetKeyLength(entry));

    /// <summary>Where the value starts: after the key, and after the length word in a spacious entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetValueOffset(byte[] entry)
        => HeaderSize + GetKeyLength(entry) + ((entry[12] & SpaciousFlag) != 0 ? LengthWordSize : 0);

    /// <summary>The value: to the end of the array, or in a spacious entry as long as its length word says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> GetValue(byte[] entry)
    {
        var offset = HeaderSize + GetKeyLength(entry);
        if ((entry[12] & SpaciousFlag) == 0)
        {
            return entry.AsSpan(offset);
        }

        return entry.AsSpan(offset + LengthWordSize, Unsafe.ReadUnaligned<int>(ref entry[offset]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetValueLength(byte[] entry)
    {
        var offset = HeaderSize + GetKeyLength(entry);
        return (entry[12] & SpaciousFlag) == 0 ? entry.Length - offset : Unsafe.ReadUnaligned<int>(ref entry[offset]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsExpired(byte[] entry, long now)
    {
        var expiresAt = GetExpiresAt(entry);
        return expiresAt != NoExpiry && expiresAt <= now;
    }
}
