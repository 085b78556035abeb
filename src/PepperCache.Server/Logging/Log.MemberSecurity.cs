namespace PepperCache.Server.Logging;

// 403x: membership security (gossip validation, who may call membership endpoints).
internal static partial class Log
{
    [LoggerMessage(4030, LogLevel.Warning, "Ignored gossip from {From} about member {Id} ({Status}, incarnation {Incarnation}): {Reason}")]
    public static partial void GossipEntryIgnored(ILogger logger, string from, string id, string status, long incarnation, string reason);

    [LoggerMessage(4033, LogLevel.Debug, "Ignored gossip from {From} about member {Id} ({Status}, incarnation {Incarnation}): {Reason}")]
    public static partial void GossipEntryIgnoredQuietly(ILogger logger, string from, string id, string status, long incarnation, string reason);

    [LoggerMessage(4031, LogLevel.Warning, "Ignored a slot table (or its changes) from {From}: {Reason}")]
    public static partial void GossipSlotsIgnored(ILogger logger, string from, string reason);

    [LoggerMessage(4032, LogLevel.Information, "No cluster secret: membership calls are accepted only from this machine (loopback); set --cluster-secret to form a cluster across hosts")]
    public static partial void MembershipLoopbackOnly(ILogger logger);
}
