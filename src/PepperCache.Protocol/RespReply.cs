using System.Text;

namespace PepperCache.Protocol;

/// <summary>The five RESP2 reply types.</summary>
public enum RespReplyKind
{
    /// <summary><c>+text</c>: a status such as <c>OK</c>.</summary>
    SimpleString,

    /// <summary><c>-message</c>: an error; the message starts with its code (<c>ERR</c>, <c>WRONGTYPE</c>, <c>MOVED</c>...).</summary>
    Error,

    /// <summary><c>:n</c>: a signed 64-bit integer.</summary>
    Integer,

    /// <summary><c>$len</c>: a binary-safe string, or null (<c>$-1</c>).</summary>
    BulkString,

    /// <summary><c>*count</c>: nested replies, or null (<c>*-1</c>).</summary>
    Array,
}

/// <summary>
/// One RESP2 reply as a client sees it. Replies are read off the wire into their own arrays so they outlive the
/// receive buffer; a client allocates per reply, the server never builds these.
/// </summary>
public sealed class RespReply
{
    private static readonly RespReply NullBulkReply = new(RespReplyKind.BulkString, null, 0, null);
    private static readonly RespReply NullArrayReply = new(RespReplyKind.Array, null, 0, null);

    private readonly byte[]? _bytes;
    private readonly RespReply[]? _elements;

    private RespReply(RespReplyKind kind, byte[]? bytes, long integer, RespReply[]? elements)
    {
        Kind = kind;
        _bytes = bytes;
        Integer = integer;
        _elements = elements;
    }

    /// <summary>Which of the five RESP2 types this reply is.</summary>
    public RespReplyKind Kind { get; }

    /// <summary>The value of an integer reply; 0 for every other kind.</summary>
    public long Integer { get; }

    /// <summary><c>$-1</c> or <c>*-1</c>.</summary>
    public bool IsNull => Kind switch
    {
        RespReplyKind.BulkString => _bytes is null,
        RespReplyKind.Array => _elements is null,
        _ => false,
    };

    /// <summary>True for an error reply (<c>-ERR ...</c>); its message is in <see cref="Text"/>.</summary>
    public bool IsError => Kind == RespReplyKind.Error;

    /// <summary>The payload of a simple string, error or bulk string (empty for a null bulk and other kinds).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The elements of an array (empty for a null array and other kinds).</summary>
    public IReadOnlyList<RespReply> Elements => _elements ?? [];

    /// <summary>The payload as UTF-8 text; null for null replies, the number for integers.</summary>
    public string? Text => Kind switch
    {
        RespReplyKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RespReplyKind.Array => null,
        _ => _bytes is null ? null : Encoding.UTF8.GetString(_bytes),
    };

    /// <summary>The null bulk string (<c>$-1</c>), one shared instance.</summary>
    public static RespReply NullBulk => NullBulkReply;

    /// <summary>The null array (<c>*-1</c>), one shared instance.</summary>
    public static RespReply NullArray => NullArrayReply;

    /// <summary>A simple string reply holding <paramref name="text"/> (not copied).</summary>
    /// <param name="text">The status text, without CR or LF.</param>
    public static RespReply SimpleString(byte[] text) => new(RespReplyKind.SimpleString, text, 0, null);

    /// <summary>A simple string reply holding <paramref name="text"/> as UTF-8.</summary>
    /// <param name="text">The status text, without CR or LF.</param>
    public static RespReply SimpleString(string text) => SimpleString(Encoding.UTF8.GetBytes(text));

    /// <summary>An error reply holding <paramref name="message"/> (not copied).</summary>
    /// <param name="message">The message with its code first, such as <c>ERR syntax error</c>.</param>
    public static RespReply Error(byte[] message) => new(RespReplyKind.Error, message, 0, null);

    /// <summary>An error reply holding <paramref name="message"/> as UTF-8.</summary>
    /// <param name="message">The message with its code first, such as <c>ERR syntax error</c>.</param>
    public static RespReply Error(string message) => Error(Encoding.UTF8.GetBytes(message));

    /// <summary>An integer reply.</summary>
    /// <param name="value">The integer.</param>
    public static RespReply FromInteger(long value) => new(RespReplyKind.Integer, null, value, null);

    /// <summary>A bulk string reply holding <paramref name="value"/> (not copied), or <see cref="NullBulk"/> for null.</summary>
    /// <param name="value">The bytes, or null.</param>
    public static RespReply Bulk(byte[]? value) => value is null ? NullBulkReply : new(RespReplyKind.BulkString, value, 0, null);

    /// <summary>A bulk string reply holding <paramref name="value"/> as UTF-8.</summary>
    /// <param name="value">The text.</param>
    public static RespReply Bulk(string value) => Bulk(Encoding.UTF8.GetBytes(value));

    /// <summary>An array reply of <paramref name="elements"/> (not copied), or <see cref="NullArray"/> for null.</summary>
    /// <param name="elements">The elements, or null.</param>
    public static RespReply FromArray(RespReply[]? elements) =>
        elements is null ? NullArrayReply : new(RespReplyKind.Array, null, 0, elements);

    /// <summary>A debugging view (<c>+OK</c>, <c>:5</c>, <c>$-1</c>, <c>*2</c>...), not a rendering for users.</summary>
    public override string ToString() => Kind switch
    {
        RespReplyKind.SimpleString => "+" + Text,
        RespReplyKind.Error => "-" + Text,
        RespReplyKind.Integer => ":" + Text,
        RespReplyKind.BulkString => IsNull ? "$-1" : "$" + Text,
        _ => IsNull ? "*-1" : "[" + string.Join(", ", Elements) + "]",
    };
}
