using System.Buffers;
using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests.Fuzz;

/// <summary>
/// What must hold for any input to <see cref="RespParser.TryReadCommand"/>, whatever the bytes: the only exception is
/// <see cref="RespProtocolException"/>; every successful read consumes bytes and the reader never passes the end;
/// an incomplete read asks for more than is buffered; the same bytes give the same commands however they lie in
/// memory (one array, inside guard bytes, split into segments) and however they arrive (in reads of any size, with
/// commands taken out of the buffer past a limit, waiting for <see cref="RespRequest.BytesNeeded"/> as the server
/// does: a hint that overshoots would leave a whole command unanswered); and every command read encodes back to a
/// frame that reads as the same arguments.
/// </summary>
internal static class ParserProperties
{
    public static void Check(ParserCase c)
    {
        var whole = Outcome.Of(new ReadOnlySequence<byte>(c.Input), c.Limits);
        Same(whole, Outcome.Of(FragmentedSequence.Guarded(c.Input), c.Limits), "inside 0xFF guard bytes");
        Same(whole, Outcome.Of(GuardedByFrames(c.Input), c.Limits), "between guard bytes that form whole frames");
        if (c.Cuts.Length > 0)
        {
            Same(whole, Outcome.Of(FragmentedSequence.Split(c.Input, c.Cuts), c.Limits), "split at " + string.Join(',', c.Cuts));
        }

        if (c.OneBytePerSegment)
        {
            Same(whole, Outcome.Of(FragmentedSequence.Chunked(c.Input, 1), c.Limits), "one byte per segment");
        }

        Streaming(c, whole);
        RoundTrip(whole);
    }

    /// <summary>A parser that reads past the slice it was given would find a complete PING there.</summary>
    private static ReadOnlySequence<byte> GuardedByFrames(byte[] input)
    {
        var guard = "\r\n*1\r\n$4\r\nPING\r\n"u8;
        var array = new byte[input.Length + (2 * guard.Length)];
        guard.CopyTo(array);
        input.CopyTo(array, guard.Length);
        guard.CopyTo(array.AsSpan(guard.Length + input.Length));
        return new ReadOnlySequence<byte>(array, guard.Length, input.Length);
    }

    private static void Same(Outcome expected, Outcome actual, string layout)
    {
        if (!expected.Commands.SequenceEqual(actual.Commands) || expected.Error != actual.Error
            || expected.Consumed != actual.Consumed || expected.BytesNeeded != actual.BytesNeeded)
        {
            throw new FuzzPropertyException($"parsed {layout}: {actual} where one array gives {expected}");
        }
    }

    /// <summary>
    /// Feeds the input as a connection receives it: reads of the case's sizes appended to a buffer of segments,
    /// parsed only once <see cref="RespRequest.BytesNeeded"/> bytes are there (as RespConnectionHandler does),
    /// consumed bytes dropped, commands past the case's limit taken out of the buffer.
    /// </summary>
    private static void Streaming(ParserCase c, Outcome whole)
    {
        using var request = new RespRequest(c.Limits) { BufferedFrameLimit = c.BufferedFrameLimit };
        var input = c.Input;
        var segments = new List<ReadOnlyMemory<byte>>();
        var commands = new List<string>();
        string? error = null;
        long needed = 0;
        var delivered = 0;
        var steps = 0;
        var arrival = 0;
        while (delivered < input.Length && error is null)
        {
            var size = arrival < c.Arrivals.Length ? c.Arrivals[arrival++] : input.Length;
            var length = Math.Min(size, input.Length - delivered);
            segments.Add(input.AsMemory(delivered, length));
            delivered += length;
            var buffered = segments.Sum(s => (long)s.Length);
            if (buffered < needed)
            {
                continue;
            }

            var reader = new SequenceReader<byte>(FragmentedSequence.Create([.. segments]));
            try
            {
                while (RespParser.TryReadCommand(ref reader, request))
                {
                    commands.Add(Outcome.Describe(request));
                    if (++steps > (2 * input.Length) + 4)
                    {
                        throw new FuzzPropertyException("streaming parse returns commands without making progress");
                    }
                }

                needed = request.BytesNeeded;
                if (needed <= reader.Remaining)
                {
                    throw new FuzzPropertyException($"streaming parse returned false asking for {needed} bytes with {reader.Remaining} buffered");
                }
            }
            catch (RespProtocolException ex)
            {
                error = ex.Message;
            }

            Drop(segments, reader.Consumed);
        }

        var strict = input.Length <= c.Limits.MaxInlineLength;
        var prefix = commands.Count <= whole.Commands.Count && whole.Commands.Take(commands.Count).SequenceEqual(commands);
        if (!prefix || (strict && (commands.Count != whole.Commands.Count || error != whole.Error)))
        {
            throw new FuzzPropertyException(
                $"streamed in reads of [{string.Join(',', c.Arrivals)}] with buffered-frame-limit {c.BufferedFrameLimit}: " +
                $"{commands.Count} commands [{string.Join(" | ", commands)}], error {error ?? "none"}, waiting for {needed} bytes; " +
                $"one array gives {whole}");
        }
    }

    private static void Drop(List<ReadOnlyMemory<byte>> segments, long count)
    {
        while (count > 0 && segments.Count > 0)
        {
            if (segments[0].Length <= count)
            {
                count -= segments[0].Length;
                segments.RemoveAt(0);
            }
            else
            {
                segments[0] = segments[0][(int)count..];
                count = 0;
            }
        }
    }

    /// <summary>Every command read, written back as a multibulk frame, reads as the same arguments.</summary>
    private static void RoundTrip(Outcome whole)
    {
        foreach (var arguments in whole.Arguments)
        {
            var frame = RespFuzzInputs.EncodeMultiBulk(arguments);
            var again = Outcome.Of(new ReadOnlySequence<byte>(frame), RespLimits.Default);
            var expected = Outcome.Describe(arguments, inline: false);
            if (again.Commands.Count != 1 || again.Commands[0] != expected || again.Error is not null || again.Consumed != frame.Length)
            {
                throw new FuzzPropertyException($"re-encoded as \"{RespFuzzInputs.Escape(frame)}\" it reads as {again}");
            }
        }
    }
}

/// <summary>What one parse of a whole buffer gave: the commands, then an error or where it stopped for more bytes.</summary>
internal sealed record Outcome(List<string> Commands, List<byte[][]> Arguments, string? Error, long Consumed, long BytesNeeded)
{
    public static Outcome Of(ReadOnlySequence<byte> input, RespLimits limits)
    {
        using var request = new RespRequest(limits);
        var reader = new SequenceReader<byte>(input);
        var commands = new List<string>();
        var arguments = new List<byte[][]>();
        while (true)
        {
            var before = reader.Consumed;
            bool read;
            try
            {
                read = RespParser.TryReadCommand(ref reader, request);
            }
            catch (RespProtocolException ex)
            {
                return new Outcome(commands, arguments, ex.Message, before, 0);
            }

            if (reader.Consumed > input.Length)
            {
                throw new FuzzPropertyException($"the reader stands at {reader.Consumed}, past the input's {input.Length} bytes");
            }

            if (!read)
            {
                if (request.BytesNeeded <= reader.Remaining)
                {
                    throw new FuzzPropertyException($"returned false asking for {request.BytesNeeded} bytes with {reader.Remaining} buffered");
                }

                return new Outcome(commands, arguments, null, reader.Consumed, request.BytesNeeded);
            }

            if (reader.Consumed <= before || request.Count == 0)
            {
                throw new FuzzPropertyException($"a command of {request.Count} arguments read without consuming input (at {before})");
            }

            commands.Add(Describe(request));
            var args = new byte[request.Count][];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = request[i].ToArray();
            }

            arguments.Add(args);
        }
    }

    public static string Describe(RespRequest request)
    {
        var args = new byte[request.Count][];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = request[i].ToArray();
        }

        return Describe(args, request.IsInline);
    }

    public static string Describe(byte[][] arguments, bool inline) =>
        (inline ? "inline " : "") + string.Join(' ', arguments.Select(a => "\"" + RespFuzzInputs.Escape(a) + "\""));

    public override string ToString() =>
        $"{Commands.Count} commands [{string.Join(" | ", Commands)}], " +
        (Error is null ? $"stopped at {Consumed} waiting for {BytesNeeded} bytes" : $"error \"{Error}\" at {Consumed}");
}

/// <summary>A fuzz property did not hold.</summary>
internal sealed class FuzzPropertyException(string message) : Exception(message);
