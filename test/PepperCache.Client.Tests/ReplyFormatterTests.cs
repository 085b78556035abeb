using PepperCache.Cli;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests;

public sealed class ReplyFormatterTests
{
    [Fact]
    public void Simple_types_render_as_the_original_tool_and_redis_cli_do()
    {
        Assert.Equal("OK", ReplyFormatter.Format(RespReply.SimpleString("OK"), raw: false));
        Assert.Equal("(error) ERR wrong number of arguments for 'set' command",
            ReplyFormatter.Format(RespReply.Error("ERR wrong number of arguments for 'set' command"), raw: false));
        Assert.Equal("(integer) 5", ReplyFormatter.Format(RespReply.FromInteger(5), raw: false));
        Assert.Equal("(integer) -2", ReplyFormatter.Format(RespReply.FromInteger(-2), raw: false));
        Assert.Equal("12", ReplyFormatter.Format(RespReply.Bulk("12"), raw: false));
        Assert.Equal("hello world", ReplyFormatter.Format(RespReply.Bulk("hello world"), raw: false));
        Assert.Equal("nil", ReplyFormatter.Format(RespReply.NullBulk, raw: false));
        Assert.Equal("nil", ReplyFormatter.Format(RespReply.NullArray, raw: false));
        Assert.Equal("(empty array)", ReplyFormatter.Format(RespReply.FromArray([]), raw: false));
    }

    [Fact]
    public void Bulk_strings_with_unprintable_bytes_or_none_are_quoted_and_escaped_like_redis_cli()
    {
        Assert.Equal("\"a\\x00b\"", ReplyFormatter.Format(RespReply.Bulk([(byte)'a', 0, (byte)'b']), raw: false));
        Assert.Equal("\"\"", ReplyFormatter.Format(RespReply.Bulk([]), raw: false));
        Assert.Equal("\"line\\nnext\\r\\t\\a\\b\"", ReplyFormatter.Format(RespReply.Bulk("line\nnext\r\t\a\b"), raw: false));
        Assert.Equal("\"caf\\xc3\\xa9 \\\"q\\\" \\\\\"", ReplyFormatter.Format(RespReply.Bulk("café \"q\" \\"), raw: false));
        Assert.Equal("\"\\x7f\\xff\"", ReplyFormatter.Format(RespReply.Bulk([0x7f, 0xff]), raw: false));
    }

    [Fact]
    public void Arrays_are_numbered_with_indexes_aligned_to_the_widest()
    {
        var elements = Enumerable.Range(1, 10).Select(i => RespReply.Bulk($"v{i}")).ToArray();

        var text = ReplyFormatter.Format(RespReply.FromArray(elements), raw: false);

        Assert.Equal(
            " 1) v1\n 2) v2\n 3) v3\n 4) v4\n 5) v5\n 6) v6\n 7) v7\n 8) v8\n 9) v9\n10) v10",
            text);
    }

    [Fact]
    public void Nested_arrays_indent_under_their_parent_as_redis_cli_does()
    {
        // SCAN-like: a cursor then a list of keys, and a null and empty array inside.
        var reply = RespReply.FromArray(
        [
            RespReply.Bulk("0"),
            RespReply.FromArray([RespReply.Bulk("k1"), RespReply.FromArray([RespReply.FromInteger(1), RespReply.NullBulk]), RespReply.Bulk("")]),
            RespReply.FromArray([]),
        ]);

        var text = ReplyFormatter.Format(reply, raw: false);

        Assert.Equal(
            "1) 0\n" +
            "2) 1) k1\n" +
            "   2) 1) (integer) 1\n" +
            "      2) nil\n" +
            "   3) \"\"\n" +
            "3) (empty array)",
            text);
    }

    [Fact]
    public void Raw_output_has_no_types_numbers_or_quotes()
    {
        Assert.Equal("OK", ReplyFormatter.Format(RespReply.SimpleString("OK"), raw: true));
        Assert.Equal("ERR bad", ReplyFormatter.Format(RespReply.Error("ERR bad"), raw: true));
        Assert.Equal("5", ReplyFormatter.Format(RespReply.FromInteger(5), raw: true));
        Assert.Equal("", ReplyFormatter.Format(RespReply.NullBulk, raw: true));
        Assert.Equal("a\nb\n\nc", ReplyFormatter.Format(
            RespReply.FromArray([RespReply.Bulk("a"), RespReply.Bulk("b\n"), RespReply.Bulk("c")]), raw: true));
    }
}
