using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace PepperCache.Protocol;

/// <summary>
/// The reply shapes that RESP3 (HELLO 3) writes differently from RESP2, each taking the connection's protocol as
/// <c>resp3</c>: RESP2 gets today's bytes (<c>$-1</c>, flat arrays, bulk-string numbers), RESP3 gets what Redis 7.0
/// sends a HELLO 3 client (<c>_</c>, <c>%</c> maps, <c>~</c> sets, <c>,</c> doubles, <c>=</c> verbatim text, <c>#</c>).
/// </summary>
public static partial class RespWriter
{
    /// <summary>A null: <c>_</c> in RESP3, the null bulk string <c>$-1</c> in RESP2 (Redis's addReplyNull).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteNull(this IBufferWriter<byte> writer, bool resp3)
        => writer.WriteRaw(resp3 ? RespConstants.Null : RespConstants.NullBulk);

    /// <summary>A null aggregate: <c>_</c> in RESP3, the null array <c>*-1</c> in RESP2 (addReplyNullArray).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteNullArray(this IBufferWriter<byte> writer, bool resp3)
        => writer.WriteRaw(resp3 ? RespConstants.Null : RespConstants.NullArray);

    /// <summary>
    /// <c>%pairs</c> in RESP3, <c>*2×pairs</c> in RESP2: the caller writes key, value, key, value... next.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteMapHeader(this IBufferWriter<byte> writer, int pairs, bool resp3)
        => writer.WritePrefixedNumber(resp3 ? (byte)'%' : (byte)'*', resp3 ? pairs : 2L * pairs);

    /// <summary><c>~count</c> in RESP3, <c>*count</c> in RESP2 (addReplySetLen).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSetHeader(this IBufferWriter<byte> writer, int count, bool resp3)
        => writer.WritePrefixedNumber(resp3 ? (byte)'~' : (byte)'*', count);

    /// <summary>
    /// The header of a list of pairs (ZRANGE WITHSCORES, HRANDFIELD WITHVALUES): RESP3 nests each pair in its own
    /// <c>*2</c> (written by <see cref="WritePairHeader"/>), RESP2 flattens them into one array of 2×pairs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WritePairsHeader(this IBufferWriter<byte> writer, int pairs, bool resp3)
        => writer.WritePrefixedNumber((byte)'*', resp3 ? pairs : 2L * pairs);

    /// <summary>Before each pair of a <see cref="WritePairsHeader"/> list: <c>*2</c> in RESP3, nothing in RESP2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WritePairHeader(this IBufferWriter<byte> writer, bool resp3)
    {
        if (resp3)
        {
            writer.WriteRaw("*2\r\n"u8);
        }
    }

    /// <summary>
    /// A double already formatted as Redis prints it (<c>%.17g</c>, <c>inf</c>, <c>-inf</c>; or a human long double):
    /// <c>,text</c> in RESP3, a bulk string in RESP2 (addReplyDouble, addReplyHumanLongDouble).
    /// </summary>
    public static void WriteDouble(this IBufferWriter<byte> writer, ReadOnlySpan<byte> text, bool resp3)
    {
        if (resp3)
        {
            writer.WriteLine((byte)',', text);
        }
        else
        {
            writer.WriteBulkString(text);
        }
    }

    /// <summary><c>#t</c>/<c>#f</c> in RESP3, <c>:1</c>/<c>:0</c> in RESP2 (addReplyBool).</summary>
    public static void WriteBoolean(this IBufferWriter<byte> writer, bool value, bool resp3)
        => writer.WriteRaw(resp3 ? (value ? "#t\r\n"u8 : "#f\r\n"u8) : (value ? RespConstants.One : RespConstants.Zero));

    /// <summary>
    /// Text for people (INFO, CLIENT LIST, the DOCTORs): a verbatim string <c>=len\r\ntxt:text</c> in RESP3, a bulk
    /// string in RESP2 (addReplyVerbatim with the "txt" format).
    /// </summary>
    public static void WriteVerbatim(this IBufferWriter<byte> writer, ReadOnlySpan<byte> text, bool resp3)
    {
        if (!resp3)
        {
            writer.WriteBulkString(text);
            return;
        }

        writer.WritePrefixedNumber((byte)'=', text.Length + 4);
        writer.WriteRaw("txt:"u8);
        writer.Write(text);
        writer.WriteRaw(RespConstants.CrLf);
    }

    /// <inheritdoc cref="WriteVerbatim(IBufferWriter{byte}, ReadOnlySpan{byte}, bool)"/>
    public static void WriteVerbatim(this IBufferWriter<byte> writer, string text, bool resp3)
    {
        if (!resp3)
        {
            writer.WriteBulkString(text);
            return;
        }

        writer.WriteVerbatim(Encoding.UTF8.GetBytes(text), resp3);
    }
}
