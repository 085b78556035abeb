using System.Collections.Concurrent;

namespace PepperCache.Server.Resp;

/// <summary>The live client sessions and the totals of those that have left (INFO clients/stats, CLIENT LIST).</summary>
internal sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<long, ClientSession> _clients = new();
    private long _nextId;
    private long _connectionsReceived;
    private readonly Lock _retireLock = new();
    private long _retiredCommands;
    private long _retiredHits;
    private long _retiredMisses;

    public int ConnectedCount => _clients.Count;

    public long ConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    public IEnumerable<ClientSession> Clients => _clients.Values.OrderBy(c => c.Id);

    /// <summary>The live sessions in no particular order, without sorting (slot migration's quiescence check).</summary>
    public ICollection<ClientSession> Sessions => _clients.Values;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ClientSession session)
    {
        Interlocked.Increment(ref _connectionsReceived);
        _clients[session.Id] = session;
    }

    public void Remove(ClientSession session)
    {
        // Under the same lock as Totals, so a session's counts move from "live" to "retired" in one step and an
        // INFO running meanwhile neither misses nor double-counts them. Disconnects and INFO are rare; no hot path.
        lock (_retireLock)
        {
            if (_clients.TryRemove(session.Id, out _))
            {
                _retiredCommands += session.CommandsProcessed;
                _retiredHits += session.KeyspaceHits;
                _retiredMisses += session.KeyspaceMisses;
            }
        }
    }

    public (long Commands, long Hits, long Misses) Totals()
    {
        lock (_retireLock)
        {
            var commands = _retiredCommands;
            var hits = _retiredHits;
            var misses = _retiredMisses;
            foreach (var client in _clients.Values)
            {
                commands += client.CommandsProcessed;
                hits += client.KeyspaceHits;
                misses += client.KeyspaceMisses;
            }

            return (commands, hits, misses);
        }
    }
}
