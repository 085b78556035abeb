namespace PepperCache.Server.Logging;

/// <summary>Connection and buffer limits: open files, maxclients, accept failures, idle and output-buffer closes.</summary>
internal static partial class Log
{
    // 11xx: limits. The open-files lines are Redis's own words (server.c, adjustOpenFilesLimit).
    [LoggerMessage(1101, LogLevel.Warning, "You requested maxclients of {MaxClients} requiring at least {Descriptors} max file descriptors.")]
    public static partial void MaxClientsNeedsDescriptors(ILogger logger, long maxClients, long descriptors);

    [LoggerMessage(1102, LogLevel.Warning, "Server can't set maximum open files to {Descriptors} because of OS error: {Error}.")]
    public static partial void CannotRaiseOpenFiles(ILogger logger, long descriptors, string error);

    [LoggerMessage(1103, LogLevel.Warning, "Current maximum open files is {Limit}. maxclients has been reduced to {MaxClients} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.")]
    public static partial void MaxClientsReduced(ILogger logger, long limit, long maxClients);

    [LoggerMessage(1104, LogLevel.Information, "Increased maximum number of open files to {Limit} (it was originally set to {Previous}).")]
    public static partial void OpenFilesRaised(ILogger logger, long limit, long previous);

    [LoggerMessage(1105, LogLevel.Warning, "Failed applying new configuration. Possibly related to new maxclients setting. Restoring previous settings.")]
    public static partial void MaxClientsRestored(ILogger logger);

    [LoggerMessage(1106, LogLevel.Debug, "Open files limit {Limit}: maxclients {MaxClients}, {Reserve} descriptors kept for the node itself")]
    public static partial void OpenFilesLimit(ILogger logger, long limit, long maxClients, int reserve);

    [LoggerMessage(1107, LogLevel.Warning, "Accepting client connection: {Error}; serving existing clients and retrying every {DelayMs} ms at most")]
    public static partial void AcceptFailing(ILogger logger, string error, int delayMs);

    [LoggerMessage(1108, LogLevel.Information, "Accepting client connections again after {Failures} failed accepts")]
    public static partial void AcceptRecovered(ILogger logger, long failures);

    [LoggerMessage(1111, LogLevel.Warning, "Room for {Clients} clients within the open-files limit of {Limit} (maxclients {MaxClients}): the node keeps 32 descriptors free, and clients past that are refused as at maxclients")]
    public static partial void DescriptorCapBinds(ILogger logger, long clients, long limit, long maxClients);

    [LoggerMessage(1109, LogLevel.Warning, "Client {ClientId} ({Remote}) closed for overcoming of output buffer limits ({Bytes} bytes unsent)")]
    public static partial void OutputBufferLimitReached(ILogger logger, long clientId, string remote, long bytes);

    [LoggerMessage(1110, LogLevel.Debug, "Closing idle client {ClientId}")]
    public static partial void ClosingIdleClient(ILogger logger, long clientId);
}
