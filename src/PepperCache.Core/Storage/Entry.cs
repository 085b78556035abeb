using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PepperCache.Core.Storage;

/// <summary>
/// The layout of one stored key: a single array <c>[expiresAt: 8][keyLength: 4][meta: 4][key][value]</c>.
/// One object per key keeps the per-key overhead near Redis's and the lookup to one pointer hop.
/// </summary>
/// <remarks>
/// <para>
/// Invariant: the key and value bytes of an entry never change after it is published in a shard. A change of
/// value builds a new entry, so a reader may keep an entry and copy its value out after leaving the shard lock.
/// Only the expiry and meta fields are rewritten in place, and only under the shard lock.
/// </para>
/// <para>
/// Meta is Redis's <c>robj</c> header in 32 bits: the <see cref="DataType"/> (bits 0-3), a string's encoding
/// (bits 4-7, <see cref="StringEncoding"/>) and the 24 access bits eviction reads (bits 8-31): an LRU clock, or
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

    /// <summary>A string entry; the store stamps its access bits when it publishes it.</summary>
    public static byte[] Create(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAt, StringEncoding encoding = StringEncoding.AsWritten)
    {
        var entry = CreateUninitialized(key, value.Length, expiresAt, DataType.String, encoding);
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
        SetExpiresAt(entry, expiresAt);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(8), key.Length);
        SetMeta(entry, (uint)type | ((uint)encoding << 4));
        key.CopyTo(entry.AsSpan(HeaderSize));
        return entry;
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
    public static StringEncoding GetStringEncoding(byte[] entry) => (StringEncoding)(entry[12] >> 4);

    /// <summary>Rewrites a string's encoding in place (under the shard lock, as the other meta fields).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetStringEncoding(byte[] entry, StringEncoding encoding)
        => entry[12] = (byte)((entry[12] & 0xF) | ((int)encoding << 4));

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetValueOffset(byte[] entry) => HeaderSize + GetKeyLength(entry);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> GetValue(byte[] entry) => entry.AsSpan(GetValueOffset(entry));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsExpired(byte[] entry, long now)
    {
        var expiresAt = GetExpiresAt(entry);
        return expiresAt != NoExpiry && expiresAt <= now;
    }
}
