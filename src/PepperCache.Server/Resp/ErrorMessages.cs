namespace PepperCache.Server.Resp;

/// <summary>Redis's error texts, kept in one place so every handler words the same error the same way.</summary>
internal static class ErrorMessages
{
    public static ReadOnlySpan<byte> Syntax => "ERR syntax error"u8;
    public static ReadOnlySpan<byte> NotInteger => "ERR value is not an integer or out of range"u8;
    public static ReadOnlySpan<byte> NotFloat => "ERR value is not a valid float"u8;
    public static ReadOnlySpan<byte> Overflow => "ERR increment or decrement would overflow"u8;
    public static ReadOnlySpan<byte> NanOrInfinity => "ERR increment would produce NaN or Infinity"u8;
    public static ReadOnlySpan<byte> NoSuchKey => "ERR no such key"u8;
    public static ReadOnlySpan<byte> InvalidExpire => "ERR invalid expire time in 'set' command"u8;
    public static ReadOnlySpan<byte> StringTooLong => "ERR string exceeds maximum allowed size (proto-max-bulk-len)"u8;
    public static ReadOnlySpan<byte> OffsetOutOfRange => "ERR offset is out of range"u8;
    public static ReadOnlySpan<byte> DbIndexOutOfRange => "ERR DB index is out of range"u8;
    public static ReadOnlySpan<byte> NoProto => "NOPROTO sorry, this protocol version is not supported"u8;

    public static string WrongArgumentCount(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string InvalidExpireTime(string command) => $"ERR invalid expire time in '{command}' command";

    public static string UnknownSubcommand(string subcommand, string command) =>
        $"ERR unknown subcommand '{Truncate(subcommand)}'. Try {command.ToUpperInvariant()} HELP.";

    private static string Truncate(string text) => text.Length > 128 ? text[..128] : text;

    // String and keyspace commands.
    public static ReadOnlySpan<byte> DecrementOverflow => "ERR decrement would overflow"u8;
    public static ReadOnlySpan<byte> InvalidCursor => "ERR invalid cursor"u8;
    public static ReadOnlySpan<byte> ExpireNxConflict => "ERR NX and XX, GT or LT options at the same time are not compatible"u8;
    public static ReadOnlySpan<byte> ExpireGtLtConflict => "ERR GT and LT options at the same time are not compatible"u8;

    /// <summary>EXPIRE family's wording for an unknown option (Redis prints the option as given).</summary>
    public static string UnsupportedOption(string option) => $"ERR Unsupported option {option}";
}
