using System.Buffers;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>The hot path allocates nothing per command once a connection's request and writer are warm.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void ParsingPipelinedCommandsAllocatesNothing()
    {
        var text = string.Concat(Enumerable.Range(0, 100).Select(i => $"*3\r\n$3\r\nSET\r\n$6\r\nkey:{i:D2}\r\n$5\r\nvalue\r\n"));
        var whole = new ReadOnlySequence<byte>(Bytes.Of(text));
        var segmented = FragmentedSequence.Chunked(Bytes.Of(text), 100);
        using var request = new RespRequest();
        ParseAll(whole, request);
        ParseAll(segmented, request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = ParseAll(whole, request) + ParseAll(segmented, request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(200, count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void WritingRepliesAllocatesNothing()
    {
        var writer = new ArrayBufferWriter<byte>(64 * 1024);
        var value = new byte[5000];
        WriteReplies(writer, value);
        writer.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        WriteReplies(writer, value);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(writer.WrittenCount > value.Length);
        Assert.Equal(0, allocated);
    }

    private static int ParseAll(ReadOnlySequence<byte> buffer, RespRequest request)
    {
        var reader = new SequenceReader<byte>(buffer);
        var count = 0;
        while (RespParser.TryReadCommand(ref reader, request))
        {
            count++;
        }

        return count;
    }

    private static void WriteReplies(ArrayBufferWriter<byte> writer, byte[] value)
    {
        writer.WriteOk();
        writer.WriteInteger(long.MinValue);
        writer.WriteArrayHeader(3);
        writer.WriteBulkString("short"u8);
        writer.WriteBulkString(value);
        writer.WriteBulkString(12345L);
        writer.WriteNullBulkString();
        writer.WriteSimpleString("OK"u8);
        writer.WriteError("ERR no"u8);
    }
}
