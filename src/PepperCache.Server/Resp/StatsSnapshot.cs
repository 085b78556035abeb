namespace PepperCache.Server.Resp;

/// <summary>The monotonic counters INFO stats reports, at one moment.</summary>
internal readonly record struct StatsSnapshot(
    long Connections, long Commands, long Hits, long Misses, long ExpiredKeys, long EvictedKeys, long RejectedConnections)
{
    public static StatsSnapshot Take(ServerState server)
    {
        var (commands, hits, misses) = server.Clients.Totals();
        return new(
            server.Clients.ConnectionsReceived, commands, hits, misses, server.Store.ExpiredKeys, server.Store.EvictedKeys,
            server.Acl.RejectedConnections);
    }

    /// <summary>The counts since <paramref name="then"/>.</summary>
    public StatsSnapshot Since(StatsSnapshot then) => new(
        Connections - then.Connections,
        Commands - then.Commands,
        Hits - then.Hits,
        Misses - then.Misses,
        ExpiredKeys - then.ExpiredKeys,
        EvictedKeys - then.EvictedKeys,
        RejectedConnections - then.RejectedConnections);
}
