using System.Buffers;
using System.Buffers.Text;

namespace PepperCache.Protocol;

/// <summary>
/// Tells whether a whole RESP2 (or RESP3) reply has arrived, without building it, and remembers how far it got: each call goes
/// on from where the last one stopped. A reader calls it before <see cref="RespReplyParser.TryRead"/> so a large reply
/// arriving in many reads is parsed once, not once per read (PepperCache's CLUSTER SLOTS is about a megabyte; parsed
/// again on every 4 KB read, it took seconds).
/// </summary>
/// <remarks>
/// It checks only what framing needs (type bytes, lengths and counts, line ends). Input that is not RESP2 is reported
/// complete, so that the parser, which checks everything, throws for it. One instance per stream; state is relative
/// to the start of the reply under way, and is cleared when a reply is complete.
/// </remarks>
public sealed class RespReplyFramer
{
    // As RespReplyParser: a number line is at most sign, 19 digits and CRLF; arrays nest at most this deep.
    private const int MaxNumberLineLength = 22;
    private const int MaxDepth = 512;

    // Elements still due in each array opened and not yet complete, innermost last.
    private readonly Stack<long> _remaining = new();

    // Bytes of the reply under way already known to be whole elements or array headers.
    private long _scanned;

    /// <summary>
    /// Whether <paramref name="buffer"/>, which starts where the reply under way starts, holds all of it.
    /// </summary>
    /// <param name="buffer">The bytes received from the start of the reply on; the same start as the previous call.</param>
    /// <param name="length">The reply's length when complete (or where the input stopped being RESP2).</param>
    public bool TryFrame(ReadOnlySequence<byte> buffer, out long length)
    {
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(Math.Min(_scanned, buffer.Length));
        while (true)
        {
            switch (TrySkipElement(ref reader, out var opened))
            {
                case Step.Incomplete:
                    length = 0;
                    return false;
                case Step.Invalid:
                    return Complete(reader.Consumed, out length);
            }

            _scanned = reader.Consumed;
            if (opened > 0)
            {
                if (_remaining.Count == MaxDepth)
                {
                    return Complete(_scanned, out length);
                }

                _remaining.Push(opened);
                continue;
            }

            // An element is whole; so is every array it was the last element of.
            while (true)
            {
                if (_remaining.Count == 0)
                {
                    return Complete(_scanned, out length);
                }

                var left = _remaining.Pop() - 1;
                if (left > 0)
                {
                    _remaining.Push(left);
                    break;
                }
            }
        }
    }

    /// <summary>Forgets the reply under way (the stream restarts, or the caller gave up on it).</summary>
    public void Reset()
    {
        _remaining.Clear();
        _scanned = 0;
    }

    private bool Complete(long at, out long length)
    {
        length = at;
        Reset();
        return true;
    }

    private enum Step
    {
        Whole,
        Incomplete,
        Invalid,
    }

    /// <summary>Skips one element, or only the header of a non-empty array (its count in <paramref name="opened"/>).</summary>
    private static Step TrySkipElement(ref SequenceReader<byte> reader, out long opened)
    {
        opened = 0;
        if (!reader.TryRead(out var type))
        {
            return Step.Incomplete;
        }

        switch (type)
        {
            // RESP3's null, double, boolean and big number are one line, as a status is.
            case (byte)'+' or (byte)'-' or (byte)'_' or (byte)',' or (byte)'#' or (byte)'(':
                return reader.TryAdvanceTo((byte)'\n', advancePastDelimiter: true) ? Step.Whole : Step.Incomplete;
            case (byte)':':
                return TryReadNumber(ref reader, out _);
            case (byte)'$' or (byte)'=' or (byte)'!':
                var step = TryReadNumber(ref reader, out var length);
                if (step != Step.Whole || length == -1)
                {
                    return step;
                }

                if (length < 0)
                {
                    return Step.Invalid;
                }

                if (reader.Remaining < length + 2)
                {
                    return Step.Incomplete;
                }

                reader.Advance(length + 2);
                return Step.Whole;
            case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|':
                step = TryReadNumber(ref reader, out var count);
                if (step == Step.Whole && (count > 0 || (count == 0 && type == (byte)'|')))
                {
                    // A map holds count pairs; an attribute's pairs come before the reply they describe.
                    opened = type switch
                    {
                        (byte)'%' => count * 2,
                        (byte)'|' => (count * 2) + 1,
                        _ => count,
                    };
                }

                return step == Step.Whole && count < -1 ? Step.Invalid : step;
            default:
                return Step.Invalid;
        }
    }

    private static Step TryReadNumber(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            return reader.Remaining > MaxNumberLineLength ? Step.Invalid : Step.Incomplete;
        }

        if (line.Length is < 2 or > MaxNumberLineLength - 1)
        {
            return Step.Invalid;
        }

        Span<byte> digits = stackalloc byte[MaxNumberLineLength];
        line.CopyTo(digits);
        digits = digits[..((int)line.Length - 1)]; // without the CR
        return Utf8Parser.TryParse(digits, out value, out var used) && used == digits.Length ? Step.Whole : Step.Invalid;
    }
}
