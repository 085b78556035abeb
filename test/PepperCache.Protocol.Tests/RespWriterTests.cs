using System.Buffers;
using System.IO.Pipelines;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>
/// Golden reply bytes from every <see cref="RespWriter"/> method, through three writers: an
/// <see cref="ArrayBufferWriter{T}"/>, a <see cref="PipeWriter"/> with small segments (as the connection uses) and
/// a writer that hands out spans of exactly the size asked.
/// </summary>
public sealed class RespWriterTests
{
    private static readonly Dictionary<string, (Action<IBufferWriter<byte>> Write, byte[] Expected)> Cases = new()
    {
        ["ok"] = (w => w.WriteOk(), Bytes.Of("+OK\r\n")),
        ["raw"] = (w => w.WriteRaw("+PONG\r\n"u8), Bytes.Of("+PONG\r\n")),
        ["simple string"] = (w => w.WriteSimpleString("QUEUED"u8), Bytes.Of("+QUEUED\r\n")),
        ["simple string empty"] = (w => w.WriteSimpleString(""u8), Bytes.Of("+\r\n")),
        ["simple string utf-8"] = (w => w.WriteSimpleString("héllo"), Bytes.Of("+h\xC3\xA9llo\r\n")),
        ["error"] = (w => w.WriteError("ERR unknown command"u8), Bytes.Of("-ERR unknown command\r\n")),
        ["error string"] = (w => w.WriteError("WRONGTYPE Operation against a key holding the wrong kind of value"),
            Bytes.Of("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")),
        ["integer zero"] = (w => w.WriteInteger(0), Bytes.Of(":0\r\n")),
        ["integer negative"] = (w => w.WriteInteger(-42), Bytes.Of(":-42\r\n")),
        ["integer min"] = (w => w.WriteInteger(long.MinValue), Bytes.Of(":-9223372036854775808\r\n")),
        ["integer max"] = (w => w.WriteInteger(long.MaxValue), Bytes.Of(":9223372036854775807\r\n")),
        ["bulk empty"] = (w => w.WriteBulkString(ReadOnlySpan<byte>.Empty), Bytes.Of("$0\r\n\r\n")),
        ["bulk binary"] = (w => w.WriteBulkString(Bytes.Of("\0\r\n\xFF")), Bytes.Of("$4\r\n\0\r\n\xFF\r\n")),
        ["bulk 4096"] = (w => w.WriteBulkString(Pattern(4096)), Bulk(Pattern(4096))),
        ["bulk 4097"] = (w => w.WriteBulkString(Pattern(4097)), Bulk(Pattern(4097))),
        ["bulk 100000"] = (w => w.WriteBulkString(Pattern(100_000)), Bulk(Pattern(100_000))),
        ["bulk string utf-8"] = (w => w.WriteBulkString("héllo"), Bytes.Of("$6\r\nh\xC3\xA9llo\r\n")),
        ["bulk string empty"] = (w => w.WriteBulkString(""), Bytes.Of("$0\r\n\r\n")),
        ["bulk string 5000 chars"] = (w => w.WriteBulkString(new string('é', 5000)), Bulk(Bytes.Of(string.Concat(Enumerable.Repeat("\xC3\xA9", 5000))))),
        ["bulk integer"] = (w => w.WriteBulkString(-12L), Bytes.Of("$3\r\n-12\r\n")),
        ["bulk integer min"] = (w => w.WriteBulkString(long.MinValue), Bytes.Of("$20\r\n-9223372036854775808\r\n")),
        ["null bulk"] = (w => w.WriteNullBulkString(), Bytes.Of("$-1\r\n")),
        ["array header"] = (w => w.WriteArrayHeader(3), Bytes.Of("*3\r\n")),
        ["array header empty"] = (w => w.WriteArrayHeader(0), Bytes.Of("*0\r\n")),
        ["array header max"] = (w => w.WriteArrayHeader(int.MaxValue), Bytes.Of("*2147483647\r\n")),
        ["null array"] = (w => w.WriteNullArray(), Bytes.Of("*-1\r\n")),
        // The shapes that differ between RESP2 and RESP3: the RESP2 form first, then Redis 7.0's RESP3 form.
        ["null resp2"] = (w => w.WriteNull(resp3: false), Bytes.Of("$-1\r\n")),
        ["null resp3"] = (w => w.WriteNull(resp3: true), Bytes.Of("_\r\n")),
        ["null array resp2"] = (w => w.WriteNullArray(resp3: false), Bytes.Of("*-1\r\n")),
        ["null array resp3"] = (w => w.WriteNullArray(resp3: true), Bytes.Of("_\r\n")),
        ["map resp2"] = (w => w.WriteMapHeader(3, resp3: false), Bytes.Of("*6\r\n")),
        ["map resp3"] = (w => w.WriteMapHeader(3, resp3: true), Bytes.Of("%3\r\n")),
        ["map max resp2"] = (w => w.WriteMapHeader(int.MaxValue, resp3: false), Bytes.Of("*4294967294\r\n")),
        ["set resp2"] = (w => w.WriteSetHeader(2, resp3: false), Bytes.Of("*2\r\n")),
        ["set resp3"] = (w => w.WriteSetHeader(2, resp3: true), Bytes.Of("~2\r\n")),
        ["pairs resp2"] = (w => { w.WritePairsHeader(2, resp3: false); w.WritePairHeader(resp3: false); }, Bytes.Of("*4\r\n")),
        ["pairs resp3"] = (w => { w.WritePairsHeader(2, resp3: true); w.WritePairHeader(resp3: true); }, Bytes.Of("*2\r\n*2\r\n")),
        ["double resp2"] = (w => w.WriteDouble("1.5"u8, resp3: false), Bytes.Of("$3\r\n1.5\r\n")),
        ["double resp3"] = (w => w.WriteDouble("-inf"u8, resp3: true), Bytes.Of(",-inf\r\n")),
        ["boolean resp2"] = (w => { w.WriteBoolean(true, resp3: false); w.WriteBoolean(false, resp3: false); }, Bytes.Of(":1\r\n:0\r\n")),
        ["boolean resp3"] = (w => { w.WriteBoolean(true, resp3: true); w.WriteBoolean(false, resp3: true); }, Bytes.Of("#t\r\n#f\r\n")),
        ["verbatim resp2"] = (w => w.WriteVerbatim("a:1\r\n", resp3: false), Bytes.Of("$5\r\na:1\r\n\r\n")),
        ["verbatim resp3"] = (w => w.WriteVerbatim("a:1\r\n", resp3: true), Bytes.Of("=9\r\ntxt:a:1\r\n\r\n")),
        ["verbatim resp3 big"] = (w => w.WriteVerbatim(Pattern(9000), resp3: true), [.. Bytes.Of("=9004\r\ntxt:"), .. Pattern(9000), .. Bytes.Of("\r\n")]),
    };

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var name in Cases.Keys)
        {
            foreach (var writer in new[] { "array", "pipe", "exact" })
            {
                rows.Add(name, writer);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task WritesGoldenBytes(string name, string writer)
    {
        var (write, expected) = Cases[name];

        var written = await WriteWith(writer, w =>
        {
            w.WriteRaw("<"u8);
            write(w);
            w.WriteRaw(">"u8);
        });

        Assert.Equal([(byte)'<', .. expected, (byte)'>'], written);
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(2_000_000)]
    public void BulkStringsBetweenTheBlockAndLargeSizesOrPastAMegabyteAreWrittenInChunks(int length)
    {
        // Copied through as many spans as the writer offers, never one span of its size.
        var writer = new ExactSizeBufferWriter();

        writer.WriteBulkString(Pattern(length));

        Assert.Equal(Bulk(Pattern(length)), writer.WrittenBytes);
        Assert.InRange(writer.LargestSizeHint, 1, 4096);
    }

    [Theory]
    [InlineData(32 * 1024)]
    [InlineData(200_000)]
    [InlineData(1024 * 1024)]
    public void LargeBulkStringsUpToAMegabyteAskForOneSpan(int length)
    {
        // Redis's big-argument size and up: one span from the writer (a pipe's shared-pool array), not 4 KB blocks.
        var writer = new ExactSizeBufferWriter();

        writer.WriteBulkString(Pattern(length));

        Assert.Equal(Bulk(Pattern(length)), writer.WrittenBytes);
        Assert.True(writer.LargestSizeHint >= length + 2, $"largest size asked {writer.LargestSizeHint}");
    }

    [Fact]
    public async Task ManyRepliesThroughASmallSegmentPipeKeepTheirOrder()
    {
        var written = await WriteWith("pipe", w =>
        {
            for (var i = 0; i < 100; i++)
            {
                w.WriteArrayHeader(2);
                w.WriteInteger(i);
                w.WriteBulkString(Pattern(i * 53));
            }
        });

        var expected = new List<byte>();
        for (var i = 0; i < 100; i++)
        {
            expected.AddRange(Bytes.Of($"*2\r\n:{i}\r\n"));
            expected.AddRange(Bulk(Pattern(i * 53)));
        }

        Assert.Equal(expected.ToArray(), written);
    }

    private static async Task<byte[]> WriteWith(string kind, Action<IBufferWriter<byte>> write)
    {
        switch (kind)
        {
            case "array":
                var array = new ArrayBufferWriter<byte>(1);
                write(array);
                return array.WrittenSpan.ToArray();
            case "exact":
                var exact = new ExactSizeBufferWriter();
                write(exact);
                return exact.WrittenBytes;
            default:
                var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 64, pauseWriterThreshold: 0));
                write(pipe.Writer);
                await pipe.Writer.CompleteAsync();
                var result = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
                var bytes = result.Buffer.ToArray();
                pipe.Reader.AdvanceTo(result.Buffer.End);
                await pipe.Reader.CompleteAsync();
                return bytes;
        }
    }

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 % 251);
        }

        return bytes;
    }

    private static byte[] Bulk(byte[] value) => [.. Bytes.Of($"${value.Length}\r\n"), .. value, .. "\r\n"u8];
}
