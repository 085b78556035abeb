using System.Buffers;
using System.Runtime.InteropServices;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>One <see cref="RespRequest"/> serves a whole connection: arguments must be right whatever came before.</summary>
public sealed class RespRequestTests
{
    [Fact]
    public void OneInstanceServesManyCommandsOfEveryShape()
    {
        using var request = new RespRequest();
        for (var i = 0; i < 200; i++)
        {
            var value = new string((char)('a' + (i % 26)), i * 7);
            var multibulk = Bytes.Of($"*3\r\n$3\r\nSET\r\n$3\r\nk{i % 10:D2}\r\n${value.Length}\r\n{value}\r\n");
            // Alternate: in place (one segment), copied to scratch (cut in two), inline (unquoted into scratch).
            var buffer = (i % 3) switch
            {
                0 => new ReadOnlySequence<byte>(multibulk),
                1 => FragmentedSequence.Split(multibulk, multibulk.Length / 2),
                _ => new ReadOnlySequence<byte>(Bytes.Of($"SET k{i % 10:D2} \"{value}\"\r\n")),
            };

            var reader = new SequenceReader<byte>(buffer);
            Assert.True(RespParser.TryReadCommand(ref reader, request));

            Assert.Equal(["SET", $"k{i % 10:D2}", value], Parse.Args(request));
            Assert.Equal(i % 3 == 2, request.IsInline);
        }
    }

    [Fact]
    public void FrameOver64KbAcrossSegmentsThenSmallFramesParse()
    {
        // The big frame is copied into a rented buffer, which goes back to the pool at the next command.
        var big = new string('x', 200_000);
        var bytes = Bytes.Of(
            $"*2\r\n$4\r\nECHO\r\n${big.Length}\r\n{big}\r\n" +
            "*2\r\n$4\r\nECHO\r\n$5\r\nsmall\r\n" +
            "ECHO inline\r\n" +
            $"*2\r\n$4\r\nECHO\r\n${big.Length}\r\n{big}\r\n" +
            "*1\r\n$4\r\nPING\r\n");
        using var request = new RespRequest();

        var commands = Parse.All(FragmentedSequence.Chunked(bytes, 4096), request);

        Assert.Equal([["ECHO", big], ["ECHO", "small"], ["ECHO", "inline"], ["ECHO", big], ["PING"]], commands);
    }

    [Fact]
    public void InlineLineOver64KbUsesARentedBufferAndStaysCorrect()
    {
        var big = new string('y', 40_000);
        var bytes = Bytes.Of($"ECHO \"{big}\"\r\nECHO tail\r\n");
        using var request = new RespRequest();

        var commands = Parse.All(new ReadOnlySequence<byte>(bytes), request);

        Assert.Equal([["ECHO", big], ["ECHO", "tail"]], commands);
    }

    [Fact]
    public void MemoryThatIsNotAnArrayIsCopied()
    {
        var bytes = Bytes.Of("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n");
        using var memory = new NonArrayMemory(bytes);
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(memory.Memory));

        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.False(MemoryMarshal.TryGetArray<byte>(memory.Memory, out _));
        Assert.Equal(["ECHO", "hello"], Parse.Args(request));
    }

    [Fact]
    public void AccessorsReadTheArguments()
    {
        using var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*2\r\n$3\r\nGET\r\n$4\r\nh\xC3\xA9!\r\n")));
        Assert.True(RespParser.TryReadCommand(ref reader, request));

        Assert.Equal(2, request.Count);
        Assert.Equal("GET", Bytes.Text(request.Name));
        Assert.Equal("hé!", request.GetString(1));
        Assert.Equal(Bytes.Of("h\xC3\xA9!"), request.ToArray(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => request[2].Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => request[-1].Length);
    }

    [Fact]
    public void AnIncompleteReadLeavesNoArguments()
    {
        using var request = new RespRequest();
        var full = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*1\r\n$4\r\nPING\r\n")));
        Assert.True(RespParser.TryReadCommand(ref full, request));

        var partial = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*2\r\n$3\r\nGET\r\n$1\r\n")));
        Assert.False(RespParser.TryReadCommand(ref partial, request));

        Assert.Equal(0, request.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => request[0].Length);
    }

    /// <summary>Memory with no array behind it as far as <see cref="MemoryMarshal.TryGetArray{T}"/> can tell.</summary>
    private sealed class NonArrayMemory(byte[] bytes) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => bytes;

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
