namespace PepperCache.Server.Logging;

/// <summary>The cache port's epoll loops (Transport/): faults that end one connection, or a loop.</summary>
internal static partial class Log
{
    // 14xx: transport.
    [LoggerMessage(1401, LogLevel.Warning, "Connection {ConnectionId} failed in its event loop; it is closed")]
    public static partial void EventLoopConnectionFault(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(1402, LogLevel.Warning, "A callback of connection {ConnectionId}'s close failed")]
    public static partial void ConnectionClosedCallbackFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(1403, LogLevel.Warning, "Event loop {Loop} stopped with {Connections} connections still open")]
    public static partial void EventLoopStoppedWithConnections(ILogger logger, int loop, int connections);
}
