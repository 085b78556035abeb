using System.Buffers;

namespace PepperCache.Protocol.Tests.Infrastructure;

/// <summary>Drives <see cref="RespParser.TryReadCommand"/> over a whole buffer.</summary>
internal static class Parse
{
    /// <summary>Every complete command in <paramref name="buffer"/>, arguments as Latin-1 text.</summary>
    public static List<string[]> All(ReadOnlySequence<byte> buffer, RespRequest? request = null) =>
        All(buffer, request, out _);

    public static List<string[]> All(ReadOnlySequence<byte> buffer, RespRequest? request, out long unconsumed)
    {
        var owned = request is null;
        request ??= new RespRequest();
        try
        {
            var reader = new SequenceReader<byte>(buffer);
            var commands = new List<string[]>();
            // Bounded: each successful read consumes at least one byte.
            for (var guard = 0; guard <= buffer.Length; guard++)
            {
                var before = reader.Consumed;
                if (!RespParser.TryReadCommand(ref reader, request))
                {
                    unconsumed = reader.Remaining;
                    return commands;
                }

                Assert.True(reader.Consumed > before, "a successful read must consume bytes");
                commands.Add(Args(request));
            }

            throw new InvalidOperationException("parser did not make progress");
        }
        finally
        {
            if (owned)
            {
                request.Dispose();
            }
        }
    }

    public static string[] Args(RespRequest request)
    {
        var args = new string[request.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Bytes.Text(request[i]);
        }

        return args;
    }

    /// <summary>The single command in <paramref name="payload"/>; fails unless exactly one command is present.</summary>
    public static string[] One(ReadOnlySequence<byte> payload)
    {
        var commands = All(payload, null, out var unconsumed);
        Assert.Equal(0, unconsumed);
        return Assert.Single(commands);
    }

    /// <summary>The exception the parser throws on <paramref name="payload"/>.</summary>
    public static RespProtocolException Throws(ReadOnlySequence<byte> payload, RespLimits? limits = null)
    {
        using var request = new RespRequest(limits);
        return Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(payload);
            for (var guard = 0; guard <= payload.Length; guard++)
            {
                if (!RespParser.TryReadCommand(ref reader, request))
                {
                    return;
                }
            }
        });
    }
}
