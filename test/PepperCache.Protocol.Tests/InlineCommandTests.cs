using System.Buffers;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>
/// Inline (telnet-style) commands split as Redis's <c>sdssplitargs</c> does. Every expectation was checked against
/// redis-server 7.0.15 by sending the line raw and reading the reply (ECHO for one argument, an unknown command for
/// several: Redis lists the arguments it split in the error).
/// </summary>
public sealed class InlineCommandTests
{
    public static TheoryData<string, string> Splits() => new()
    {
        { "ECHO a", "ECHO|a" },
        { "SET key value", "SET|key|value" },
        { "  SET   key  value  ", "SET|key|value" },
        { "\tECHO\t\tfoo\t", "ECHO|foo" },
        { "ECHO \"hello world\"", "ECHO|hello world" },
        { "ECHO 'hello world'", "ECHO|hello world" },
        { "XX \"a\" \"b\"  c", "XX|a|b|c" },
        { "ECHO \"\"", "ECHO|" },
        { "ECHO ''", "ECHO|" },
        { "ECHO \"\\x41\\x4a\"", "ECHO|AJ" },
        { "ECHO \"\\xfF\"", "ECHO|\xFF" },
        // Not two hex digits: "\x" is just an escaped 'x'.
        { "ECHO \"\\x4g\"", "ECHO|x4g" },
        { "ECHO \"\\x4\"", "ECHO|x4" },
        { "ECHO \"\\x\"", "ECHO|x" },
        { "ECHO \"a\\nb\\tc\\rd\\be\\af\\zg\\\\h\\\"i\"", "ECHO|a\nb\tc\rd\be\afzg\\h\"i" },
        { "ECHO \"\\\\\"", "ECHO|\\" },
        // Single quotes know only \' .
        { "ECHO 'it\\'s'", "ECHO|it's" },
        { "ECHO 'a\\nb'", "ECHO|a\\nb" },
        // A quote glued to text continues the same argument.
        { "ECHO foo\"bar baz\"", "ECHO|foobar baz" },
        { "ECHO a'b c'", "ECHO|ab c" },
        // Any isspace() byte may follow a closing quote.
        { "XX \"a\"\tb", "XX|a|b" },
        { "XX \"a\"\vb", "XX|a|b" },
        { "XX 'a'\fb", "XX|a|b" },
        // Outside quotes only space, tab, CR and LF end an argument; \v and \f are argument bytes.
        { "ECHO a\vb", "ECHO|a\vb" },
        { "ECHO\va", "ECHO\va" },
        // A CR that is not right before the LF separates arguments.
        { "ECHO a\rb", "ECHO|a|b" },
        { "ECHO a\r", "ECHO|a" },
        { "ECHO \"a\"\rb", "ECHO|a|b" },
    };

    public static TheoryData<string> Unbalanced() =>
    [
        "ECHO \"foo",
        "ECHO 'foo",
        "ECHO \"foo\"bar",
        "XX 'a'b",
        "XX \"a\"'b'",
        "XX a\"b\"c",
        "XX 'abc\\'",
        "ECHO \"abc\\\"",
        "ECHO \"a\\",
        "ECHO \"\\\"",
        "ECHO '\\\\'",
    ];

    [Theory]
    [MemberData(nameof(Splits))]
    public void InlineLineSplitsAsRedis(string line, string expected)
    {
        foreach (var ending in new[] { "\r\n", "\n" })
        {
            var bytes = Bytes.Of(line + ending);
            foreach (var buffer in new[] { new ReadOnlySequence<byte>(bytes), FragmentedSequence.Chunked(bytes, 1) })
            {
                using var request = new RespRequest();
                var reader = new SequenceReader<byte>(buffer);

                Assert.True(RespParser.TryReadCommand(ref reader, request));
                Assert.True(reader.End);
                Assert.True(request.IsInline);
                Assert.Equal(expected.Split('|'), Parse.Args(request));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Unbalanced))]
    public void UnbalancedQuotesAreAProtocolError(string line)
    {
        foreach (var ending in new[] { "\r\n", "\n" })
        {
            var bytes = Bytes.Of(line + ending);
            foreach (var buffer in new[] { new ReadOnlySequence<byte>(bytes), FragmentedSequence.Chunked(bytes, 1) })
            {
                Assert.Equal("unbalanced quotes in request", Parse.Throws(buffer).Message);
            }
        }
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("   \r\n")]
    [InlineData("\t \n")]
    [InlineData("\r\r\n")]
    public void BlankLineIsSkippedAndConsumed(string line)
    {
        var bytes = Bytes.Of(line);
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.True(reader.End);
        Assert.Equal(1, request.BytesNeeded);
    }

    [Fact]
    public void LineEndingsCanBeMixedInOnePipeline()
    {
        var commands = Parse.All(FragmentedSequence.Chunked(Bytes.Of("PING\nECHO a\r\n\r\nECHO 'b c'\nPING\r\n"), 2));

        Assert.Equal([["PING"], ["ECHO", "a"], ["ECHO", "b c"], ["PING"]], commands);
    }

    [Fact]
    public void InlineLimitFollowsRespLimits()
    {
        var limits = new RespLimits { MaxInlineLength = 16 };
        using var request = new RespRequest(limits);

        var atLimit = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of(new string('a', 16))));
        Assert.False(RespParser.TryReadCommand(ref atLimit, request));
        Assert.Equal(17, request.BytesNeeded);

        var error = Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of(new string('a', 17))));
            RespParser.TryReadCommand(ref reader, request);
        });
        Assert.Equal("too big inline request", error.Message);
    }
}
