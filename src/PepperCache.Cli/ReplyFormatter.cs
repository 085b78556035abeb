using System.Globalization;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Cli;

/// <summary>
/// Renders replies for people. As the original tool: a null reply is <c>nil</c> and a bulk string of printable
/// bytes is shown as it is. Everything else follows redis-cli: <c>(error) ...</c>, <c>(integer) 5</c>, numbered
/// and indented arrays, <c>(empty array)</c>, and bulk strings with other bytes (or empty ones) quoted and escaped.
/// </summary>
internal static class ReplyFormatter
{
    /// <summary>The reply as printed, without the final newline.</summary>
    public static string Format(RespReply reply, bool raw)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var text = new StringBuilder();
        if (raw)
        {
            FormatRaw(reply, text);
        }
        else
        {
            FormatPretty(reply, string.Empty, text);
        }

        return text.ToString();
    }

    /// <summary>redis-cli's <c>sdscatrepr</c>: the bytes in double quotes, escaped where not printable ASCII.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2).Append('"');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'\\' or (byte)'"':
                    text.Append('\\').Append((char)b);
                    break;
                case (byte)'\n':
                    text.Append("\\n");
                    break;
                case (byte)'\r':
                    text.Append("\\r");
                    break;
                case (byte)'\t':
                    text.Append("\\t");
                    break;
                case (byte)'\a':
                    text.Append("\\a");
                    break;
                case (byte)'\b':
                    text.Append("\\b");
                    break;
                case >= 0x20 and < 0x7f:
                    text.Append((char)b);
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                    break;
            }
        }

        return text.Append('"').ToString();
    }

    private static void FormatPretty(RespReply reply, string prefix, StringBuilder text)
    {
        switch (reply.Kind)
        {
            case RespReplyKind.SimpleString:
                text.Append(Encoding.UTF8.GetString(reply.Bytes));
                break;
            case RespReplyKind.Error:
                text.Append("(error) ").Append(Encoding.UTF8.GetString(reply.Bytes));
                break;
            case RespReplyKind.Integer:
                text.Append(CultureInfo.InvariantCulture, $"(integer) {reply.Integer}");
                break;
            case RespReplyKind.BulkString when reply.IsNull:
            case RespReplyKind.Array when reply.IsNull:
                text.Append("nil");
                break;
            case RespReplyKind.BulkString:
                text.Append(IsPlain(reply.Bytes) ? Encoding.ASCII.GetString(reply.Bytes) : Quote(reply.Bytes));
                break;
            case RespReplyKind.Array when reply.Elements.Count == 0:
                text.Append("(empty array)");
                break;
            default:
                FormatArray(reply.Elements, prefix, text);
                break;
        }
    }

    // As redis-cli: indexes are right-aligned to the widest one, and nested arrays indent by that width plus 2 so
    // their numbers line up under the parent's values.
    private static void FormatArray(IReadOnlyList<RespReply> elements, string prefix, StringBuilder text)
    {
        var width = elements.Count.ToString(CultureInfo.InvariantCulture).Length;
        var nestedPrefix = prefix + new string(' ', width + 2);
        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0)
            {
                text.Append('\n').Append(prefix);
            }

            text.Append((i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(") ");
            FormatPretty(elements[i], nestedPrefix, text);
        }
    }

    private static void FormatRaw(RespReply reply, StringBuilder text)
    {
        switch (reply.Kind)
        {
            case RespReplyKind.Integer:
                text.Append(reply.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case RespReplyKind.Array:
                for (var i = 0; i < reply.Elements.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append('\n');
                    }

                    FormatRaw(reply.Elements[i], text);
                }

                break;
            default:
                text.Append(Encoding.UTF8.GetString(reply.Bytes));
                break;
        }
    }

    private static bool IsPlain(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (b is < 0x20 or >= 0x7f)
            {
                return false;
            }
        }

        return true;
    }
}
