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

    // Byte-at-a-time table for the MSB-first CRC: Crc16Table[b] is the CRC register after shifting b through it.
    private static readonly ushort[] Crc16Table = BuildTable();

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
        var table = Crc16Table;
        var crc = 0;
        foreach (var b in data)
        {
            crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ b];
        }

        return (ushort)crc;
    }

    private static ushort[] BuildTable()
    {
        const int Polynomial = 0x1021;
        var table = new ushort[256];
        for (var i = 0; i < table.Length; i++)
        {
            var crc = i << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ Polynomial : crc << 1;
            }

            table[i] = (ushort)crc;
        }

        return table;
    }
}
