namespace PepperCache.Server.Logging;

// 60xx: authentication and access control.
internal static partial class Log
{
    [LoggerMessage(6001, LogLevel.Information, "Connection {ConnectionId} from {Remote} refused: protected mode is on and the default user has no password")]
    public static partial void ProtectedModeRefused(ILogger logger, string connectionId, string remote);

    [LoggerMessage(6002, LogLevel.Warning, "Admin API request {Method} {Path} from {Remote} refused: no valid credentials")]
    public static partial void AdminCredentialsRefused(ILogger logger, string method, string path, string remote);
}
