using System.Buffers;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests;

public sealed class RespReplyParserTests
{
    public static TheoryData<string, string> WellFormed => new()
    {
        { "+OK\r\n", "+OK" },
        { "-ERR wrong number of arguments for 'set' command\r\n", "-ERR wrong number of arguments for 'set' command" },
        { ":0\r\n", ":0" },
        { ":-9223372036854775808\r\n", ":-9223372036854775808" },
        { ":9223372036854775807\r\n", ":9223372036854775807" },
        { "$5\r\nhello\r\n", "$hello" },
        { "$0\r\n\r\n", "$" },
        { "$-1\r\n", "$-1" },
        { "$4\r\na\r\nb\r\n", "$a\r\nb" },
        { "*0\r\n", "[]" },
        { "*-1\r\n", "*-1" },
        { "*3\r\n:1\r\n$-1\r\n+x\r\n", "[:1, $-1, +x]" },
        { "*2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*0\r\n", "[[$a, $b], []]" },
        // RESP3 (after HELLO 3), read into the nearest RESP2 kind.
        { "_\r\n", "$-1" },
        { ",1.5\r\n", "$1.5" },
        { "#f\r\n", ":0" },
        { "=8\r\ntxt:abcd\r\n", "$abcd" },
        { "!3\r\nabc\r\n", "-abc" },
        { "%1\r\n$1\r\na\r\n,inf\r\n", "[$a, $inf]" },
        { "%0\r\n", "[]" },
        { "~2\r\n:1\r\n:2\r\n", "[:1, :2]" },
        { "|1\r\n+k\r\n+v\r\n:5\r\n", ":5" },
    };

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void A_whole_reply_is_read_and_the_reader_stands_after_it(string wire, string expected)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire + "+next\r\n")));

        Assert.True(RespReplyParser.TryRead(ref reader, out var reply));
        Assert.Equal(expected, reply.ToString());
        Assert.True(RespReplyParser.TryRead(ref reader, out var next));
        Assert.Equal("+next", next.ToString());
        Assert.True(reader.End);
    }

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void A_reply_cut_at_any_byte_is_incomplete_and_the_reader_does_not_move(string wire, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));

            Assert.False(RespReplyParser.TryRead(ref reader, out var reply));
            Assert.Null(reply);
            Assert.Equal(0, reader.Consumed);
        }

        var whole = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(RespReplyParser.TryRead(ref whole, out var complete));
        Assert.Equal(expected, complete.ToString());
    }

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void A_reply_split_across_two_segments_at_any_byte_reads_the_same(string wire, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        for (var split = 1; split < bytes.Length; split++)
        {
            var reader = new SequenceReader<byte>(TwoSegments(bytes, split));

            Assert.True(RespReplyParser.TryRead(ref reader, out var reply));
            Assert.Equal(expected, reply.ToString());
            Assert.True(reader.End);
        }
    }

    [Fact]
    public void Bulk_strings_keep_binary_bytes()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([.. "$3\r\na\0"u8, 0xff, .. "\r\n"u8]));

        Assert.True(RespReplyParser.TryRead(ref reader, out var reply));
        Assert.Equal(RespReplyKind.BulkString, reply.Kind);
        Assert.Equal(new byte[] { (byte)'a', 0, 0xff }, reply.Bytes.ToArray());
    }

    [Fact]
    public void Resp3_replies_are_read_into_the_nearest_resp2_kind()
    {
        var wire = "%2\r\n$1\r\na\r\n,1.5\r\n$1\r\nb\r\n_\r\n~1\r\n#t\r\n=8\r\ntxt:abcd\r\n!3\r\nabc\r\n|1\r\n+k\r\n+v\r\n:5\r\n>1\r\n(12\r\n"u8.ToArray();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(wire));
        var replies = new List<RespReply>();
        while (RespReplyParser.TryRead(ref reader, out var reply))
        {
            replies.Add(reply);
        }

        Assert.Equal(0, reader.Remaining);
        Assert.Equal(["[$a, $1.5, $b, $-1]", "[:1]", "$abcd", "-abc", ":5", "[$12]"], replies.Select(r => r.ToString()));
    }

    [Theory]
    [InlineData("^3\r\nabc\r\n")]
    [InlineData("%-2\r\n")]
    [InlineData(":abc\r\n")]
    [InlineData(":\r\n")]
    [InlineData(":+5\r\n")]
    [InlineData(":1 \r\n")]
    [InlineData(":99999999999999999999\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("$x\r\n")]
    [InlineData("$3\r\nabcde\r\n")]
    [InlineData("*-2\r\n")]
    [InlineData("*2\r\n?\r\n:1\r\n:2\r\n")]
    [InlineData(":12345678901234567890123456789")]
    [InlineData("$12345678901234567890123456789")]
    public void Malformed_replies_throw(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);

        Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            RespReplyParser.TryRead(ref reader, out _);
        });
    }

    [Fact]
    public void An_array_claiming_more_elements_than_bytes_buffered_waits_without_allocating_them()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("*2000000000\r\n:1\r\n"u8.ToArray()));

        Assert.False(RespReplyParser.TryRead(ref reader, out _));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void Arrays_nested_past_the_depth_limit_throw_instead_of_overflowing_the_stack()
    {
        var wire = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", 100_000)) + ":1\r\n");

        Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(wire));
            RespReplyParser.TryRead(ref reader, out _);
        });
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var last = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
