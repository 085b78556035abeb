namespace PepperCache.Server.Hosting;

/// <summary>Source-generated log messages of the node's start and stop (event ids 21xx).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(2101, LogLevel.Error, "Cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);
}
