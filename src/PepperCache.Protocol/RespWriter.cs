using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace PepperCache.Protocol;

/// <summary>
/// RESP2 and RESP3 reply encoding straight into an <see cref="IBufferWriter{T}"/> (the connection's <c>PipeWriter</c>):
/// numbers are formatted in place, small replies take one <c>GetSpan</c>/<c>Advance</c> pair. The shapes that differ
/// between the protocols (nulls, maps, sets, doubles, verbatim text, booleans) take the connection's protocol as a
/// flag, so one handler serves both and RESP2 costs one branch per such reply (see RespWriter.Resp3.cs).
/// </summary>
public static partial class RespWriter
{
    // '$' + up to 20 digits + CRLF, with room to spare.
    private const int MaxHeaderLength = 24;

    // Bulk values written as one span (see WriteBulkString): from Redis's big-argument size to 1 MB.
    private const int ContiguousBulkFrom = 32 * 1024;
    private const int ContiguousBulkTo = 1024 * 1024;

    /// <summary>Copies pre-encoded RESP (such as a <see cref="RespConstants"/> reply) as it is.</summary>
    /// <param name="writer">Where the bytes go.</param>
    /// <param name="bytes">Complete RESP, CRLF included.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteRaw(this IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        var span = writer.GetSpan(bytes.Length);
        if (span.Length >= bytes.Length)
        {
            bytes.CopyTo(span);
            writer.Advance(bytes.Length);
        }
        else
        {
            writer.Write(bytes);
        }
    }

    /// <summary><c>+OK\r\n</c>.</summary>
    /// <param name="writer">Where the reply goes.</param>
    public static void WriteOk(this IBufferWriter<byte> writer) => writer.WriteRaw(RespConstants.Ok);

    /// <summary><c>+text\r\n</c>. The text must not contain CR or LF.</summary>
    public static void WriteSimpleString(this IBufferWriter<byte> writer, ReadOnlySpan<byte> text)
        => writer.WriteLine((byte)'+', text);

    /// <summary><c>+text\r\n</c> with the text as UTF-8. The text must not contain CR or LF.</summary>
    /// <param name="writer">Where the reply goes.</param>
    /// <param name="text">The status text.</param>
    public static void WriteSimpleString(this IBufferWriter<byte> writer, string text)
        => writer.WriteLine((byte)'+', text);

    /// <summary><c>-message\r\n</c>. The message carries its own prefix (<c>ERR</c>, <c>WRONGTYPE</c>, ...).</summary>
    public static void WriteError(this IBufferWriter<byte> writer, ReadOnlySpan<byte> message)
        => writer.WriteLine((byte)'-', message);

    /// <summary><c>-message\r\n</c> with the message as UTF-8, its code first (<c>ERR</c>, <c>WRONGTYPE</c>, ...).</summary>
    /// <param name="writer">Where the reply goes.</param>
    /// <param name="message">The error, without CR or LF.</param>
    public static void WriteError(this IBufferWriter<byte> writer, string message)
        => writer.WriteLine((byte)'-', message);

    /// <summary><c>:value\r\n</c>, formatted in place.</summary>
    /// <param name="writer">Where the reply goes.</param>
    /// <param name="value">The integer.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteInteger(this IBufferWriter<byte> writer, long value)
        => writer.WritePrefixedNumber((byte)':', value);

    /// <summary><c>*count\r\n</c>: the caller writes the <paramref name="count"/> elements next.</summary>
    /// <param name="writer">Where the reply goes.</param>
    /// <param name="count">How many elements follow.</param>
    public static void WriteArrayHeader(this IBufferWriter<byte> writer, int count)
        => writer.WritePrefixedNumber((byte)'*', count);

    /// <summary><c>$-1\r\n</c>, the RESP2 null bulk string.</summary>
    /// <param name="writer">Where the reply goes.</param>
    public static void WriteNullBulkString(this IBufferWriter<byte> writer) => writer.WriteRaw(RespConstants.NullBulk);

    /// <summary><c>*-1\r\n</c>, the RESP2 null array.</summary>
    /// <param name="writer">Where the reply goes.</param>
    public static void WriteNullArray(this IBufferWriter<byte> writer) => writer.WriteRaw(RespConstants.NullArray);

    /// <summary>
    /// <c>$len\r\nbytes\r\n</c> in one span when it fits a buffer segment, or is large: a value of 32 KB to 1 MB asks the
    /// writer for one span of its size (a pipe takes it from the shared array pool), rather than one 4 KB block after
    /// another (measured: the blocks' renting, returning and sending were a tenth of a 200 KB GET's CPU). In between,
    /// and above 1 MB, chunked.
    /// </summary>
    public static void WriteBulkString(this IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        var total = value.Length + MaxHeaderLength + 2;
        if (value.Length <= 4096 || value.Length is >= ContiguousBulkFrom and <= ContiguousBulkTo)
        {
            var span = writer.GetSpan(total);
            span[0] = (byte)'$';
            value.Length.TryFormat(span[1..], out var digits, default, CultureInfo.InvariantCulture);
            var n = 1 + digits;
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
            value.CopyTo(span[n..]);
            n += value.Length;
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
            writer.Advance(n);
            return;
        }

        writer.WritePrefixedNumber((byte)'$', value.Length);
        writer.Write(value);
        writer.WriteRaw(RespConstants.CrLf);
    }

    /// <summary><c>$len\r\nvalue\r\n</c> with the value as UTF-8.</summary>
    /// <param name="writer">Where the reply goes.</param>
    /// <param name="value">The text.</param>
    public static void WriteBulkString(this IBufferWriter<byte> writer, string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        writer.WritePrefixedNumber((byte)'$', byteCount);
        var span = writer.GetSpan(byteCount + 2);
        var written = Encoding.UTF8.GetBytes(value, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        writer.Advance(written + 2);
    }

    /// <summary>An integer as a bulk string (how Redis answers INCRBYFLOAT-style numeric text).</summary>
    public static void WriteBulkString(this IBufferWriter<byte> writer, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        writer.WriteBulkString(digits[..written]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WritePrefixedNumber(this IBufferWriter<byte> writer, byte prefix, long value)
    {
        var span = writer.GetSpan(MaxHeaderLength);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out var digits);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        writer.Advance(3 + digits);
    }

    private static void WriteLine(this IBufferWriter<byte> writer, byte prefix, ReadOnlySpan<byte> text)
    {
        var span = writer.GetSpan(text.Length + 3);
        if (span.Length < text.Length + 3)
        {
            writer.WriteRaw([prefix]);
            writer.Write(text);
            writer.WriteRaw(RespConstants.CrLf);
            return;
        }

        span[0] = prefix;
        text.CopyTo(span[1..]);
        span[1 + text.Length] = (byte)'\r';
        span[2 + text.Length] = (byte)'\n';
        writer.Advance(text.Length + 3);
    }

    private static void WriteLine(this IBufferWriter<byte> writer, byte prefix, string text)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var span = writer.GetSpan(byteCount + 3);
        span[0] = prefix;
        var written = Encoding.UTF8.GetBytes(text, span[1..]);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        writer.Advance(written + 3);
    }
}
