namespace PepperCache.Client.Cluster;

/// <summary>
/// Redis Cluster's key-to-slot function, client side: CRC16 (XMODEM) of the key, or of its hash tag (the bytes
/// between the first <c>{</c> and the first <c>}</c> after it, when not empty), modulo 16,384.
/// </summary>
/// <remarks>
/// The same function as the server's (PepperCache.Core's HashSlot); repeated here so the client library keeps its
/// single dependency on PepperCache.Protocol. A test holds the two to the same answers.
/// </remarks>
public static class KeySlot
{
    public const int SlotCount = 16384;

    private static readonly ushort[] Crc16Table = BuildTable();

    /// <summary>The slot of <paramref name="key"/>, in [0, 16384).</summary>
    public static int Of(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            var length = key[(open + 1)..].IndexOf((byte)'}');
            if (length > 0)
            {
                key = key.Slice(open + 1, length);
            }
        }

        var table = Crc16Table;
        var crc = 0;
        foreach (var b in key)
        {
            crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ b];
        }

        return crc & (SlotCount - 1);
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
