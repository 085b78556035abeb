using System.Buffers;
using System.Text;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>
/// <see cref="RespRequest.BufferedFrameLimit"/>: a command that grows past it while incomplete is taken into the
/// request, so the caller's buffer stays small. Driven as a connection drives the parser: bytes arrive in chunks,
/// what the reader passed is dropped from the buffer, and parsing waits for <see cref="RespRequest.BytesNeeded"/>.
/// </summary>
public sealed class TakenCommandTests
{
    private const int Limit = 64 * 1024;

    [Theory]
    [InlineData(4096)]
    [InlineData(1000)]
    [InlineData(65536)]
    public void LargeValueIsTakenAsItArrivesAndTheBufferStaysSmall(int chunk)
    {
        var value = Pattern(3 * 1024 * 1024);
        var bytes = Concat(Command("SET", "big", value), Command("GET", "big"));

        var feed = Feed(bytes, chunk);

        Assert.Equal(2, feed.Commands.Count);
        Assert.Equal("SET", Encoding.ASCII.GetString(feed.Commands[0][0]));
        Assert.Equal("big", Encoding.ASCII.GetString(feed.Commands[0][1]));
        Assert.True(feed.Commands[0][2].AsSpan().SequenceEqual(value));
        Assert.Equal(["GET", "big"], feed.Commands[1].Select(a => Encoding.ASCII.GetString(a)));
        // Never much more than the limit and one read waits in the caller's buffer, where the whole frame used to.
        Assert.InRange(feed.MaxBuffered, 1, Limit + chunk);
        Assert.Equal(1, feed.TakenCommands);
    }

    [Fact]
    public void ManySmallArgumentsAreTakenOnceEach()
    {
        const int elements = 50_000;
        var args = new List<byte[]> { "RPUSH"u8.ToArray(), "list"u8.ToArray() };
        args.AddRange(Enumerable.Range(0, elements).Select(i => Encoding.ASCII.GetBytes((i % 1000).ToString("D3"))));
        var bytes = Command([.. args]);

        var feed = Feed(bytes, 4096);

        var command = Assert.Single(feed.Commands);
        Assert.Equal(elements + 2, command.Length);
        Assert.Equal("RPUSH", Encoding.ASCII.GetString(command[0]));
        Assert.Equal("999", Encoding.ASCII.GetString(command[1000 + 1]));
        Assert.InRange(feed.MaxBuffered, 1, Limit + 4096);
        // Linear: one parse per read once taking, and few before (BytesNeeded holds the parser back).
        Assert.InRange(feed.Parses, 1, (bytes.Length / 4096) + 20);
    }

    [Fact]
    public void MixedArgumentsSplitAtOddPlacesComeOutWhole()
    {
        var large1 = Pattern(100_000);
        var large2 = Pattern(RespRequest.LargeArgument);
        var small = Pattern(RespRequest.LargeArgument - 1);
        byte[][] args = ["MSET"u8.ToArray(), "a"u8.ToArray(), large1, "b"u8.ToArray(), small, "c"u8.ToArray(), large2, "d"u8.ToArray(), [], "e"u8.ToArray(), Pattern(70_000)];
        var bytes = Concat(Command(args), Command("PING"), Command("ECHO", Pattern(80_000)));

        foreach (var chunk in new[] { 113, 1024, 32 * 1024 + 3 })
        {
            var feed = Feed(bytes, chunk);

            Assert.Equal(3, feed.Commands.Count);
            Assert.Equal(args.Length, feed.Commands[0].Length);
            for (var i = 0; i < args.Length; i++)
            {
                Assert.True(feed.Commands[0][i].AsSpan().SequenceEqual(args[i]), $"argument {i} differs with {chunk}-byte reads");
            }

            Assert.Equal(["PING"], feed.Commands[1].Select(a => Encoding.ASCII.GetString(a)));
            Assert.Equal(80_000, feed.Commands[2][1].Length);
        }
    }

    [Theory]
    [InlineData("\x08\xD1\xE3", 1)]
    [InlineData("GET some-key", 4)]
    [InlineData("*12345", 2)]
    public void LineLongerThanTheLimitAsksForMoreThanIsBuffered(string partialLine, int limit)
    {
        // Found by RespParserFuzzTests: an inline line (or a header line) is never taken, so capping BytesNeeded at a
        // limit below its length asked for bytes already buffered.
        using var request = new RespRequest { BufferedFrameLimit = limit };
        var bytes = Encoding.Latin1.GetBytes(partialLine);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(0, reader.Consumed);
        Assert.Equal(bytes.Length + 1, request.BytesNeeded);
    }

    [Fact]
    public void TakenMemoryIsLetGoAtTheNextCommand()
    {
        using var request = new RespRequest { BufferedFrameLimit = Limit };
        var big = Command("SET", "k", Pattern(200_000));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(big, 0, 100_000));
        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(100_000, reader.Consumed);
        Assert.True(request.TakenBytes >= 200_000);

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>([.. big.AsSpan(100_000), .. Command("PING")]));
        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.True(request.WasTaken);
        Assert.Equal(200_000, request[2].Length);

        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.False(request.WasTaken);
        Assert.Equal(0, request.TakenBytes);
        Assert.Equal("PING", Bytes.Text(request[0]));
    }

    [Fact]
    public void ALargeArgumentsArrayGoesBackAtTheNextCommandUnlessItWasKept()
    {
        var returned = new List<byte[]>();
        using var request = new RespRequest { BufferedFrameLimit = 1024 * 1024, LargeArgumentReturn = returned.Add };
        var first = Pattern(RespRequest.LargeArgument);
        var second = Pattern(RespRequest.LargeArgument + 1);
        var bytes = Concat(Command("LPUSH", "k", first, second), Command("SET", "k", first), Command("PING"));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.True(request.TryGetOwnArray(2, out var lpushFirst, out _));
        Assert.True(request.TryGetOwnArray(3, out var lpushSecond, out _) && lpushSecond.Length == second.Length);
        Assert.Empty(returned);

        // Only the next command lets go: LPUSH's second element, asked for, is the caller's; so is the first.
        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.Empty(returned);
        var setValue = request[2].ToArray();

        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal("PING", Bytes.Text(request[0]));
        var back = Assert.Single(returned);
        Assert.Equal(setValue, back);
        Assert.False(ReferenceEquals(back, lpushFirst));
    }

    [Fact]
    public void LargeArgumentHeadroomLeavesRoomForAHeaderAndThePreviousArgument()
    {
        using var request = new RespRequest { BufferedFrameLimit = Limit, LargeArgumentHeadroom = 16 };
        var value = Pattern(300_000);
        var bytes = Command("SET", "some-key", value);
        var reader = new SequenceReader<byte>(FragmentedSequence.Chunked(bytes[..100_000], 4096));
        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(100_000, reader.Consumed);

        reader = new SequenceReader<byte>(FragmentedSequence.Chunked(bytes[100_000..], 4096));
        Assert.True(RespParser.TryReadCommand(ref reader, request));

        Assert.True(request[2].SequenceEqual(value));
        Assert.True(request.TryGetOwnArray(2, out var array, out var start));
        Assert.Equal(16 + "some-key".Length, start);
        Assert.Equal(start + value.Length, array.Length);
        Assert.False(request.TryGetOwnArray(1, out _, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void WholeCommandWithALargeArgumentIsTakenInOneCall(int chunk)
    {
        // Below the limit and whole, as a 200 KB SET arrives: the value still goes into its own array (with the
        // headroom) instead of being read in place, joined into one span and copied again.
        using var request = new RespRequest { BufferedFrameLimit = 1024 * 1024, LargeArgumentHeadroom = 16 };
        var value = Pattern(RespRequest.LargeArgument);
        var bytes = Concat(Command("SET", "some-key", value), Command("GET", "some-key"));
        var reader = new SequenceReader<byte>(FragmentedSequence.Chunked(bytes, chunk));

        Assert.True(RespParser.TryReadCommand(ref reader, request));

        Assert.True(request.WasTaken);
        Assert.True(request[2].SequenceEqual(value));
        Assert.True(request.TryGetOwnArray(2, out var array, out var start));
        Assert.Equal(16 + "some-key".Length, start);
        Assert.Equal(start + value.Length, array.Length);
        Assert.Equal(bytes.Length - Command("GET", "some-key").Length, reader.Consumed);

        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.False(request.WasTaken);
        Assert.Equal("GET", Bytes.Text(request[0]));
    }

    [Fact]
    public void AHeaderPastTheLimitAloneGetsNoArrayUntilTheLimitsWorthHasArrived()
    {
        // 50 bytes must not buy a client an array of 100 MB: past the limit, a large argument is taken only once the
        // limit's worth of its command is buffered (as before there was an early take), or once it is here whole.
        using var request = new RespRequest { BufferedFrameLimit = Limit };
        var head = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n");
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(head));

        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(0, reader.Consumed);
        Assert.Equal(0, request.TakenBytes);

        var more = Concat(head, Pattern(Limit));
        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(more));
        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(more.Length, reader.Consumed);
        Assert.True(request.TakenBytes >= 100_000_000);
    }

    [Theory]
    [InlineData((2 * Limit) + 5, true)] // past the limit, but here whole: taken in one call
    [InlineData(RespRequest.LargeArgument - 1, false)] // under the large size: read in place
    public void AWholeCommandIsTakenOnlyForALargeArgument(int length, bool taken)
    {
        using var request = new RespRequest { BufferedFrameLimit = Limit, LargeArgumentHeadroom = 16 };
        var value = Pattern(length);
        var reader = new SequenceReader<byte>(FragmentedSequence.Chunked(Command("SET", "k", value), 4096));

        Assert.True(RespParser.TryReadCommand(ref reader, request));

        Assert.Equal(taken, request.WasTaken);
        Assert.True(request[2].SequenceEqual(value));
        Assert.Equal(taken, request.TryGetOwnArray(2, out _, out _));
    }

    [Theory]
    [InlineData("$abc\r\n", "invalid bulk length")]
    [InlineData("x\r\n", "expected '$', got 'x'")]
    [InlineData("$-1\r\n", "invalid bulk length")]
    public void MalformedArgumentAfterTakingIsAProtocolError(string tail, string error)
    {
        using var request = new RespRequest { BufferedFrameLimit = Limit };
        var head = Concat(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$70000\r\n"), Pattern(70_000), "\r\n"u8.ToArray());
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(head));
        Assert.False(RespParser.TryReadCommand(ref reader, request));

        var thrown = Assert.Throws<RespProtocolException>(() =>
        {
            var rest = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(tail)));
            RespParser.TryReadCommand(ref rest, request);
        });
        Assert.Equal(error, thrown.Message);
    }

    [Fact]
    public void WithoutALimitCommandsStayInTheBuffer()
    {
        using var request = new RespRequest();
        var big = Command("SET", "k", Pattern(500_000));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(big, 0, 400_000));

        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(0, reader.Consumed);
        Assert.Equal(0, request.TakenBytes);
    }

    private sealed record FeedResult(List<byte[][]> Commands, long MaxBuffered, int Parses, int TakenCommands);

    /// <summary>As a connection: append a chunk, parse if BytesNeeded are buffered, drop what the reader passed.</summary>
    private static FeedResult Feed(byte[] bytes, int chunk)
    {
        using var request = new RespRequest { BufferedFrameLimit = Limit };
        var commands = new List<byte[][]>();
        var buffer = new List<byte>();
        long needed = 0;
        long maxBuffered = 0;
        var parses = 0;
        var taken = 0;
        for (var offset = 0; offset < bytes.Length;)
        {
            var take = Math.Min(chunk, bytes.Length - offset);
            buffer.AddRange(bytes.AsSpan(offset, take));
            offset += take;
            maxBuffered = Math.Max(maxBuffered, buffer.Count);
            if (buffer.Count < needed)
            {
                continue;
            }

            parses++;
            var reader = new SequenceReader<byte>(FragmentedSequence.Chunked([.. buffer], 4096));
            while (RespParser.TryReadCommand(ref reader, request))
            {
                commands.Add(Enumerable.Range(0, request.Count).Select(i => request[i].ToArray()).ToArray());
                taken += request.WasTaken ? 1 : 0;
            }

            needed = request.BytesNeeded;
            buffer.RemoveRange(0, (int)reader.Consumed);
        }

        Assert.Empty(buffer);
        return new(commands, maxBuffered, parses, taken);
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

    private static byte[] Command(string name, params object[] args) =>
        Command([Encoding.ASCII.GetBytes(name), .. args.Select(a => a as byte[] ?? Encoding.ASCII.GetBytes((string)a))]);

    private static byte[] Command(params byte[][] args)
    {
        var output = new List<byte>(Encoding.ASCII.GetBytes($"*{args.Length}\r\n"));
        foreach (var arg in args)
        {
            output.AddRange(Encoding.ASCII.GetBytes($"${arg.Length}\r\n"));
            output.AddRange(arg);
            output.AddRange("\r\n"u8.ToArray());
        }

        return [.. output];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
