using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace PepperCache.Protocol;

/// <summary>
/// Reads RESP2 replies (what a server sends) from a byte sequence; the client-side counterpart of
/// <see cref="RespParser"/>. RESP3 replies (after HELLO 3) are read into the nearest RESP2 kind: null as the null
/// bulk string, doubles and big numbers as bulk strings of their text, booleans as 1 or 0, verbatim strings as bulk
/// strings without their format, blob errors as errors, maps as arrays of keys and values, sets and pushes as
/// arrays; an attribute is skipped and the reply after it returned.
/// </summary>
public static class RespReplyParser
{
    // A length or integer line: sign, up to 19 digits and CRLF. Anything longer without a CRLF is not a number.
    private const int MaxNumberLineLength = 22;

    // Arrays nest by recursion; a hostile server must not be able to overflow the stack.
    private const int MaxDepth = 512;

    // The smallest element on the wire (":0\r\n"); an array of N elements needs at least 4N more bytes, so nothing is
    // allocated for a claimed count before the bytes that back it have arrived.
    private const int MinElementSize = 4;

    /// <summary>
    /// Reads the next reply. Three outcomes, kept apart:
    /// <list type="bullet">
    /// <item><c>true</c>: a whole reply was read; the reader stands after it.</item>
    /// <item><c>false</c>: the input ends inside a reply; the reader has not moved. Try again with more bytes.</item>
    /// <item><see cref="RespProtocolException"/>: the input is not RESP2; the connection cannot be trusted further.</item>
    /// </list>
    /// </summary>
    public static bool TryRead(ref SequenceReader<byte> reader, [NotNullWhen(true)] out RespReply? reply)
    {
        var saved = reader;
        if (TryReadReply(ref reader, 0, out reply))
        {
            return true;
        }

        reader = saved;
        return false;
    }

    private static bool TryReadReply(ref SequenceReader<byte> reader, int depth, [NotNullWhen(true)] out RespReply? reply)
    {
        reply = null;
        if (!reader.TryRead(out var type))
        {
            return false;
        }

        switch (type)
        {
            case (byte)'+':
                if (!TryReadLine(ref reader, out var status))
                {
                    return false;
                }

                reply = RespReply.SimpleString(status);
                return true;
            case (byte)'-':
                if (!TryReadLine(ref reader, out var error))
                {
                    return false;
                }

                reply = RespReply.Error(error);
                return true;
            case (byte)':':
                if (!TryReadNumber(ref reader, "integer", out var integer))
                {
                    return false;
                }

                reply = RespReply.FromInteger(integer);
                return true;
            case (byte)'$':
                return TryReadBulk(ref reader, out reply);
            case (byte)'*' or (byte)'~' or (byte)'>':
                return TryReadArray(ref reader, depth, 1, out reply);
            case (byte)'%':
                return TryReadArray(ref reader, depth, 2, out reply);
            case (byte)'_':
                if (!TryReadLine(ref reader, out _))
                {
                    return false;
                }

                reply = RespReply.NullBulk;
                return true;
            case (byte)',' or (byte)'(':
                if (!TryReadLine(ref reader, out var number))
                {
                    return false;
                }

                reply = RespReply.Bulk(number);
                return true;
            case (byte)'#':
                if (!TryReadLine(ref reader, out var boolean))
                {
                    return false;
                }

                reply = RespReply.FromInteger(boolean.AsSpan().SequenceEqual("t"u8) ? 1 : 0);
                return true;
            case (byte)'=' or (byte)'!':
                if (!TryReadBulk(ref reader, out reply))
                {
                    return false;
                }

                // A verbatim string starts with its three-letter format and a colon ("txt:").
                reply = type == (byte)'!' ? RespReply.Error(reply.Bytes.ToArray())
                    : reply.Bytes.Length >= 4 ? RespReply.Bulk(reply.Bytes[4..].ToArray()) : reply;
                return true;
            case (byte)'|':
                return TryReadArray(ref reader, depth, 2, out _) && TryReadReply(ref reader, depth, out reply);
            default:
                throw new RespProtocolException($"got '{(char)type}' as reply type byte");
        }
    }

    private static bool TryReadBulk(ref SequenceReader<byte> reader, [NotNullWhen(true)] out RespReply? reply)
    {
        reply = null;
        if (!TryReadNumber(ref reader, "bulk length", out var length))
        {
            return false;
        }

        if (length == -1)
        {
            reply = RespReply.NullBulk;
            return true;
        }

        if (length < -1 || length > Array.MaxLength)
        {
            throw new RespProtocolException("invalid bulk length");
        }

        if (reader.Remaining < length + 2)
        {
            return false;
        }

        var value = new byte[length];
        reader.TryCopyTo(value);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RespProtocolException("bulk string not terminated by CRLF");
        }

        reply = RespReply.Bulk(value);
        return true;
    }

    /// <param name="reader">Where the reply is read from.</param>
    /// <param name="depth">How deep in arrays this one is.</param>
    /// <param name="width">Elements per counted entry: 1 for arrays, sets and pushes, 2 for maps and attributes.</param>
    /// <param name="reply">The array read.</param>
    private static bool TryReadArray(ref SequenceReader<byte> reader, int depth, int width, [NotNullWhen(true)] out RespReply? reply)
    {
        reply = null;
        if (!TryReadNumber(ref reader, "multibulk length", out var count))
        {
            return false;
        }

        if (count > 0 && count <= Array.MaxLength)
        {
            count *= width;
        }

        if (count == -1)
        {
            reply = RespReply.NullArray;
            return true;
        }

        if (count < -1 || count > Array.MaxLength)
        {
            throw new RespProtocolException("invalid multibulk length");
        }

        if (count > 0 && depth >= MaxDepth)
        {
            throw new RespProtocolException("replies nested too deeply");
        }

        if (reader.Remaining < count * MinElementSize)
        {
            return false;
        }

        var elements = count == 0 ? [] : new RespReply[count];
        for (var i = 0; i < elements.Length; i++)
        {
            if (!TryReadReply(ref reader, depth + 1, out var element))
            {
                return false;
            }

            elements[i] = element;
        }

        reply = RespReply.FromArray(elements);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out byte[] line)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> text, "\r\n"u8, advancePastDelimiter: true))
        {
            line = [];
            return false;
        }

        line = text.ToArray();
        return true;
    }

    private static bool TryReadNumber(ref SequenceReader<byte> reader, string what, out long value)
    {
        value = 0;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> text, "\r\n"u8, advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxNumberLineLength)
            {
                throw new RespProtocolException($"invalid {what}");
            }

            return false;
        }

        Span<byte> digits = stackalloc byte[MaxNumberLineLength];
        if (text.Length is 0 or > MaxNumberLineLength - 2)
        {
            throw new RespProtocolException($"invalid {what}");
        }

        text.CopyTo(digits);
        digits = digits[..(int)text.Length];
        if (!Utf8Parser.TryParse(digits, out value, out var used) || used != digits.Length || digits[0] == (byte)'+')
        {
            throw new RespProtocolException($"invalid {what}");
        }

        return true;
    }
}
