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

    // Slicing by 8 (Redis's crcspeed does the same): table k holds each byte's CRC followed by k zero bytes, so eight
    // bytes take eight lookups and one step instead of eight dependent steps; a 1M-element list's 5 MB payload
    // checked byte by byte was a tenth of its RESTORE.
    private static readonly ulong[][] Tables = BuildTables();

    public static ulong Compute(ReadOnlySpan<byte> data, ulong crc = 0)
    {
        var t = Tables;
        var (t0, t1, t2, t3, t4, t5, t6, t7) = (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
        while (data.Length >= 8)
        {
            var v = crc ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t7[(byte)v] ^ t6[(byte)(v >> 8)] ^ t5[(byte)(v >> 16)] ^ t4[(byte)(v >> 24)]
                ^ t3[(byte)(v >> 32)] ^ t2[(byte)(v >> 40)] ^ t1[(byte)(v >> 48)] ^ t0[(byte)(v >> 56)];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t0[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    private static ulong[][] BuildTables()
    {
        var tables = new ulong[8][];
        tables[0] = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }

            tables[0][i] = crc;
        }

        for (var k = 1; k < 8; k++)
        {
            tables[k] = new ulong[256];
            for (var i = 0; i < 256; i++)
            {
                var previous = tables[k - 1][i];
                tables[k][i] = tables[0][(byte)previous] ^ (previous >> 8);
            }
        }

        return tables;
    }
}
