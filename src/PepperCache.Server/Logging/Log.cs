namespace PepperCache.Server.Logging;

/// <summary>Source-generated log messages with stable event ids, grouped by area.</summary>
internal static partial class Log
{
    // 1xxx: connections
    [LoggerMessage(1001, LogLevel.Debug, "Client {ClientId} connected from {Remote} ({ConnectionId})")]
    public static partial void ClientConnected(ILogger logger, string connectionId, long clientId, string remote);

    [LoggerMessage(1002, LogLevel.Debug, "Client {ClientId} disconnected ({ConnectionId})")]
    public static partial void ClientDisconnected(ILogger logger, string connectionId, long clientId);

    [LoggerMessage(1003, LogLevel.Warning, "Connection {ConnectionId} failed")]
    public static partial void ConnectionFault(ILogger logger, Exception exception, string connectionId);

    /// <summary>
    /// Debug, as Redis logs them at verbose: a client's bad input is the client's problem, and a fuzzer or a
    /// misconfigured client sends thousands (INFO counts them: total_error_replies, errorstat_ERR).
    /// </summary>
    [LoggerMessage(1004, LogLevel.Debug, "Client {ClientId} closed after a protocol error: {Error}")]
    public static partial void ProtocolError(ILogger logger, long clientId, string error);

    [LoggerMessage(1005, LogLevel.Warning, "Client {ClientId} closed: it reached the query buffer limit of {Limit} bytes")]
    public static partial void QueryBufferLimit(ILogger logger, long clientId, long limit);

    /// <summary>The summary a <see cref="LogRateLimiter"/> writes for the messages it held back.</summary>
    [LoggerMessage(1006, LogLevel.Warning, "Suppressed {Count} more {What} messages in the last {Seconds} seconds")]
    public static partial void Suppressed(ILogger logger, long count, string what, double seconds);

    // 2xxx: node lifecycle
    [LoggerMessage(2001, LogLevel.Information, "Node is {Node}")]
    public static partial void NodeIs(ILogger logger, string node);

    [LoggerMessage(2002, LogLevel.Information, "Cluster is {Cluster}")]
    public static partial void ClusterIs(ILogger logger, string cluster);

    [LoggerMessage(2003, LogLevel.Information, "Cache Server runs...")]
    public static partial void ServerRuns(ILogger logger);

    [LoggerMessage(2004, LogLevel.Information, "Cache Port: {Port}")]
    public static partial void CachePort(ILogger logger, int port);

    [LoggerMessage(2005, LogLevel.Information, "Cache PID: {Pid}")]
    public static partial void CachePid(ILogger logger, int pid);

    [LoggerMessage(2009, LogLevel.Information, "TLS Port: {Port}")]
    public static partial void TlsPort(ILogger logger, int port);

    [LoggerMessage(2010, LogLevel.Information, "Admin port serves HTTPS")]
    public static partial void AdminHttps(ILogger logger);

    [LoggerMessage(2006, LogLevel.Information, "Admin Port: {Port}")]
    public static partial void AdminPort(ILogger logger, int port);

    [LoggerMessage(2007, LogLevel.Information, "Ready to accept connections")]
    public static partial void Ready(ILogger logger);

    [LoggerMessage(2008, LogLevel.Information, "Shutting down: {Clients} clients connected")]
    public static partial void ShuttingDown(ILogger logger, int clients);

    [LoggerMessage(2009, LogLevel.Warning, "User requested shutdown (SHUTDOWN from {Client})")]
    public static partial void ShutdownRequested(ILogger logger, string client);

    [LoggerMessage(2010, LogLevel.Warning, "SHUTDOWN from {Client} refused: {Reason}")]
    public static partial void ShutdownRefused(ILogger logger, string client, string reason);

    [LoggerMessage(2101, LogLevel.Error, "Cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);

    // 3xxx: store
    [LoggerMessage(3001, LogLevel.Debug, "Active expiry removed {Count} keys")]
    public static partial void ExpiredKeysRemoved(ILogger logger, int count);

    // 4xxx: cluster membership
    [LoggerMessage(4001, LogLevel.Information, "Node id {Id}, incarnation {Incarnation} ({File})")]
    public static partial void NodeIdentity(ILogger logger, string id, long incarnation, string file);

    [LoggerMessage(4002, LogLevel.Information, "Member {Id} at {Host}:{Port} is {Status} (incarnation {Incarnation})")]
    public static partial void MemberChanged(ILogger logger, string id, string host, int port, string status, long incarnation);

    [LoggerMessage(4003, LogLevel.Warning, "Member {Id} at {Host}:{Port} unreachable for the node timeout: marked failed (a majority suspects it, or a cluster of two)")]
    public static partial void MemberFailed(ILogger logger, string id, string host, int port);

    [LoggerMessage(4004, LogLevel.Warning, "{Count} slots of failed or departed members went to their new owners without their keys; {Mine} to this node, which dropped the {Dropped} keys it held in them (copies not known to be current)")]
    public static partial void SlotsReassigned(ILogger logger, int count, int mine, long dropped);

    [LoggerMessage(4005, LogLevel.Warning, "This node was reported {Status}: refuted with incarnation {Incarnation}")]
    public static partial void Refuted(ILogger logger, string status, long incarnation);

    [LoggerMessage(4006, LogLevel.Warning, "Cannot read {Path}: {Reason}; starting as a new node")]
    public static partial void StateFileUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(4007, LogLevel.Error, "Cannot write {Path}: {Reason}")]
    public static partial void StateFileUnwritable(ILogger logger, string path, string reason);

    [LoggerMessage(4008, LogLevel.Information, "Joined the cluster through {Seed}: {Members} members")]
    public static partial void Joined(ILogger logger, string seed, int members);

    /// <summary>
    /// A join attempt that found no seed. The first few are expected when nodes start together (the README starts
    /// three at once and the seed is still starting), so they are information; the later ones are warnings.
    /// </summary>
    public static void JoinFailed(ILogger logger, string seed, int attempt, string reason)
    {
        if (attempt <= QuietJoinAttempts)
        {
            WaitingForSeed(logger, seed, attempt, reason);
        }
        else
        {
            CannotJoin(logger, seed, attempt, reason);
        }
    }

    /// <summary>Join attempts logged as information: with the join's backoff (100 ms doubling to 5 s), about 11 seconds.</summary>
    internal const int QuietJoinAttempts = 7;

    [LoggerMessage(4016, LogLevel.Information, "Waiting for seed {Seed} (attempt {Attempt}): {Reason}")]
    private static partial void WaitingForSeed(ILogger logger, string seed, int attempt, string reason);

    [LoggerMessage(4009, LogLevel.Warning, "Cannot join through {Seed} (attempt {Attempt}): {Reason}")]
    private static partial void CannotJoin(ILogger logger, string seed, int attempt, string reason);

    [LoggerMessage(4017, LogLevel.Warning, "Gave up joining through {Seed}; serving alone")]
    public static partial void GaveUpJoining(ILogger logger, string seed);

    [LoggerMessage(4021, LogLevel.Warning, "Member {Id} unreachable for the node timeout: suspected (PFAIL), failed once a majority agrees")]
    public static partial void MemberSuspected(ILogger logger, string id);

    [LoggerMessage(4022, LogLevel.Warning, "Slot table differs from {From}'s although each acknowledged the other's changes: exchanging whole tables")]
    public static partial void SlotTablesDiffer(ILogger logger, string from);

    [LoggerMessage(4020, LogLevel.Information, "Planned slot table {Epoch} for {Members} members (this node is the coordinator)")]
    public static partial void SlotPlanMade(ILogger logger, long epoch, int members);

    [LoggerMessage(4019, LogLevel.Information, "Forgot member {Id} at {Host}:{Port} ({Status}): {Why}")]
    public static partial void MemberForgotten(ILogger logger, string id, string host, int port, string status, string why);

    [LoggerMessage(4018, LogLevel.Information, "Returning node: cannot reach {Peer} for the cluster's current state ({Reason}); trying the next member")]
    public static partial void ReturnPeerUnreachable(ILogger logger, string peer, string reason);

    [LoggerMessage(4010, LogLevel.Warning, "Refused a membership call from {Remote} to {Path}: {Reason}")]
    public static partial void SecretRefused(ILogger logger, string remote, string path, string reason);

    [LoggerMessage(4011, LogLevel.Information, "Leaving the cluster: {Slots} slots to hand over")]
    public static partial void Leaving(ILogger logger, int slots);

    [LoggerMessage(4012, LogLevel.Warning, "Leaving: {Reason}")]
    public static partial void LeaveIncomplete(ILogger logger, string reason);

    /// <summary>
    /// The keys a returning node held (its append-only file replayed them) in slots other members own now: handed
    /// over when it left, or given to others while it was down. The cluster's copy wins; this is the normal
    /// restart after a graceful leave, not a loss.
    /// </summary>
    [LoggerMessage(4013, LogLevel.Information, "Returning node: dropped its old copy of {Keys} keys, in slots other members own now (handed over when it left, or reassigned while it was down)")]
    public static partial void DroppedStaleKeys(ILogger logger, long keys);

    [LoggerMessage(4014, LogLevel.Information, "A member joined without a rebalancer in this build: the slots stay with their owners and the new member serves none")]
    public static partial void NoRebalancer(ILogger logger);

    [LoggerMessage(4015, LogLevel.Error, "A gossip round failed")]
    public static partial void GossipRoundFailed(ILogger logger, Exception exception);

    // 5xxx: persistence (append-only file)
    [LoggerMessage(5001, LogLevel.Information, "DB loaded from append only file {Path}: {Commands} commands in {Seconds:F3} seconds")]
    public static partial void AofLoaded(ILogger logger, string path, long commands, double seconds);

    [LoggerMessage(5002, LogLevel.Warning, "!!! Warning: short read while loading the AOF file {Path}: the last record is cut short at byte offset {Offset}; truncating {Bytes} bytes and loading the rest")]
    public static partial void AofTruncated(ILogger logger, string path, long offset, long bytes);

    [LoggerMessage(5003, LogLevel.Warning, "Error writing to the AOF file: {Error}")]
    public static partial void AofWriteError(ILogger logger, string error);

    [LoggerMessage(5004, LogLevel.Warning, "AOF write error looks solved. Redis can write again.")]
    public static partial void AofWriteRecovered(ILogger logger);

    [LoggerMessage(5005, LogLevel.Information, "Background append only file rewriting started")]
    public static partial void AofRewriteStarted(ILogger logger);

    [LoggerMessage(5006, LogLevel.Information, "Background AOF rewrite finished successfully: {Keys} keys, {Bytes} bytes in {Seconds:F3} seconds")]
    public static partial void AofRewriteDone(ILogger logger, long keys, long bytes, double seconds);

    [LoggerMessage(5007, LogLevel.Warning, "Background AOF rewrite failed")]
    public static partial void AofRewriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(5008, LogLevel.Information, "Append only file {Path} opened ({Policy}, {Bytes} bytes)")]
    public static partial void AofOpened(ILogger logger, string path, string policy, long bytes);
}
