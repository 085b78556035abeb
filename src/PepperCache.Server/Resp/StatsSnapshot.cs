namespace PepperCache.Server.Resp;

/// <summary>The monotonic counters INFO stats reports, at one moment.</summary>
internal readonly record struct StatsSnapshot(
    long Connections,
    long Commands,
    long Hits,
    long Misses,
    long ExpiredKeys,
    long EvictedKeys,
    long RejectedConnections = 0,
    long QueryBufferDisconnections = 0,
    long OutputBufferDisconnections = 0,
    long NetInputBytes = 0,
    long NetOutputBytes = 0)
{
    public static StatsSnapshot Take(ServerState server)
    {
        var clients = server.Clients;
        var (commands, hits, misses, netInput, netOutput) = clients.Totals();
        return new(
            clients.ConnectionsReceived, commands, hits, misses, server.Store.ExpiredKeys, server.Store.EvictedKeys,
            clients.RejectedConnections + server.Acl.RejectedConnections, clients.QueryBufferDisconnections, clients.OutputBufferDisconnections,
            netInput, netOutput);
    }

    /// <summary>The counts since <paramref name="then"/>.</summary>
    public StatsSnapshot Since(StatsSnapshot then) => new(
        Connections - then.Connections,
        Commands - then.Commands,
        Hits - then.Hits,
        Misses - then.Misses,
        ExpiredKeys - then.ExpiredKeys,
        EvictedKeys - then.EvictedKeys,
        RejectedConnections - then.RejectedConnections,
        QueryBufferDisconnections - then.QueryBufferDisconnections,
        OutputBufferDisconnections - then.OutputBufferDisconnections,
        NetInputBytes - then.NetInputBytes,
        NetOutputBytes - then.NetOutputBytes);
}
