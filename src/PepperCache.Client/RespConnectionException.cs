namespace PepperCache.Client;

/// <summary>
/// The connection could not be made or was lost; the message is meant for users
/// (<c>Could not connect to 127.0.0.1:9004: Connection refused</c>).
/// </summary>
public sealed class RespConnectionException : Exception
{
    public RespConnectionException()
    {
    }

    public RespConnectionException(string message)
        : base(message)
    {
    }

    public RespConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
