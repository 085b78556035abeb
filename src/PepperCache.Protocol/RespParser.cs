using System.Buffers;
using System.Runtime.CompilerServices;

namespace PepperCache.Protocol;

/// <summary>
/// Reads RESP2 commands (multibulk arrays of bulk strings) and inline commands from a byte sequence.
/// </summary>
public static partial class RespParser
{
    private const string InvalidMultibulkLength = "invalid multibulk length";
    private const string InvalidBulkLength = "invalid bulk length";
    private const string UnauthenticatedMultibulkLength = "unauthenticated multibulk length";
    private const string UnauthenticatedBulkLength = "unauthenticated bulk length";

    // The smallest possible bulk string on the wire: "$0\r\n\r\n".
    private const int MinBulkSize = 6;

    // Frames smaller than this are re-parsed on every read; see FrameBytesNeeded.
    private const int EagerFrameSize = 64 * 1024;

    /// <summary>
    /// Reads the next command into <paramref name="request"/>. Three outcomes, kept apart:
    /// <list type="bullet">
    /// <item><c>true</c>: a whole command was read; the reader stands after it.</item>
    /// <item><c>false</c>: the input ends inside a command; the reader stands at that command's first byte (past any
    /// empty commands skipped before it) and <see cref="RespRequest.BytesNeeded"/> says how many bytes, counted from
    /// there, must be buffered before trying again.</item>
    /// <item><see cref="RespProtocolException"/>: the input is malformed or over a limit; the connection must be closed.</item>
    /// </list>
    /// Empty commands (<c>*0</c>, <c>*-1</c>, a blank inline line) are consumed silently, as Redis does.
    /// With <see cref="RespRequest.BufferedFrameLimit"/> set, a command that reaches it while incomplete, or that has
    /// an argument of <see cref="RespRequest.LargeArgument"/> bytes or more (up to the limit, or buffered whole), is
    /// taken into the request instead: while incomplete the result is <c>false</c> with the reader past the bytes
    /// taken, and the next call continues that command from there.
    /// </summary>
    public static bool TryReadCommand(ref SequenceReader<byte> reader, RespRequest request)
    {
        if (request.IsTaking)
        {
            return TryContinueTaken(ref reader, request);
        }

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
                if (request.IsTaking)
                {
                    // The part received is the request's now; the reader stands past it.
                    return false;
                }

                // Slots filled before the input ran out point at offsets of a frame that is not the source yet.
                request.ClearArguments();
                reader = saved;
                if (request.BufferedFrameLimit > 0)
                {
                    // Past the limit the command is taken, so there is no point waiting for more than that. Only a
                    // multibulk body is taken, though: an inline line or a header line already past the limit still
                    // needs its next byte (with a limit below MaxInlineLength), so never ask for what is buffered.
                    request.BytesNeeded = Math.Max(Math.Min(request.BytesNeeded, request.BufferedFrameLimit), reader.Remaining + 1);
                }

                return false;
            }

            if (request.Count > 0)
            {
                return true;
            }

            request.ClearArguments();
        }
    }

    private static bool TryReadMultiBulk(ref SequenceReader<byte> reader, RespRequest request)
    {
        var limits = request.Limits;
        var frameStart = reader.Position;
        var frameStartConsumed = reader.Consumed;

        if (!TryReadHeader(ref reader, limits, (byte)'*', out var count))
        {
            request.BytesNeeded = reader.Remaining + 1;
            return false;
        }

        // RespLimits.MaxArguments defaults to 1,048,576 (Redis 7.0 refuses only counts above INT_MAX). Nothing is
        // allocated from the claimed count: argument slots grow as arguments actually arrive.
        if (count > limits.MaxArguments)
        {
            RespProtocolException.Throw(InvalidMultibulkLength);
        }

        if (count > RespLimits.MaxUnauthenticatedArguments && request.Unauthenticated)
        {
            RespProtocolException.Throw(UnauthenticatedMultibulkLength);
        }

        for (long i = 0; i < count; i++)
        {
            var argOffset = reader.Consumed - frameStartConsumed;
            var header = reader;
            if (!TryReadHeader(ref reader, limits, (byte)'$', out var length))
            {
                var buffered = argOffset + reader.Remaining;
                if (request.ShouldTake(buffered))
                {
                    // Take the arguments so far; this one's header is read again when its line is whole.
                    request.BeginTaking(reader.Sequence.Slice(frameStart, reader.Position), count - i);
                    request.BytesNeeded = reader.Remaining + 1;
                    return false;
                }

                request.BytesNeeded = FrameBytesNeeded(buffered, buffered + 1, argOffset + ((count - i) * MinBulkSize));
                return false;
            }

            // Beyond Redis: a frame must fit one array (about 2 GB) because straddling frames are copied into one.
            var argStart = reader.Consumed - frameStartConsumed;
            CheckBulkLength(length, argStart, request);

            if (length >= RespRequest.LargeArgument && request.BufferedFrameLimit > 0
                && (length <= request.BufferedFrameLimit || reader.Remaining >= length + 2))
            {
                // Redis's big-argument path: the body goes once into an array of its own, whole or not, rather than
                // waiting in 4 KB blocks, then being joined into one span and copied again into the entry. Past the
                // limit only once it is here: a header alone must not get a client an array of up to 512 MB (a
                // bigger one is taken below, once the limit's worth of the command has arrived).
                request.BeginTaking(reader.Sequence.Slice(frameStart, header.Position), count - i);
                request.BeginLargeArgument((int)length);
                return TryContinueTaken(ref reader, request);
            }

            if (reader.Remaining < length + 2)
            {
                if (request.ShouldTake(argStart + reader.Remaining))
                {
                    TakeIncomplete(ref reader, request, frameStart, header, length, count - i);
                    return false;
                }

                var argEnd = argStart + length + 2;
                request.BytesNeeded = FrameBytesNeeded(argStart + reader.Remaining, argEnd, argEnd + ((count - i - 1) * MinBulkSize));
                return false;
            }

            request.AddArgument((int)argStart, (int)length);
            // Like Redis, the two bytes after a bulk body are skipped, not checked for CRLF.
            reader.Advance(length + 2);
        }

        if (request.Count > 0)
        {
            request.SetSource(reader.Sequence.Slice(frameStart, reader.Position));
        }

        return true;
    }

    /// <summary>
    /// A <c>$N</c> claim, as Redis checks it: within proto-max-bulk-len (and, with <paramref name="offset"/> bytes of the
    /// frame before it, within one array), and within 16 KB for a client that must authenticate first.
    /// </summary>
    private static void CheckBulkLength(long length, long offset, RespRequest request)
    {
        if (length < 0 || length > request.Limits.MaxBulkLength || offset + length + 2 > Array.MaxLength)
        {
            RespProtocolException.Throw(InvalidBulkLength);
        }

        if (length > RespLimits.MaxUnauthenticatedBulkLength && request.Unauthenticated)
        {
            RespProtocolException.Throw(UnauthenticatedBulkLength);
        }
    }

    /// <summary>
    /// What an incomplete frame asks for: at least <paramref name="minimum"/> (the next byte, or the end of the bulk
    /// body being read). Once 64 KB of the frame are buffered, more: up to <paramref name="frameLowerBound"/> (every
    /// argument still to come takes at least <c>$0\r\n\r\n</c>), but never more than twice what is buffered.
    /// </summary>
    /// <remarks>
    /// Without the lower bound, a frame of many small arguments (RPUSH with a million elements) was parsed again
    /// from its start on every read: quadratic, 2.9 s of CPU for 300,000 arguments in 4 KB reads. Waiting until the
    /// buffer doubles makes the re-parsing linear overall. Bytes are not looked at while waiting, so a malformed
    /// header is noticed later; below 64 KB the parser stays eager and answers errors as soon as Redis would, and
    /// above it the doubling cap bounds the delay. Nothing is allocated from this number.
    /// </remarks>
    private static long FrameBytesNeeded(long buffered, long minimum, long frameLowerBound) =>
        buffered < EagerFrameSize ? minimum : Math.Max(minimum, Math.Min(frameLowerBound, 2 * buffered));

    /// <summary>
    /// Reads a <c>*N</c> or <c>$N</c> header line from the reader's position (its first byte is the marker) up to and
    /// past its CRLF. False when the line is not complete yet; the reader moves only on success.
    /// </summary>
    /// <remarks>
    /// Mirrors Redis's order: find the CR first (a line is complete once one more byte follows it), give up with
    /// "too big ... count string" when more than 64 KB sit buffered without one, and only then check the marker and
    /// the number. Redis finds the CR with <c>strchr</c>, so a NUL byte hides it: such a line never completes.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadHeader(ref SequenceReader<byte> reader, RespLimits limits, byte marker, out long value)
    {
        var span = reader.UnreadSpan;
        var end = span.IndexOfAny((byte)'\r', (byte)0);
        if ((uint)end < (uint)(span.Length - 1) && span[end] == (byte)'\r')
        {
            // end is 0 when the CR itself stands where the marker should be: a wrong marker, with no digits.
            ParseHeader(span[0], span[1..Math.Max(1, end)], marker, out value);
            reader.Advance(end + 2);
            return true;
        }

        return TryReadHeaderSlow(ref reader, limits, marker, out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryReadHeaderSlow(ref SequenceReader<byte> reader, RespLimits limits, byte marker, out long value)
    {
        value = 0;
        var probe = reader;
        if (!probe.TryAdvanceToAny("\r\0"u8, advancePastDelimiter: false) || probe.IsNext(0))
        {
            if (reader.Remaining > limits.MaxInlineLength)
            {
                RespProtocolException.Throw(marker == (byte)'*' ? "too big mbulk count string" : "too big bulk count string");
            }

            return false;
        }

        if (probe.Remaining < 2)
        {
            return false;
        }

        // The marker plus the longest number string2ll accepts. A longer line is checked as its marker alone (so
        // invalid); so is an empty one, whose CR stands where the marker should be.
        Span<byte> line = stackalloc byte[1 + 20];
        var lineLength = probe.Consumed - reader.Consumed;
        if (lineLength == 0 || lineLength > line.Length)
        {
            lineLength = 1;
        }

        line = line[..(int)lineLength];
        reader.TryCopyTo(line);
        ParseHeader(line[0], line[1..], marker, out value);
        probe.Advance(2);
        reader = probe;
        return true;
    }

    private static void ParseHeader(byte got, ReadOnlySpan<byte> digits, byte marker, out long value)
    {
        if (got != marker)
        {
            RespProtocolException.ThrowExpectedDollar(got);
        }

        if (!TryParseInt64(digits, out value))
        {
            RespProtocolException.Throw(marker == (byte)'*' ? InvalidMultibulkLength : InvalidBulkLength);
        }
    }

    private static bool TryReadInline(ref SequenceReader<byte> reader, RespRequest request)
    {
        // Redis finds the newline with strchr, so a NUL byte hides it: such a line never completes, and the client is
        // cut off once more than 64 KB sit buffered (the limit applies only while no newline is found).
        var probe = reader;
        if (!probe.TryAdvanceToAny("\n\0"u8, advancePastDelimiter: false) || probe.IsNext(0))
        {
            if (reader.Remaining > request.Limits.MaxInlineLength)
            {
                RespProtocolException.Throw("too big inline request");
            }

            request.BytesNeeded = reader.Remaining + 1;
            return false;
        }

        var line = reader.Sequence.Slice(reader.Position, probe.Position);
        probe.Advance(1);
        reader = probe;

        var length = checked((int)line.Length);
        // The line is copied to the front of the scratch buffer and unquoted arguments are written after it:
        // unescaping never makes an argument longer than its source text.
        var scratch = request.RentScratch(length * 2);
        line.CopyTo(scratch);
        // As Redis: the line ends before LF, and before one CR right ahead of it.
        if (length > 0 && scratch[length - 1] == (byte)'\r')
        {
            length--;
        }

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
