using System.Buffers;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>
/// The Kestrel triad for <see cref="RespParser.TryReadCommand"/>: incomplete input returns false, incomplete input is
/// not consumed, malformed input throws with Redis's text. Every payload runs in every memory layout.
/// </summary>
public sealed class RespParserTriadTests
{
    // Expected arguments are '|'-separated.
    [Theory]
    [SegmentedData("*1\r\n$4\r\nPING\r\n", "PING")]
    [SegmentedData("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", "SET|key|value")]
    [SegmentedData("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", "ECHO|")]
    [SegmentedData("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0b\xFF\r\n", "ECHO|a\r\n\0b\xFF")]
    [SegmentedData("*2\r\n$4\r\nECHO\r\n$12\r\n012345678901\r\n", "ECHO|012345678901")]
    [SegmentedData("PING\r\n", "PING")]
    [SegmentedData("PING\n", "PING")]
    [SegmentedData("SET key value\r\n", "SET|key|value")]
    [SegmentedData("ECHO \"hello world\"\r\n", "ECHO|hello world")]
    [SegmentedData("ECHO 'a b' \"\\x41\\n\"\r\n", "ECHO|a b|A\n")]
    public void TryReadCommandReturnsFalseWhenGivenIncompleteCommand(string payload, string variant, string expected)
    {
        var bytes = Bytes.Of(payload);
        var full = Segmentation.Build(bytes, variant);
        var expectedArgs = expected.Split('|');
        // Once the last argument's header is in, only its body is missing: the parser must ask for the whole frame.
        var lastBodyStart = bytes[0] == (byte)'*' ? bytes.Length - Bytes.Of(expectedArgs[^1]).Length - 2 : bytes.Length;

        using var request = new RespRequest();
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(full.Slice(0, length));
            Assert.False(RespParser.TryReadCommand(ref reader, request), $"prefix of {length} bytes");
            Assert.InRange(request.BytesNeeded, length + 1, bytes.Length);
            if (length >= lastBodyStart)
            {
                Assert.Equal(bytes.Length, request.BytesNeeded);
            }
        }

        var complete = new SequenceReader<byte>(full);
        Assert.True(RespParser.TryReadCommand(ref complete, request));
        Assert.True(complete.End);
        Assert.Equal(expectedArgs, Parse.Args(request));
        Assert.Equal(bytes[0] != (byte)'*', request.IsInline);
    }

    [Theory]
    [SegmentedData("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n")]
    [SegmentedData("PING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n")]
    [SegmentedData("*1\r\n$4\r\nPING\r\nECHO hello\r\n")]
    [SegmentedData("PING\nECHO \"hello\"\n")]
    public void TryReadCommandDoesNotConsumeIncompleteCommand(string payload, string variant)
    {
        // The second command starts where the first ends; prefixes cut the second command short while the reader
        // stands mid-buffer, so BytesNeeded must count from the reader, not from the buffer start.
        var bytes = Bytes.Of(payload);
        var full = Segmentation.Build(bytes, variant);
        using var request = new RespRequest();
        var probe = new SequenceReader<byte>(full);
        Assert.True(RespParser.TryReadCommand(ref probe, request));
        var firstLength = probe.Consumed;

        for (var length = firstLength; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(full.Slice(0, length));
            Assert.True(RespParser.TryReadCommand(ref reader, request));
            Assert.Equal(firstLength, reader.Consumed);

            Assert.False(RespParser.TryReadCommand(ref reader, request), $"prefix of {length} bytes");
            Assert.Equal(firstLength, reader.Consumed);
            Assert.InRange(request.BytesNeeded, length - firstLength + 1, bytes.Length - firstLength);
        }
    }

    [Theory]
    [InlineData("*x\r\n*1\r\n$4\r\nPING\r\n")]
    [InlineData("*1\r\n$-1\r\n$4\r\nPING\r\n")]
    [InlineData("*2\r\n$4\r\nECHO\r\nX3\r\nfoo\r\n")]
    [InlineData("*1\r\n\r\nPING\r\n")]
    [InlineData("ECHO \"foo\r\nPING\r\n")]
    [InlineData("PING\r\nECHO 'x'y\nPING\n")]
    public void TryReadCommandThrowsOnlyOnceTheOffendingLineIsComplete(string payload)
    {
        // Redis judges a header only when its CR and one more byte are buffered, and an inline line only at its LF:
        // shorter prefixes wait (false), every longer one fails the same way.
        var bytes = Bytes.Of(payload);
        string? firstError = null;
        for (var length = 0; length <= bytes.Length; length++)
        {
            foreach (var buffer in new[] { new ReadOnlySequence<byte>(bytes, 0, length), FragmentedSequence.Chunked(bytes[..length], 1) })
            {
                string? error = null;
                try
                {
                    Parse.All(buffer);
                }
                catch (RespProtocolException ex)
                {
                    error = ex.Message;
                }

                if (firstError is null && error is not null)
                {
                    firstError = error;
                    var last = bytes[length - 1];
                    Assert.True(last == (byte)'\n' || (length >= 2 && bytes[length - 2] == (byte)'\r'), $"failed early, at {length} bytes");
                }

                Assert.Equal(firstError, error);
            }
        }

        Assert.NotNull(firstError);
    }

    [Theory]
    [SegmentedData("*x\r\n", "invalid multibulk length")]
    [SegmentedData("*\r\n", "invalid multibulk length")]
    [SegmentedData("*-0\r\n", "invalid multibulk length")]
    [SegmentedData("*+1\r\n", "invalid multibulk length")]
    [SegmentedData("*01\r\n", "invalid multibulk length")]
    [SegmentedData("* 1\r\n", "invalid multibulk length")]
    [SegmentedData("*1 \r\n", "invalid multibulk length")]
    [SegmentedData("*2147483648\r\n", "invalid multibulk length")]
    [SegmentedData("*99999999999999999999\r\n", "invalid multibulk length")]
    [SegmentedData("*1\r\n$x\r\n", "invalid bulk length")]
    [SegmentedData("*1\r\n$\r\n", "invalid bulk length")]
    [SegmentedData("*1\r\n$-1\r\n", "invalid bulk length")]
    [SegmentedData("*1\r\n$-0\r\n", "invalid bulk length")]
    [SegmentedData("*1\r\n$536870913\r\n", "invalid bulk length")]
    [SegmentedData("*1\r\nX3\r\nfoo\r\n", "expected '$', got 'X'")]
    [SegmentedData("*2\r\n$4\r\nECHO\r\n:1\r\n", "expected '$', got ':'")]
    [SegmentedData("*3\r\n$4\r\nECHO\r\n$1\r\nab\r\n$1\r\nc\r\n", "expected '$', got ' '")]
    [SegmentedData("ECHO \"foo\r\n", "unbalanced quotes in request")]
    [SegmentedData("ECHO 'foo\r\n", "unbalanced quotes in request")]
    [SegmentedData("ECHO \"foo\"bar\r\n", "unbalanced quotes in request")]
    [SegmentedData("ECHO \"abc\\\"\r\n", "unbalanced quotes in request")]
    [SegmentedData("PING\r\nECHO 'x'y\n", "unbalanced quotes in request")]
    public void TryReadCommandThrowsOnInvalidCommand(string payload, string variant, string message)
    {
        var error = Parse.Throws(Segmentation.Build(payload, variant));
        Assert.Equal(message, error.Message);
    }
}
