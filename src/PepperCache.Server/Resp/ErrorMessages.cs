namespace PepperCache.Server.Resp;

/// <summary>Redis's error texts, kept in one place so every handler words the same error the same way.</summary>
internal static class ErrorMessages
{
    public static ReadOnlySpan<byte> Syntax => "ERR syntax error"u8;
    public static ReadOnlySpan<byte> WrongType => "WRONGTYPE Operation against a key holding the wrong kind of value"u8;
    public static ReadOnlySpan<byte> OutOfMemory => "OOM command not allowed when used memory > 'maxmemory'."u8;
    public static ReadOnlySpan<byte> NotInteger => "ERR value is not an integer or out of range"u8;
    public static ReadOnlySpan<byte> NotFloat => "ERR value is not a valid float"u8;
    public static ReadOnlySpan<byte> Overflow => "ERR increment or decrement would overflow"u8;
    public static ReadOnlySpan<byte> NanOrInfinity => "ERR increment would produce NaN or Infinity"u8;
    public static ReadOnlySpan<byte> NoSuchKey => "ERR no such key"u8;
    public static ReadOnlySpan<byte> InvalidExpire => "ERR invalid expire time in 'set' command"u8;
    public static ReadOnlySpan<byte> StringTooLong => "ERR string exceeds maximum allowed size (proto-max-bulk-len)"u8;
    public static ReadOnlySpan<byte> OffsetOutOfRange => "ERR offset is out of range"u8;
    public static ReadOnlySpan<byte> DbIndexOutOfRange => "ERR DB index is out of range"u8;
    public static ReadOnlySpan<byte> NoProto => "NOPROTO unsupported protocol version"u8;

    public static ReadOnlySpan<byte> ProtocolVersionNotInteger => "ERR Protocol version is not an integer or out of range"u8;
    public static ReadOnlySpan<byte> InvalidClientName => "ERR Client names cannot contain spaces, newlines or special characters."u8;
    public static ReadOnlySpan<byte> WrongPass => "WRONGPASS invalid username-password pair or user is disabled."u8;
    public static ReadOnlySpan<byte> HelloNoAuth =>
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"u8;
    public static ReadOnlySpan<byte> AuthWithoutPassword =>
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"u8;
    public static ReadOnlySpan<byte> ReplicaKeyspace => "ERR Replica can't interact with the keyspace"u8;
    public static ReadOnlySpan<byte> NoSuchClient => "ERR No such client"u8;
    public static ReadOnlySpan<byte> InvalidClientId => "ERR Invalid client ID"u8;
    public static ReadOnlySpan<byte> ClientIdNotPositive => "ERR client-id should be greater than 0"u8;
    public static ReadOnlySpan<byte> NoConfigFile => "ERR The server is running without a config file"u8;
    public static ReadOnlySpan<byte> InvalidCommandSpecified => "ERR Invalid command specified"u8;
    public static ReadOnlySpan<byte> CommandHasNoKeys => "ERR The command has no key arguments"u8;
    public static ReadOnlySpan<byte> InvalidCommandArgumentCount => "ERR Invalid number of arguments specified for command"u8;
    public static ReadOnlySpan<byte> InvalidCommandArguments => "ERR Invalid arguments specified for command"u8;

    public static string WrongArgumentCount(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string InvalidExpireTime(string command) => $"ERR invalid expire time in '{command}' command";

    public static string UnknownSubcommand(string subcommand, string command) =>
        $"ERR unknown subcommand '{Truncate(subcommand)}'. Try {command.ToUpperInvariant()} HELP.";

    public static string HelloSyntax(string option) => $"ERR Syntax error in HELLO option '{Printable(option)}'";

    public static string UnknownClientType(string type) => $"ERR Unknown client type '{Printable(type)}'";

    public static string UnrecognizedClientOption(string option) => $"ERR Unrecognized option '{Printable(option)}'";

    public static string InvalidClientAttribute(string attribute) =>
        $"ERR {Printable(attribute)} cannot contain spaces, newlines or special characters.";

    public static string UnknownConfigOption(string name) =>
        $"ERR Unknown option or number of arguments for CONFIG SET - '{Printable(name)}'";

    public static string ConfigSetFailed(string name, string reason) =>
        $"ERR CONFIG SET failed (possibly related to argument '{Printable(name)}') - {reason}";

    /// <summary>
    /// Client text inside an error line, as Redis's <c>%.128s</c>: a C string, so it ends at a NUL; cut to 128
    /// characters; CR and LF replaced (Redis's addReplyErrorFormat does the same, an error is one line).
    /// </summary>
    public static string Printable(string text) => OneLine(Truncate(CString(text)));

    /// <summary>Client text inside an error line, as Redis's <c>%s</c>: up to a NUL, CR and LF replaced, not cut.</summary>
    public static string OneLine(string text) => CString(text).Replace('\r', ' ').Replace('\n', ' ');

    private static string CString(string text) => text.IndexOf('\0', StringComparison.Ordinal) is >= 0 and var nul ? text[..nul] : text;

    private static string Truncate(string text) => text.Length > 128 ? text[..128] : text;

    // String and keyspace commands.
    public static ReadOnlySpan<byte> DecrementOverflow => "ERR decrement would overflow"u8;
    public static ReadOnlySpan<byte> InvalidCursor => "ERR invalid cursor"u8;
    public static ReadOnlySpan<byte> ExpireNxConflict => "ERR NX and XX, GT or LT options at the same time are not compatible"u8;
    public static ReadOnlySpan<byte> ExpireGtLtConflict => "ERR GT and LT options at the same time are not compatible"u8;

    // Hash commands.
    public static ReadOnlySpan<byte> HashValueNotInteger => "ERR hash value is not an integer"u8;
    public static ReadOnlySpan<byte> HashValueNotFloat => "ERR hash value is not a float"u8;
    public static ReadOnlySpan<byte> NanOrInfinityValue => "ERR value is NaN or Infinity"u8;
    public static ReadOnlySpan<byte> ValueOutOfRange => "ERR value is out of range"u8;

    /// <summary>getRangeLongFromObjectOrReply's wording for HRANDFIELD's count (range -LONG_MAX..LONG_MAX).</summary>
    public static ReadOnlySpan<byte> RandomCountOutOfRange =>
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"u8;

    /// <summary>getIntFromObjectOrReply's wording (sic: "value must between") for a database index beyond an int.</summary>
    public static ReadOnlySpan<byte> IntOutOfRange =>
        "ERR value is out of range, value must between -2147483648 and 2147483647"u8;

    /// <summary>EXPIRE family's wording for an unknown option (Redis prints the option as given).</summary>
    public static string UnsupportedOption(string option) => $"ERR Unsupported option {option}";
}
