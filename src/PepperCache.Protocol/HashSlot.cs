using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PepperCache.Protocol;

/// <summary>
/// Redis Cluster's key-to-slot function (<c>keyHashSlot</c> in cluster.c): CRC16-CCITT (XMODEM: polynomial 0x1021,
/// initial value 0, no reflection, no final xor) of the key, modulo <see cref="SlotCount"/>.
/// </summary>
/// <remarks>
/// When the key holds a hash tag only the tag is hashed, so <c>{user1000}.following</c> and
/// <c>{user1000}.followers</c> share a slot. The tag is found as Redis finds it: the first <c>{</c>, then the first
/// <c>}</c> after it; if nothing lies between them (<c>{}</c>), or there is no <c>}</c>, the whole key is hashed.
/// Only the first <c>{</c> counts, so <c>foo{}{bar}</c> hashes whole.
/// </remarks>
public static class HashSlot
{
    /// <summary>Number of hash slots in a Redis cluster.</summary>
    public const int SlotCount = 16384;

    // Four tables of 256 for the MSB-first CRC, one after another: entry 256 * (k - 1) + b is the CRC register after
    // shifting byte b, then k - 1 zero bytes, through it. Four bytes then cost four independent loads, where the
    // byte-at-a-time loop waits on the previous byte's load for each one. Every command hashes its key at least once
    // (its shard, and in a cluster its route); a new key once more (the shard's per-slot count).
    private static readonly ushort[] Crc16Tables = BuildTables();

    /// <summary>The slot of <paramref name="key"/>, in [0, <see cref="SlotCount"/>).</summary>
    public static int Of(ReadOnlySpan<byte> key) => Crc16(HashedPart(key)) & (SlotCount - 1);

    /// <summary>The bytes Redis hashes for <paramref name="key"/>: the hash tag's content, or the whole key.</summary>
    public static ReadOnlySpan<byte> HashedPart(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open < 0)
        {
            return key;
        }

        var length = key[(open + 1)..].IndexOf((byte)'}');
        return length > 0 ? key.Slice(open + 1, length) : key;
    }

    /// <summary>CRC16-CCITT (XMODEM) of <paramref name="data"/>; "123456789" gives 0x31C3.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        // Indexes are masked to a byte and offset into a 1024-entry table, so they need no bounds check.
        ref var table = ref MemoryMarshal.GetArrayDataReference(Crc16Tables);
        uint crc = 0;
        while (data.Length >= 4)
        {
            var x = (crc << 16) ^ BinaryPrimitives.ReadUInt32BigEndian(data);
            crc = (uint)(Unsafe.Add(ref table, 768 + (int)(x >> 24))
                         ^ Unsafe.Add(ref table, 512 + (int)((x >> 16) & 0xFF))
                         ^ Unsafe.Add(ref table, 256 + (int)((x >> 8) & 0xFF))
                         ^ Unsafe.Add(ref table, (int)(x & 0xFF)));
            data = data[4..];
        }

        foreach (var b in data)
        {
            crc = ((crc << 8) & 0xFFFF) ^ Unsafe.Add(ref table, (int)(((crc >> 8) ^ b) & 0xFF));
        }

        return (ushort)crc;
    }

    private static ushort[] BuildTables()
    {
        const int Polynomial = 0x1021;
        var tables = new ushort[4 * 256];
        for (var i = 0; i < 256; i++)
        {
            var crc = i << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ Polynomial : crc << 1;
            }

            tables[i] = (ushort)crc;
        }

        // One more zero byte through the register: shift it out, and fold what left its top through the first table.
        for (var k = 1; k < 4; k++)
        {
            for (var i = 0; i < 256; i++)
            {
                var previous = tables[(256 * (k - 1)) + i];
                tables[(256 * k) + i] = (ushort)(((previous << 8) & 0xFFFF) ^ tables[previous >> 8]);
            }
        }

        return tables;
    }
}
