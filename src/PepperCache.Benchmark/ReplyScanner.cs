using System.Buffers.Text;
using PepperCache.Protocol;

namespace PepperCache.Benchmark;

/// <summary>The little a benchmark needs to know about a reply.</summary>
internal enum ReplyClass : byte
{
    Value,
    Null,
    Error,
}

/// <summary>
/// Finds where the next RESP2 reply ends without building it: the load generator only counts replies and tells
/// values, nulls and errors apart, so it never allocates per reply.
/// </summary>
internal static class ReplyScanner
{
    private const int MaxDepth = 64;

    /// <summary>
    /// The length of the complete reply at the start of <paramref name="data"/>, or 0 when more bytes are needed.
    /// </summary>
    /// <exception cref="RespProtocolException">The bytes are not RESP2.</exception>
    public static int Scan(ReadOnlySpan<byte> data, out ReplyClass replyClass)
    {
        replyClass = ReplyClass.Value;
        if (data.IsEmpty)
        {
            return 0;
        }

        if (data[0] == (byte)'-')
        {
            replyClass = ReplyClass.Error;
        }

        var length = ScanFrame(data, 0, out var isNull);
        if (isNull)
        {
            replyClass = ReplyClass.Null;
        }

        return length;
    }

    private static int ScanFrame(ReadOnlySpan<byte> data, int depth, out bool isNull)
    {
        isNull = false;
        if (data.IsEmpty)
        {
            return 0;
        }

        var lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            if (data.Length > 64 * 1024)
            {
                throw new RespProtocolException("reply line without an end");
            }

            return 0;
        }

        if (lineEnd < 2 || data[lineEnd - 1] != (byte)'\r')
        {
            throw new RespProtocolException("reply line does not end with CRLF");
        }

        var header = lineEnd + 1;
        switch (data[0])
        {
            case (byte)'+' or (byte)'-' or (byte)':':
                return header;
            case (byte)'$':
                var bulk = Number(data[1..(lineEnd - 1)]);
                if (bulk < 0)
                {
                    isNull = true;
                    return header;
                }

                var total = header + bulk + 2;
                return data.Length >= total ? (int)total : 0;
            case (byte)'*':
                var count = Number(data[1..(lineEnd - 1)]);
                if (count < 0)
                {
                    isNull = true;
                    return header;
                }

                if (depth >= MaxDepth)
                {
                    throw new RespProtocolException("reply nested too deeply");
                }

                var offset = header;
                for (long i = 0; i < count; i++)
                {
                    var element = ScanFrame(data[offset..], depth + 1, out _);
                    if (element == 0)
                    {
                        return 0;
                    }

                    offset += element;
                }

                return offset;
            default:
                throw new RespProtocolException($"unexpected reply type byte 0x{data[0]:x2}");
        }
    }

    private static long Number(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length && value >= -1 && value <= int.MaxValue
            ? value
            : throw new RespProtocolException("bad length in reply");
}
