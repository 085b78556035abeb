namespace PepperCache.Client;

/// <summary>
/// The connection could not be made or was lost; the message is meant for users
/// (<c>Could not connect to 127.0.0.1:9004: Connection refused</c>).
/// </summary>
public sealed class RespConnectionException : Exception
{
    /// <summary>A connection failure with the default message.</summary>
    public RespConnectionException()
    {
    }

    /// <summary>A connection failure described by <paramref name="message"/>.</summary>
    /// <param name="message">What failed, for users.</param>
    public RespConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>A connection failure described by <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What failed, for users.</param>
    /// <param name="innerException">The socket or TLS error behind it.</param>
    public RespConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
