using System.Text;
using CsCheck;

namespace PepperCache.Protocol.Tests.Fuzz;

/// <summary>One parser input: the bytes, how they lie in memory, how they arrive, and the limits in force.</summary>
/// <param name="Input">The bytes on the wire (zero or more commands, valid or not).</param>
/// <param name="Cuts">Offsets where a segment ends, for the one-shot split parse.</param>
/// <param name="OneBytePerSegment">Also parse with every byte in a segment of its own.</param>
/// <param name="Arrivals">Sizes of the reads the streaming parse receives the input in (the rest arrives last).</param>
/// <param name="BufferedFrameLimit">The streaming parse's <see cref="RespRequest.BufferedFrameLimit"/> (0: none).</param>
/// <param name="Limits">Parser limits, sometimes tiny so the limit paths run.</param>
internal sealed record ParserCase(byte[] Input, int[] Cuts, bool OneBytePerSegment, int[] Arrivals, int BufferedFrameLimit, RespLimits Limits)
{
    public override string ToString() =>
        $"input ({Input.Length} bytes) \"{RespFuzzInputs.Escape(Input)}\" cuts=[{string.Join(',', Cuts)}] bytes={OneBytePerSegment} " +
        $"arrivals=[{string.Join(',', Arrivals)}] buffered-frame-limit={BufferedFrameLimit} limits=(bulk {Limits.MaxBulkLength}, " +
        $"args {Limits.MaxArguments}, inline {Limits.MaxInlineLength})";
}

/// <summary>
/// Generators of parser inputs: raw bytes (uniform and from the RESP alphabet), valid streams (multibulk with binary
/// arguments, inline lines with quotes and escapes, empty commands), and valid streams mutated (bytes flipped,
/// inserted, deleted, ranges repeated, numbers swapped for boundary values).
/// </summary>
internal static class RespFuzzInputs
{
    private static readonly byte[] Alphabet = "*$\r\n0123456789-+ \t\"'\\x{}\0aAPINGSET"u8.ToArray();

    private static readonly string[] Numbers =
    [
        "-1", "0", "-0", "1", "2", "00", "01", "+1", " 1", "1 ", "-", "", "65535", "65536", "1048576", "1048577",
        "2147483647", "2147483648", "-2147483648", "4294967296", "536870912", "536870913", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "99999999999999999999", "1e3", "0x10",
    ];

    private static readonly Gen<byte> AlphabetByte = Gen.Int[0, Alphabet.Length - 1].Select(i => Alphabet[i]);

    private static readonly Gen<byte[]> Argument = Gen.Frequency(
        (500, Gen.Byte.Array[0, 12]),
        (400, AlphabetByte.Array[0, 12]),
        (200, Gen.OneOf("PING", "SET", "GET", "ECHO", "x", "").Select(s => Encoding.ASCII.GetBytes(s))),
        (100, Gen.Int[0, 300].Select(n => Filled(n, (byte)'v'))),
        // Rare (one argument in 1,200): one past RespRequest.LargeArgument, so taking a command reaches the large-argument path.
        (1, Gen.Int[RespRequest.LargeArgument - 8, RespRequest.LargeArgument + 4096].Select(n => Filled(n, (byte)'L'))));

    private static readonly Gen<byte[]> MultiBulk = Argument.Array[1, 5].Select(EncodeMultiBulk);

    private static readonly Gen<byte[]> InlineWord = Gen.Frequency(
        (6, Gen.Int[0, 25].Array[1, 6].Select(letters => letters.Select(l => (byte)('a' + l)).ToArray())),
        (2, Gen.OneOf("\"a b\"", "\"\\x41\\n\\t\\\\\"", "'it''s'", "\"\"", "''", "\"\\xZZ\"", "\"unterminated", "'x'y", "\"a\"b", "\\x41")
            .Select(s => Encoding.ASCII.GetBytes(s))),
        (2, AlphabetByte.Where(b => b != (byte)'\n').Array[1, 6]));

    private static readonly Gen<byte[]> Inline = Gen.Select(
        InlineWord.Array[1, 4],
        Gen.OneOf(" ", "  ", "\t"),
        Gen.OneOf("\r\n", "\n", "\r\r\n"),
        (words, separator, end) =>
        {
            var line = new List<byte>();
            for (var i = 0; i < words.Length; i++)
            {
                if (i > 0)
                {
                    line.AddRange(Encoding.ASCII.GetBytes(separator));
                }

                line.AddRange(words[i]);
            }

            line.AddRange(Encoding.ASCII.GetBytes(end));
            return line.ToArray();
        });

    private static readonly Gen<byte[]> Empty = Gen.OneOf("*0\r\n", "*-1\r\n", "\r\n", "\n", "   \n", "*-5\r\n").Select(s => Encoding.ASCII.GetBytes(s));

    /// <summary>One to four commands back to back, as a pipelining client sends them.</summary>
    public static readonly Gen<byte[]> ValidStream =
        Gen.Frequency((6, MultiBulk), (3, Inline), (1, Empty)).Array[1, 4].Select(frames => frames.SelectMany(f => f).ToArray());

    private static readonly Gen<(int Kind, int Position, byte Value, int Number)> Mutation =
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Frequency((3, AlphabetByte), (1, Gen.Byte)), Gen.Int[0, Numbers.Length - 1]);

    private static readonly Gen<byte[]> Mutated = Gen.Select(ValidStream, Mutation.Array[1, 3], Mutate);

    public static readonly Gen<byte[]> Input = Gen.Frequency(
        (2, Gen.Byte.Array[0, 64]),
        (2, AlphabetByte.Array[0, 64]),
        (3, ValidStream),
        (4, Mutated));

    private static readonly Gen<RespLimits> Limits = Gen.Frequency(
        (4, Gen.Const(RespLimits.Default)),
        (1, Gen.Select(Gen.Int[0, 64], Gen.Int[0, 8], Gen.Int[1, 64], (bulk, args, inline) =>
            new RespLimits { MaxBulkLength = bulk, MaxArguments = args, MaxInlineLength = inline })));

    public static readonly Gen<ParserCase> Case =
        from input in Input
        from cuts in Gen.Int[1, Math.Max(1, input.Length - 1)].Array[0, 4]
        from oneByte in Gen.Int[0, 9].Select(i => i == 0)
        from arrivals in Gen.Frequency((3, Gen.Int[1, 8]), (2, Gen.Int[1, 64]), (1, Gen.Int[1, 4096])).Array[0, 12]
        from frameLimit in Gen.Frequency((3, Gen.Const(0)), (2, Gen.Int[1, 64]), (1, Gen.Int[1, 64 * 1024]))
        from limits in Limits
        select new ParserCase(
            input,
            cuts.Where(c => c > 0 && c < input.Length).Distinct().Order().ToArray(),
            oneByte && input.Length <= 4096,
            arrivals,
            frameLimit,
            limits);

    public static byte[] EncodeMultiBulk(IReadOnlyList<byte[]> arguments)
    {
        var frame = new List<byte>();
        frame.AddRange(Encoding.ASCII.GetBytes($"*{arguments.Count}\r\n"));
        foreach (var argument in arguments)
        {
            frame.AddRange(Encoding.ASCII.GetBytes($"${argument.Length}\r\n"));
            frame.AddRange(argument);
            frame.AddRange("\r\n"u8.ToArray());
        }

        return frame.ToArray();
    }

    /// <summary>Printable form: ASCII as is, other bytes as \xNN; long runs of one byte shortened.</summary>
    public static string Escape(byte[] bytes)
    {
        var text = new StringBuilder();
        for (var i = 0; i < bytes.Length; i++)
        {
            var run = 1;
            while (i + run < bytes.Length && bytes[i + run] == bytes[i])
            {
                run++;
            }

            if (run > 16)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"[{run} x ");
                AppendByte(text, bytes[i]);
                text.Append(']');
                i += run - 1;
                continue;
            }

            AppendByte(text, bytes[i]);
        }

        return text.ToString();
    }

    private static void AppendByte(StringBuilder text, byte b) =>
        text.Append(b switch
        {
            (byte)'\r' => "\\r",
            (byte)'\n' => "\\n",
            (byte)'\\' => "\\\\",
            (byte)'"' => "\\\"",
            >= 0x20 and < 0x7F => ((char)b).ToString(),
            _ => $"\\x{b:X2}",
        });

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    private static byte[] Mutate(byte[] valid, (int Kind, int Position, byte Value, int Number)[] mutations)
    {
        var bytes = new List<byte>(valid);
        foreach (var (kind, position, value, number) in mutations)
        {
            var at = bytes.Count == 0 ? 0 : position % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = value;
                    break;
                case 1:
                    bytes.Insert(at, value);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    // Cut short: a frame that never completes.
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4 when bytes.Count > 0:
                    // Repeat a range: counts and bodies fall out of step.
                    var length = Math.Min(bytes.Count - at, 1 + (position % 16));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                default:
                    ReplaceNumber(bytes, at, Numbers[number]);
                    break;
            }
        }

        return bytes.ToArray();
    }

    /// <summary>Swaps the first run of digits at or after <paramref name="from"/> (a count or a length) for another number.</summary>
    private static void ReplaceNumber(List<byte> bytes, int from, string number)
    {
        var start = bytes.FindIndex(from, b => b is >= (byte)'0' and <= (byte)'9' or (byte)'-');
        if (start < 0)
        {
            return;
        }

        var end = start;
        while (end < bytes.Count && bytes[end] is >= (byte)'0' and <= (byte)'9' or (byte)'-')
        {
            end++;
        }

        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, Encoding.ASCII.GetBytes(number));
    }
}
