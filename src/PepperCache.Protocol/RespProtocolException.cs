using System.Diagnostics.CodeAnalysis;

namespace PepperCache.Protocol;

/// <summary>
/// Malformed input on the wire. The server answers <c>-ERR Protocol error: {Message}</c> and closes the
/// connection, as Redis does; the message text is Redis's own.
/// </summary>
public sealed class RespProtocolException(string message) : Exception(message)
{
    [DoesNotReturn]
    internal static void Throw(string message) => throw new RespProtocolException(message);

    /// <remarks>
    /// Redis maps CR and LF in an error to spaces so the reply stays one line. Other bytes stay as they are: the
    /// byte becomes the Latin-1 char of the same value.
    /// </remarks>
    [DoesNotReturn]
    internal static void ThrowExpectedDollar(byte got) =>
        throw new RespProtocolException($"expected '$', got '{(got is (byte)'\r' or (byte)'\n' ? ' ' : (char)got)}'");
}
