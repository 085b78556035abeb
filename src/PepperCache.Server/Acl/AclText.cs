using System.Text;

namespace PepperCache.Server.Acl;

/// <summary>
/// ACL text (user names, rules, patterns) is kept as Latin-1 strings: one char per byte, so any bytes a client sends
/// come back out exactly, and a key pattern matches key bytes.
/// </summary>
internal static class AclText
{
    public static string From(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Redis's ACLStringHasSpaces: whitespace (isspace) or NUL, refused in names and patterns.</summary>
    public static bool HasSpaces(string text) => text.Any(c => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or '\0');

    /// <summary>For text shown in a UTF-8 reply (CLIENT LIST's user=): the bytes as UTF-8.</summary>
    public static string ToDisplay(string text) => Encoding.UTF8.GetString(Bytes(text));
}
