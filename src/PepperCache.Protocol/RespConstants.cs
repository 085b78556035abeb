namespace PepperCache.Protocol;

/// <summary>Canned replies, pre-encoded.</summary>
public static class RespConstants
{
    /// <summary><c>+OK</c>, with its CRLF.</summary>
    public static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;
    /// <summary><c>+PONG</c>, with its CRLF.</summary>
    public static ReadOnlySpan<byte> Pong => "+PONG\r\n"u8;
    /// <summary><c>+QUEUED</c> (a command queued inside MULTI), with its CRLF.</summary>
    public static ReadOnlySpan<byte> Queued => "+QUEUED\r\n"u8;
    /// <summary><c>$-1</c>: the RESP2 null bulk string, with its CRLF.</summary>
    public static ReadOnlySpan<byte> NullBulk => "$-1\r\n"u8;
    /// <summary><c>_</c>: the RESP3 null (for both the null bulk string and the null array), with its CRLF.</summary>
    public static ReadOnlySpan<byte> Null => "_\r\n"u8;
    /// <summary><c>*-1</c>: the RESP2 null array, with its CRLF.</summary>
    public static ReadOnlySpan<byte> NullArray => "*-1\r\n"u8;
    /// <summary><c>*0</c>: an empty array, with its CRLF.</summary>
    public static ReadOnlySpan<byte> EmptyArray => "*0\r\n"u8;
    /// <summary><c>$0</c>: an empty bulk string, with its CRLF.</summary>
    public static ReadOnlySpan<byte> EmptyBulk => "$0\r\n\r\n"u8;
    /// <summary><c>:0</c>, with its CRLF.</summary>
    public static ReadOnlySpan<byte> Zero => ":0\r\n"u8;
    /// <summary><c>:1</c>, with its CRLF.</summary>
    public static ReadOnlySpan<byte> One => ":1\r\n"u8;
    /// <summary><c>:-1</c>, with its CRLF.</summary>
    public static ReadOnlySpan<byte> MinusOne => ":-1\r\n"u8;
    /// <summary><c>:-2</c>, with its CRLF.</summary>
    public static ReadOnlySpan<byte> MinusTwo => ":-2\r\n"u8;
    /// <summary>The line terminator, <c>\r\n</c>.</summary>
    public static ReadOnlySpan<byte> CrLf => "\r\n"u8;
}
