using System.Text;

namespace PepperCache.Protocol.Tests.Infrastructure;

/// <summary>Test payloads are written as strings whose chars are bytes (Latin-1), so "\0" and "\xFF" mean one byte.</summary>
internal static class Bytes
{
    public static byte[] Of(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
