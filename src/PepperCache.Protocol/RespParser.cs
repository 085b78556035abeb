using System.Buffers;
using System.Runtime.CompilerServices;

namespace PepperCache.Protocol;

/// <summary>
/// Reads RESP2 commands (multibulk arrays of bulk strings) and inline commands from a byte sequence.
/// </summary>
public static class RespParser
{
    /// <summary>
    /// Reads the next command into <paramref name="request"/>. Three outcomes, kept apart:
    /// <list type="bullet">
    /// <item><c>true</c>: a whole command was read; the reader stands after it.</item>
    /// <item><c>false</c>: the input ends inside a command; the reader is unmoved and
    /// <see cref="RespRequest.BytesNeeded"/> says how much must be buffered before trying again.</item>
    /// <item><see cref="RespProtocolException"/>: the input is malformed or over a limit; the connection must be closed.</item>
    /// </list>
    /// Empty commands (<c>*0</c>, <c>*-1</c>, a blank inline line) are consumed silently, as Redis does.
    /// </summary>
    public static bool TryReadCommand(ref SequenceReader<byte> reader, RespRequest request)
    {
        request.Reset();
        while (true)
        {
            if (!reader.TryPeek(out var first))
            {
                request.BytesNeeded = 1;
                return false;
            }

            var saved = reader;
            var complete = first == (byte)'*'
                ? TryReadMultiBulk(ref reader, request)
                : TryReadInline(ref reader, request);
            if (!complete)
            {
                reader = saved;
                return false;
            }

            if (request.Count > 0)
            {
                return true;
            }
        }
    }

    private static bool TryReadMultiBulk(ref SequenceReader<byte> reader, RespRequest request)
    {
        var limits = request.Limits;
        var frameStart = reader.Position;
        var frameStartConsumed = reader.Consumed;
        reader.Advance(1);

        if (!TryReadHeaderNumber(ref reader, limits, "too big mbulk count string", "invalid multibulk length", out var count))
        {
            request.BytesNeeded = reader.Consumed - frameStartConsumed + reader.Remaining + 1;
            return false;
        }

        if (count > limits.MaxArguments)
        {
            RespProtocolException.Throw("invalid multibulk length");
        }

        for (long i = 0; i < count; i++)
        {
            if (!reader.TryPeek(out var marker))
            {
                request.BytesNeeded = reader.Consumed - frameStartConsumed + 1;
                return false;
            }

            if (marker != (byte)'$')
            {
                RespProtocolException.ThrowExpectedDollar(marker);
            }

            reader.Advance(1);
            if (!TryReadHeaderNumber(ref reader, limits, "too big bulk count string", "invalid bulk length", out var length))
            {
                request.BytesNeeded = reader.Consumed - frameStartConsumed + reader.Remaining + 1;
                return false;
            }

            var argStart = reader.Consumed - frameStartConsumed;
            if (length < 0 || length > limits.MaxBulkLength || argStart + length + 2 > Array.MaxLength)
            {
                RespProtocolException.Throw("invalid bulk length");
            }

            if (reader.Remaining < length + 2)
            {
                request.BytesNeeded = argStart + length + 2;
                return false;
            }

            request.AddArgument((int)argStart, (int)length);
            reader.Advance(length + 2);
        }

        if (request.Count > 0)
        {
            request.SetSource(reader.Sequence.Slice(frameStart, reader.Position));
        }

        return true;
    }

    /// <summary>Reads the digits of a <c>*N</c> or <c>$N</c> header up to and past its CRLF.</summary>
    private static bool TryReadHeaderNumber(
        ref SequenceReader<byte> reader, RespLimits limits, string tooLong, string invalid, out long value)
    {
        var span = reader.UnreadSpan;
        var cr = span.IndexOf((byte)'\r');
        if (cr >= 0 && cr + 1 < span.Length)
        {
            if (!TryParseInt64(span[..cr], out value))
            {
                RespProtocolException.Throw(invalid);
            }

            reader.Advance(cr + 2);
            return true;
        }

        return TryReadHeaderNumberSlow(ref reader, limits, tooLong, invalid, out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryReadHeaderNumberSlow(
        ref SequenceReader<byte> reader, RespLimits limits, string tooLong, string invalid, out long value)
    {
        value = 0;
        var probe = reader;
        if (!probe.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\r', advancePastDelimiter: true))
        {
            if (reader.Remaining > limits.MaxInlineLength)
            {
                RespProtocolException.Throw(tooLong);
            }

            return false;
        }

        if (probe.End)
        {
            return false;
        }

        probe.Advance(1);
        Span<byte> digits = stackalloc byte[24];
        if (line.Length > digits.Length)
        {
            RespProtocolException.Throw(invalid);
        }

        line.CopyTo(digits);
        if (!TryParseInt64(digits[..(int)line.Length], out value))
        {
            RespProtocolException.Throw(invalid);
        }

        reader = probe;
        return true;
    }

    private static bool TryReadInline(ref SequenceReader<byte> reader, RespRequest request)
    {
        var probe = reader;
        if (!probe.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            if (reader.Remaining > request.Limits.MaxInlineLength)
            {
                RespProtocolException.Throw("too big inline request");
            }

            request.BytesNeeded = reader.Remaining + 1;
            return false;
        }

        reader = probe;
        var length = (int)line.Length;
        // The line is copied to the front of the scratch buffer and unquoted arguments are written after it:
        // unescaping never makes an argument longer than its source text.
        var scratch = request.RentScratch(length * 2);
        line.CopyTo(scratch);
        InlineSplitter.Split(scratch.AsSpan(0, length), scratch.AsSpan(length, length), length, request);
        request.MarkInline();
        return true;
    }

    /// <summary>Redis's <c>string2ll</c>: optional '-', digits, no leading zeros, no '+', no spaces, no overflow.</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20)
        {
            return false;
        }

        if (text.Length == 1 && text[0] == (byte)'0')
        {
            return true;
        }

        var negative = text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits[0] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }

        ulong magnitude = 0;
        foreach (var b in digits)
        {
            var d = (uint)(b - '0');
            if (d > 9 || magnitude > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            magnitude = magnitude * 10 + d;
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = (long)(0 - magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }
}
