using System.Buffers.Binary;
using System.Numerics;

namespace PepperCache.Core.Types;

/// <summary>
/// Redis's HyperLogLog, as the string value Redis stores, so a value made by either server counts the same on the
/// other: a 16-byte header (<c>HYLL</c>, the encoding byte, 3 unused bytes, a cached cardinality in 8 little-endian
/// bytes whose top bit marks it stale) and 16384 registers of 6 bits, either dense (12288 bytes, packed from the low
/// bit of each byte) or sparse (run-length opcodes ZERO, XZERO and VAL). Elements are hashed with MurmurHash64A and
/// Redis's seed; the count is Redis 7's estimator (Ertl's improved raw estimator, no bias tables).
/// </summary>
/// <remarks>
/// This file holds the format, the hash and the estimator; <c>HyperLogLogBuffer.cs</c> holds the writes (sparse
/// updates in Redis's exact byte layout, promotion to dense). Every algorithm here follows hyperloglog.c step for
/// step, because the bytes it leaves are visible to GET and must match Redis's.
/// </remarks>
public static class HyperLogLog
{
    public const int P = 14;
    public const int Q = 64 - P;
    public const int Registers = 1 << P;
    public const int RegisterMax = 63;
    public const int HeaderSize = 16;
    public const int DenseSize = HeaderSize + (Registers * 6 + 7) / 8;
    public const byte Dense = 0;
    public const byte Sparse = 1;

    /// <summary>Redis's <c>hll-sparse-max-bytes</c> default.</summary>
    public const long DefaultSparseMaxBytes = 3000;

    internal const int SparseValMaxValue = 32;
    internal const int SparseValMaxLength = 4;
    internal const int SparseZeroMaxLength = 64;
    internal const int SparseXZeroMaxLength = 16384;

    private const ulong Seed = 0xadc83b19;

    // 0.5 / ln(2): the estimator's alpha as the number of registers tends to infinity.
    private const double AlphaInfinity = 0.721347520444481703680;

    /// <summary>An empty HLL as PFADD creates it: sparse, one XZERO opcode covering every register, cached count 0.</summary>
    public static byte[] CreateEmpty()
    {
        var value = new byte[HeaderSize + 2];
        "HYLL"u8.CopyTo(value);
        value[4] = Sparse;
        WriteXZero(value.AsSpan(HeaderSize), Registers);
        return value;
    }

    /// <summary>Redis's isHLLObjectOrReply: the magic, a known encoding, and the exact size of a dense value.</summary>
    public static bool IsValid(ReadOnlySpan<byte> value) =>
        value.Length >= HeaderSize && value[..4].SequenceEqual("HYLL"u8) && value[4] <= Sparse
        && (value[4] != Dense || value.Length == DenseSize);

    /// <summary>True when the header's cached cardinality can be used (its top bit is clear).</summary>
    public static bool HasValidCache(ReadOnlySpan<byte> value) => (value[15] & 0x80) == 0;

    public static ulong CachedCount(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadUInt64LittleEndian(value[8..]);

    public static void WriteCachedCount(Span<byte> value, ulong count) => BinaryPrimitives.WriteUInt64LittleEndian(value[8..], count);

    public static void InvalidateCache(Span<byte> value) => value[15] |= 0x80;

    /// <summary>The register an element lands in and the length of its 00..1 pattern (Redis's hllPatLen).</summary>
    public static int PatternLength(ReadOnlySpan<byte> element, out int register)
    {
        var hash = MurmurHash64A(element, Seed);
        register = (int)(hash & (Registers - 1));
        hash >>= P;
        hash |= 1UL << Q;
        return BitOperations.TrailingZeroCount(hash) + 1;
    }

    /// <summary>MurmurHash2, 64-bit version, reading 8-byte blocks little-endian as Redis does on every platform.</summary>
    public static ulong MurmurHash64A(ReadOnlySpan<byte> data, ulong seed)
    {
        const ulong M = 0xc6a4a7935bd1e995;
        const int R = 47;
        var h = seed ^ ((ulong)data.Length * M);
        var blocks = data.Length & ~7;
        for (var i = 0; i < blocks; i += 8)
        {
            var k = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            k *= M;
            k ^= k >> R;
            k *= M;
            h ^= k;
            h *= M;
        }

        var tail = data[blocks..];
        if (tail.Length > 0)
        {
            for (var i = tail.Length - 1; i >= 0; i--)
            {
                h ^= (ulong)tail[i] << (8 * i);
            }

            h *= M;
        }

        h ^= h >> R;
        h *= M;
        h ^= h >> R;
        return h;
    }

    /// <summary>A dense register; the byte after the last register reads as 0, as the sds terminator does in Redis.</summary>
    public static int GetDenseRegister(ReadOnlySpan<byte> registers, int index)
    {
        var bit = index * 6;
        var at = bit >> 3;
        var shift = bit & 7;
        int b0 = registers[at];
        var b1 = at + 1 < registers.Length ? registers[at + 1] : 0;
        return ((b0 >> shift) | (b1 << (8 - shift))) & RegisterMax;
    }

    public static void SetDenseRegister(Span<byte> registers, int index, int value)
    {
        var bit = index * 6;
        var at = bit >> 3;
        var shift = bit & 7;
        registers[at] = (byte)((registers[at] & ~(RegisterMax << shift)) | (value << shift));
        if (at + 1 < registers.Length)
        {
            registers[at + 1] = (byte)((registers[at + 1] & ~(RegisterMax >> (8 - shift))) | (value >> (8 - shift)));
        }
    }

    /// <summary>
    /// The cardinality of a valid HLL value (Redis's hllCount), or -1 when a sparse value does not cover exactly
    /// every register (a corrupt value: INVALIDOBJ).
    /// </summary>
    public static long Count(ReadOnlySpan<byte> value)
    {
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        var registers = value[HeaderSize..];
        if (value[4] == Dense)
        {
            for (var i = 0; i < Registers; i++)
            {
                histogram[GetDenseRegister(registers, i)]++;
            }
        }
        else if (!SparseHistogram(registers, histogram))
        {
            return -1;
        }

        return Estimate(histogram);
    }

    /// <summary>The cardinality of registers kept one per byte (PFCOUNT of several keys merges into these).</summary>
    public static long CountRaw(ReadOnlySpan<byte> registers)
    {
        Span<int> histogram = stackalloc int[64];
        histogram.Clear();
        foreach (var register in registers)
        {
            histogram[register & 63]++;
        }

        return Estimate(histogram);
    }

    /// <summary>
    /// Raises each of <paramref name="max"/>'s registers (one a byte) to the value's where that is higher (Redis's
    /// hllMerge); false for a sparse value that does not cover exactly every register.
    /// </summary>
    public static bool MergeInto(Span<byte> max, ReadOnlySpan<byte> value)
    {
        var registers = value[HeaderSize..];
        if (value[4] == Dense)
        {
            for (var i = 0; i < Registers; i++)
            {
                var register = (byte)GetDenseRegister(registers, i);
                if (register > max[i])
                {
                    max[i] = register;
                }
            }

            return true;
        }

        var index = 0;
        var p = 0;
        while (p < registers.Length)
        {
            var op = registers[p];
            if (IsZero(op))
            {
                index += ZeroLength(op);
                p++;
            }
            else if (IsXZero(op))
            {
                index += XZeroLength(registers, p);
                p += 2;
            }
            else
            {
                var run = ValLength(op);
                var register = (byte)ValValue(op);
                if (run + index > Registers)
                {
                    break;
                }

                for (; run > 0; run--, index++)
                {
                    if (register > max[index])
                    {
                        max[index] = register;
                    }
                }

                p++;
            }
        }

        return index == Registers;
    }

    private static bool SparseHistogram(ReadOnlySpan<byte> opcodes, Span<int> histogram)
    {
        var index = 0;
        var p = 0;
        while (p < opcodes.Length)
        {
            var op = opcodes[p];
            if (IsZero(op))
            {
                var run = ZeroLength(op);
                index += run;
                histogram[0] += run;
                p++;
            }
            else if (IsXZero(op))
            {
                var run = XZeroLength(opcodes, p);
                index += run;
                histogram[0] += run;
                p += 2;
            }
            else
            {
                var run = ValLength(op);
                index += run;
                histogram[ValValue(op)] += run;
                p++;
            }
        }

        return index == Registers;
    }

    // "New cardinality estimation algorithms for HyperLogLog sketches", Otmar Ertl, arXiv:1702.01284: the same
    // operations in the same order as Redis, so the rounding, and so the count, is the same.
    private static long Estimate(ReadOnlySpan<int> histogram)
    {
        const double M = Registers;
        var z = M * Tau((M - histogram[Q + 1]) / M);
        for (var j = Q; j >= 1; j--)
        {
            z += histogram[j];
            z *= 0.5;
        }

        z += M * Sigma(histogram[0] / M);
        return (long)Math.Round(AlphaInfinity * M * M / z, MidpointRounding.AwayFromZero);
    }

    private static double Sigma(double x)
    {
        if (x == 1.0)
        {
            return double.PositiveInfinity;
        }

        double zPrime;
        var y = 1.0;
        var z = x;
        do
        {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        }
        while (zPrime != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0.0 || x == 1.0)
        {
            return 0.0;
        }

        double zPrime;
        var y = 1.0;
        var z = 1 - x;
        do
        {
            x = Math.Sqrt(x);
            zPrime = z;
            y *= 0.5;
            z -= Math.Pow(1 - x, 2) * y;
        }
        while (zPrime != z);
        return z / 3;
    }

    // Sparse opcodes: ZERO 00xxxxxx (x+1 zero registers, up to 64), XZERO 01xxxxxx yyyyyyyy (14-bit length + 1, up to
    // 16384), VAL 1vvvvvxx (x+1 registers, up to 4, of value v+1, up to 32).
    internal static bool IsZero(byte op) => (op & 0xc0) == 0;

    internal static bool IsXZero(byte op) => (op & 0xc0) == 0x40;

    internal static bool IsVal(byte op) => (op & 0x80) != 0;

    internal static int ZeroLength(byte op) => (op & 0x3f) + 1;

    // The second byte of an XZERO that ends the value reads as 0, as the sds terminator does in Redis.
    internal static int XZeroLength(ReadOnlySpan<byte> opcodes, int at) =>
        (((opcodes[at] & 0x3f) << 8) | (at + 1 < opcodes.Length ? opcodes[at + 1] : 0)) + 1;

    internal static int ValValue(byte op) => ((op >> 2) & 0x1f) + 1;

    internal static int ValLength(byte op) => (op & 0x3) + 1;

    internal static byte Val(int value, int length) => (byte)(((value - 1) << 2) | (length - 1) | 0x80);

    internal static byte Zero(int length) => (byte)(length - 1);

    internal static void WriteXZero(Span<byte> target, int length)
    {
        var encoded = length - 1;
        target[0] = (byte)((encoded >> 8) | 0x40);
        target[1] = (byte)(encoded & 0xff);
    }
}
