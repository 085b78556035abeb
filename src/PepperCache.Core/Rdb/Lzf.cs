using System.Buffers;

namespace PepperCache.Core.Rdb;

/// <summary>
/// LZF compression as the reference redis-server 7.0.15 does it: liblzf 3.6 (HLOG 16, VERY_FAST, no ULTRA_FAST),
/// which the Debian/Ubuntu redis-server links instead of the copy in Redis's source tree. The compressor reproduces
/// its output byte for byte, which DUMP needs to emit the payloads redis-server emits.
/// </summary>
/// <remarks>
/// Redis's bundled copy differs in one test (it refuses a match starting in the last 4 input bytes), so a
/// redis-server built from Redis's own tree can compress a string a byte or two longer; either side decompresses the
/// other's. liblzf leaves its hash table uninitialized (INIT_HTAB 0); a stale slot almost never passes the offset and
/// byte checks, so an empty table gives the same output. The decompressor checks every read and write against the
/// buffers: a hostile payload gets false, never an overrun.
/// </remarks>
public static class Lzf
{
    private const int HashLog = 16;
    private const int HashSize = 1 << HashLog;
    private const int MaxLiteral = 1 << 5;
    private const int MaxOffset = 1 << 13;
    private const int MaxReference = (1 << 8) + (1 << 3);

    [ThreadStatic]
    private static int[]? t_table;

    [ThreadStatic]
    private static int t_base;

    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/>, whose length is lzf_compress's out_len;
    /// returns the compressed length, or 0 when the result would not fit (as lzf_compress). The caller gives one
    /// spare byte past out_len, as Redis's zmalloc(outlen + 1) does: the tail literal run may end there.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output, int outLength)
    {
        if (input.Length < 3 || outLength <= 0 || output.Length < outLength + 1)
        {
            return 0;
        }

        // One table per thread, not cleared between calls: a slot holds a call's base plus the position plus one, and
        // each call's base is past every value an earlier call stored, so an older slot reads as empty, as in a cleared
        // table. Clearing 256 KB per call was a tenth of a DUMP of a long list (one call per 8 KB node).
        var table = t_table ??= new int[HashSize];
        if (t_base > int.MaxValue - input.Length - 1)
        {
            Array.Clear(table);
            t_base = 0;
        }

        try
        {
            return Compress(input, output, outLength, table, t_base);
        }
        finally
        {
            // Even after a throw: a slot of this call read by the next as one of its own could point past its position.
            t_base += input.Length + 1;
        }
    }

    private static int Index(uint h) => (int)(unchecked((h >> (24 - HashLog)) - (h * 5)) & (HashSize - 1));

    // Table slots hold the call's base + position + 1 (anything lower: empty), so a slot never used or left by an earlier
    // call fails the `ref > in_data` test as a stale one does.
    private static int Compress(ReadOnlySpan<byte> input, Span<byte> output, int outEnd, int[] table, int tableBase)
    {
        var inEnd = input.Length;
        var ip = 0;
        var op = 1;
        var lit = 0;
        var hval = (uint)((input[0] << 8) | input[1]);
        while (ip < inEnd - 2)
        {
            hval = unchecked((hval << 8) | input[ip + 2]);
            var slot = Index(hval);
            var reference = table[slot] - tableBase - 1;
            table[slot] = tableBase + ip + 1;
            if (reference > 0
                && ip - reference - 1 < MaxOffset
                && input[reference] == input[ip] && input[reference + 1] == input[ip + 1] && input[reference + 2] == input[ip + 2])
            {
                var off = ip - reference - 1;
                var len = 2;
                var maxlen = Math.Min(inEnd - ip - len, MaxReference);
                if (op + 3 + 1 >= outEnd && op - (lit == 0 ? 1 : 0) + 3 + 1 >= outEnd)
                {
                    return 0;
                }

                output[op - lit - 1] = unchecked((byte)(lit - 1));
                op -= lit == 0 ? 1 : 0;

                len = MatchEnd(input, reference, ip, len, maxlen);
                len -= 2;
                ip++;
                if (len < 7)
                {
                    output[op++] = unchecked((byte)((off >> 8) + (len << 5)));
                }
                else
                {
                    output[op++] = unchecked((byte)((off >> 8) + (7 << 5)));
                    output[op++] = unchecked((byte)(len - 7));
                }

                output[op++] = unchecked((byte)off);
                lit = 0;
                op++;
                ip += len + 1;
                if (ip >= inEnd - 2)
                {
                    break;
                }

                ip -= 2;
                hval = (uint)((input[ip] << 8) | input[ip + 1]);
                hval = unchecked((hval << 8) | input[ip + 2]);
                table[Index(hval)] = tableBase + ip + 1;
                ip++;
                hval = unchecked((hval << 8) | input[ip + 2]);
                table[Index(hval)] = tableBase + ip + 1;
                ip++;
            }
            else
            {
                if (op >= outEnd)
                {
                    return 0;
                }

                lit++;
                output[op++] = input[ip++];
                if (lit == MaxLiteral)
                {
                    output[op - lit - 1] = (byte)(lit - 1);
                    lit = 0;
                    op++;
                }
            }
        }

        if (op + 3 > outEnd)
        {
            return 0;
        }

        while (ip < inEnd)
        {
            lit++;
            output[op++] = input[ip++];
            if (lit == MaxLiteral)
            {
                output[op - lit - 1] = (byte)(lit - 1);
                lit = 0;
                op++;
            }
        }

        output[op - lit - 1] = unchecked((byte)(lit - 1));
        op -= lit == 0 ? 1 : 0;
        return op;
    }

    // lzf_c.c's match loop: 16 unchecked steps while more than 16 bytes may match, then one at a time to maxlen.
    private static int MatchEnd(ReadOnlySpan<byte> input, int reference, int ip, int len, int maxlen)
    {
        if (maxlen > 16)
        {
            for (var i = 0; i < 16; i++)
            {
                len++;
                if (input[reference + len] != input[ip + len])
                {
                    return len;
                }
            }
        }

        do
        {
            len++;
        }
        while (len < maxlen && input[reference + len] == input[ip + len]);
        return len;
    }

    /// <summary>Decompresses <paramref name="input"/> into all of <paramref name="output"/>; false unless it fills it exactly.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var ip = 0;
        var op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                ctrl++;
                if (op + ctrl > output.Length || ip + ctrl > input.Length)
                {
                    return false;
                }

                input.Slice(ip, ctrl).CopyTo(output[op..]);
                ip += ctrl;
                op += ctrl;
                continue;
            }

            var len = ctrl >> 5;
            var reference = op - ((ctrl & 0x1f) << 8) - 1;
            if (ip >= input.Length)
            {
                return false;
            }

            if (len == 7)
            {
                len += input[ip++];
                if (ip >= input.Length)
                {
                    return false;
                }
            }

            reference -= input[ip++];
            len += 2;
            if (op + len > output.Length || reference < 0)
            {
                return false;
            }

            // Byte by byte: a reference may overlap what it writes (a run).
            for (var i = 0; i < len; i++)
            {
                output[op++] = output[reference++];
            }
        }

        return op == output.Length;
    }
}
