using System.Buffers;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>Several commands in one buffer: order, byte-exact arguments and silently skipped empty commands.</summary>
public sealed class RespParserPipelineTests
{
    private const string Pipeline =
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n" +
        "PING\r\n" +
        "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" +
        "ECHO \"a b\"\n" +
        "*1\r\n$4\r\nQUIT\r\n";

    [Theory]
    [SegmentedData(Pipeline)]
    public void PipelinedCommandsParseInOrder(string payload, string variant)
    {
        var commands = Parse.All(Segmentation.Build(payload, variant), null, out var unconsumed);

        Assert.Equal(0, unconsumed);
        Assert.Equal(
            [["SET", "k", "v"], ["PING"], ["GET", "k"], ["ECHO", "a b"], ["QUIT"]],
            commands);
    }

    [Theory]
    [SegmentedData("*3\r\n$3\r\nSET\r\n$4\r\n\0\r\n\0\r\n$9\r\n\r\n$1\r\n*\xFF\x80\r\n")]
    public void BulkArgumentsAreByteExact(string payload, string variant)
    {
        var args = Parse.One(Segmentation.Build(payload, variant));

        Assert.Equal(["SET", "\0\r\n\0", "\r\n$1\r\n*\xFF\x80"], args);
    }

    [Theory]
    [SegmentedData("*0\r\n*-1\r\n\r\n\n   \r\n*-5\r\n\t\n*1\r\n$4\r\nPING\r\n*0\r\n")]
    public void EmptyCommandsAreSkippedSilently(string payload, string variant)
    {
        // Redis: a multibulk count <= 0 and an inline line of only whitespace produce no command and no reply.
        var commands = Parse.All(Segmentation.Build(payload, variant), null, out var unconsumed);

        Assert.Equal(0, unconsumed);
        Assert.Equal([["PING"]], commands);
    }

    [Theory]
    [SegmentedData("*0\r\n\r\n*1\r\n$4\r\nPI")]
    public void EmptyCommandsBeforeAnIncompleteOneAreConsumed(string payload, string variant)
    {
        // The reader stops at the start of the incomplete command, never inside it; what it skipped stays skipped.
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(Segmentation.Build(payload, variant));

        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(6, reader.Consumed);
        Assert.Equal(14, request.BytesNeeded);
    }

    [Theory]
    [SegmentedData("\r\n*1\r\n$4\r\nPING\r\n")]
    public void MultibulkAfterABlankInlineLineIsNotInline(string payload, string variant)
    {
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(Segmentation.Build(payload, variant));

        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal("PING", Bytes.Text(request.Name));
        Assert.False(request.IsInline);
    }

    [Fact]
    public void ManyCommandsInSmallSegmentsParseInOrder()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i =>
            i % 3 == 0 ? $"SET key:{i} value:{i}\r\n" : $"*3\r\n$3\r\nSET\r\n${4 + Digits(i)}\r\nkey:{i}\r\n${6 + Digits(i)}\r\nvalue:{i}\r\n"));
        var bytes = Bytes.Of(text);

        foreach (var size in new[] { 1, 3, 7, 64, 4096 })
        {
            var commands = Parse.All(FragmentedSequence.Chunked(bytes, size));

            Assert.Equal(500, commands.Count);
            for (var i = 0; i < commands.Count; i++)
            {
                Assert.Equal(["SET", $"key:{i}", $"value:{i}"], commands[i]);
            }
        }
    }

    [Fact]
    public void ArgumentsCrossingSegmentsAreCopiedWhileSingleSegmentFramesAreNot()
    {
        // A frame in one array segment is read in place; one split across segments is copied to scratch. Both give
        // the same bytes, and the in-place one really points into the caller's array.
        var bytes = Bytes.Of("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n");
        using var request = new RespRequest();

        var whole = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(RespParser.TryReadCommand(ref whole, request));
        Assert.Equal("hello", Bytes.Text(request[1]));
        bytes[18] = (byte)'j';
        Assert.Equal("jello", Bytes.Text(request[1]));

        var split = new SequenceReader<byte>(FragmentedSequence.Split(bytes, 20));
        Assert.True(RespParser.TryReadCommand(ref split, request));
        bytes[18] = (byte)'h';
        Assert.Equal("jello", Bytes.Text(request[1]));
    }

    private static int Digits(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
}
