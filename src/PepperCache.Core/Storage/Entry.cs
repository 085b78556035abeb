using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PepperCache.Core.Storage;

/// <summary>
/// The layout of one stored key: a single array <c>[expiresAt: 8][keyLength: 4][key][value]</c>.
/// One object per key keeps the per-key overhead near Redis's and the lookup to one pointer hop.
/// </summary>
/// <remarks>
/// Invariant: the key and value bytes of an entry never change after it is published in a shard. A change of
/// value builds a new entry, so a reader may keep an entry and copy its value out after leaving the shard lock.
/// Only the expiry field is rewritten in place, and only under the shard lock.
/// </remarks>
internal static class Entry
{
    public const int HeaderSize = 12;

    /// <summary>Stored in the expiry field of a key that does not expire.</summary>
    public const long NoExpiry = 0;

    public static byte[] Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAt)
    {
        var entry = GC.AllocateUninitializedArray<byte>(HeaderSize + key.Length + value.Length);
        SetExpiresAt(entry, expiresAt);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(8), key.Length);
        key.CopyTo(entry.AsSpan(HeaderSize));
        value.CopyTo(entry.AsSpan(HeaderSize + key.Length));
        return entry;
    }

    /// <summary>A new entry with <paramref name="key"/> and room for <paramref name="valueLength"/> value bytes, left for the caller to fill.</summary>
    public static byte[] CreateUninitialized(ReadOnlySpan<byte> key, int valueLength, long expiresAt)
    {
        var entry = GC.AllocateUninitializedArray<byte>(HeaderSize + key.Length + valueLength);
        SetExpiresAt(entry, expiresAt);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(8), key.Length);
        key.CopyTo(entry.AsSpan(HeaderSize));
        return entry;
    }

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
