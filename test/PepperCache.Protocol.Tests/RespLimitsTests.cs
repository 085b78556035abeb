using System.Buffers;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary>Claimed sizes are checked, never trusted: no up-front allocation, limits enforced as the header arrives.</summary>
public sealed class RespLimitsTests
{
    [Fact]
    public void HugeClaimedCountWithFewBytesAsksOnlyForTheNextBytes()
    {
        var bytes = Bytes.Of("*1000000\r\n$3\r\nSET\r\n$3\r\nk");
        using var request = new RespRequest();
        var warm = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        RespParser.TryReadCommand(ref warm, request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var complete = RespParser.TryReadCommand(ref reader, request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(complete);
        Assert.Equal(0, reader.Consumed);
        // At least the rest of the second argument ("ey\r\n"), at most twice what is buffered: not sized by the claim.
        Assert.InRange(request.BytesNeeded, bytes.Length + 4, 2 * bytes.Length);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void CountAboveMaxArgumentsIsRefused()
    {
        using var request = new RespRequest(new RespLimits { MaxArguments = 2 });

        var atLimit = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*2\r\n$1\r\na\r\n$1\r\nb\r\n")));
        Assert.True(RespParser.TryReadCommand(ref atLimit, request));

        var error = Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*3\r\n")));
            RespParser.TryReadCommand(ref reader, request);
        });
        Assert.Equal("invalid multibulk length", error.Message);
    }

    [Theory]
    [InlineData("*11\r\n", "unauthenticated multibulk length")]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16385\r\n", "unauthenticated bulk length")]
    [InlineData("*1\r\n$600000000\r\n", "invalid bulk length")]
    public void AClientThatMustAuthenticateMayNotClaimMuch(string input, string expected)
    {
        // Redis 7.0.15's answers to the same bytes from a client that has not sent AUTH to a server with requirepass.
        using var request = new RespRequest { Unauthenticated = true };

        var error = Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of(input)));
            RespParser.TryReadCommand(ref reader, request);
        });
        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData(true, "*10\r\n$3\r\nSET\r\n$1\r\nk\r\n$16384\r\n")]
    [InlineData(false, "*11\r\n$3\r\nSET\r\n$1\r\nk\r\n$16385\r\n")]
    public void AtTheUnauthenticatedLimitsOrOnceAuthenticatedTheCommandWaitsForItsBytes(bool unauthenticated, string input)
    {
        using var request = new RespRequest { Unauthenticated = unauthenticated };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of(input)));

        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void DefaultLimitsAreTheDocumentedOnes()
    {
        Assert.Equal(1024 * 1024, RespLimits.Default.MaxArguments);
        Assert.Equal(512L * 1024 * 1024, RespLimits.Default.MaxBulkLength);
        Assert.Equal(64 * 1024, RespLimits.Default.MaxInlineLength);
    }

    [Fact]
    public void CountAboveOneMebiArgumentsIsRefusedByDefault()
    {
        // A deliberate difference from Redis 7.0, which waits for up to INT_MAX arguments.
        using var request = new RespRequest();
        var error = Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*1048577\r\n$4\r\nPING\r\n")));
            RespParser.TryReadCommand(ref reader, request);
        });
        Assert.Equal("invalid multibulk length", error.Message);
    }

    [Fact]
    public void BulkAboveMaxBulkLengthIsRefusedBeforeItsBodyArrives()
    {
        using var request = new RespRequest(new RespLimits { MaxBulkLength = 10 });

        var atLimit = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*1\r\n$10\r\n0123456789\r\n")));
        Assert.True(RespParser.TryReadCommand(ref atLimit, request));

        var error = Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Bytes.Of("*1\r\n$11\r\n")));
            RespParser.TryReadCommand(ref reader, request);
        });
        Assert.Equal("invalid bulk length", error.Message);
    }

    [Fact]
    public void NewLimitsGivenToARequestApplyToTheNextCommand()
    {
        // As a connection does when CONFIG SET proto-max-bulk-len has replaced the server's limits.
        using var request = new RespRequest();
        var bytes = Bytes.Of("*1\r\n$100\r\n");

        var first = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.False(RespParser.TryReadCommand(ref first, request));

        request.Limits = request.Limits with { MaxBulkLength = 99 };
        Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            RespParser.TryReadCommand(ref reader, request);
        });
        Assert.Equal(512L * 1024 * 1024, RespLimits.Default.MaxBulkLength);
    }

    [Fact]
    public void TheSharedDefaultCannotBeChanged()
    {
        // Every property is init-only, so no code can change RespLimits.Default for every parser in the process.
        Assert.All(typeof(RespLimits).GetProperties(), property =>
            Assert.True(
                property.SetMethod is null ||
                property.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)),
                $"{property.Name} has a setter"));
    }

    [Fact]
    public void ManySmallArgumentsArrivingInSmallReadsAreNotReparsedOnEveryRead()
    {
        // The connection re-parses only once BytesNeeded bytes are buffered. RPUSH with 100,000 one-byte elements
        // (700 KB) arriving 4 KB at a time used to be parsed from its start on every read, 171 times (quadratic CPU);
        // the frame's lower bound of 6 bytes per missing argument, capped at double, leaves a few dozen.
        const int elements = 100_000;
        var text = new System.Text.StringBuilder($"*{elements + 1}\r\n$5\r\nRPUSH\r\n");
        text.Insert(text.Length, "$1\r\nx\r\n", elements);
        var bytes = Bytes.Of(text.ToString());
        using var request = new RespRequest(Redis7Limits);

        long needed = 0;
        var parses = 0;
        var complete = false;
        for (var buffered = 4096; !complete; buffered = Math.Min(buffered + 4096, bytes.Length))
        {
            if (buffered < needed)
            {
                continue;
            }

            parses++;
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, buffered));
            complete = RespParser.TryReadCommand(ref reader, request);
            Assert.True(complete || buffered < bytes.Length);
            needed = request.BytesNeeded;
            Assert.True(complete || needed <= bytes.Length, "asked for more than the frame");
        }

        Assert.Equal(elements + 1, request.Count);
        Assert.InRange(parses, 1, 40);
    }

    // Redis 7.0's count limit (INT_MAX), so huge claimed counts reach the waiting logic under test.
    private static readonly RespLimits Redis7Limits = new() { MaxArguments = int.MaxValue };

    [Fact]
    public void SmallFramesStayEagerSoErrorsAreAnsweredAsSoonAsRedisWould()
    {
        // Below 64 KB an incomplete frame asks only for its next byte, so a bad header sent after a big claim is
        // judged on arrival.
        var start = Bytes.Of("*2000000000\r\n$3\r\nSET\r\n");
        using var request = new RespRequest(Redis7Limits);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(start));
        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(start.Length + 1, request.BytesNeeded);

        var error = Parse.Throws(new ReadOnlySequence<byte>([.. start, .. "$abc\r\n"u8]), Redis7Limits);
        Assert.Equal("invalid bulk length", error.Message);
    }

    [Fact]
    public void LargeFramesWaitForAtMostTwiceWhatIsBuffered()
    {
        // Past 64 KB the parser waits for the frame's lower bound (6 bytes per missing argument), capped at double.
        var text = new System.Text.StringBuilder("*2000000000\r\n");
        text.Insert(text.Length, "$1\r\nx\r\n", 10_000);
        var bytes = Bytes.Of(text.ToString());
        using var request = new RespRequest(Redis7Limits);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.False(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(2 * bytes.Length, request.BytesNeeded);

        var nearlyDone = Bytes.Of("*10001\r\n" + text.ToString()[13..]);
        var last = new SequenceReader<byte>(new ReadOnlySequence<byte>(nearlyDone));
        Assert.False(RespParser.TryReadCommand(ref last, request));
        // One argument missing: it takes at least "$0\r\n\r\n".
        Assert.Equal(nearlyDone.Length + 6, request.BytesNeeded);
    }

    [Fact]
    public void TenMegabyteBulkInFourKilobyteSegmentsParses()
    {
        const int size = 10 * 1024 * 1024;
        var value = new byte[size];
        for (var i = 0; i < size; i++)
        {
            value[i] = (byte)(i * 31 % 251);
        }

        byte[] bytes = [.. Bytes.Of($"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${size}\r\n"), .. value, .. "\r\n*1\r\n$4\r\nPING\r\n"u8];
        var buffer = FragmentedSequence.Chunked(bytes, 4096);
        using var request = new RespRequest();

        // Half the body buffered: the parser asks for the whole frame at once, not byte by byte.
        var frameLength = bytes.Length - 14;
        var half = new SequenceReader<byte>(buffer.Slice(0, frameLength / 2));
        Assert.False(RespParser.TryReadCommand(ref half, request));
        Assert.Equal(frameLength, request.BytesNeeded);

        var reader = new SequenceReader<byte>(buffer);
        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal(3, request.Count);
        Assert.Equal("big", Bytes.Text(request[1]));
        Assert.True(request[2].SequenceEqual(value));

        Assert.True(RespParser.TryReadCommand(ref reader, request));
        Assert.Equal("PING", Bytes.Text(request.Name));
        Assert.True(reader.End);
    }
}
