namespace PepperCache.Core.Rdb;

/// <summary>
/// Redis's CRC-64 (<c>crc64.c</c>): the "Jones" polynomial 0xad93d23594c935a9, reflected in and out, initial value 0,
/// no final xor. It checks every DUMP payload. System.IO.Hashing's <c>Crc64</c> is ECMA-182, another polynomial and
/// not reflected, so it cannot stand in. Check value: "123456789" gives 0xe9c6d914c4b8d9ca.
/// </summary>
public static class Crc64Jones
{
    // The polynomial bit-reversed, as a reflected table-driven CRC uses it.
    private const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5;

    private static readonly ulong[] Table = BuildTable();

    public static ulong Compute(ReadOnlySpan<byte> data, ulong crc = 0)
    {
        foreach (var b in data)
        {
            crc = Table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
