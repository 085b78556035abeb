using System.Collections.Concurrent;

namespace PepperCache.Server.Resp;

/// <summary>The live client sessions and the totals of those that have left (INFO clients/stats, CLIENT LIST).</summary>
internal sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<long, ClientSession> _clients = new();
    private long _nextId;
    private long _connectionsReceived;
    private long _retiredCommands;
    private long _retiredHits;
    private long _retiredMisses;

    public int ConnectedCount => _clients.Count;

    public long ConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    public IEnumerable<ClientSession> Clients => _clients.Values.OrderBy(c => c.Id);

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(ClientSession session)
    {
        Interlocked.Increment(ref _connectionsReceived);
        _clients[session.Id] = session;
    }

    public void Remove(ClientSession session)
    {
        if (_clients.TryRemove(session.Id, out _))
        {
            Interlocked.Add(ref _retiredCommands, session.CommandsProcessed);
            Interlocked.Add(ref _retiredHits, session.KeyspaceHits);
            Interlocked.Add(ref _retiredMisses, session.KeyspaceMisses);
        }
    }

    public (long Commands, long Hits, long Misses) Totals()
    {
        long commands = Interlocked.Read(ref _retiredCommands);
        long hits = Interlocked.Read(ref _retiredHits);
        long misses = Interlocked.Read(ref _retiredMisses);
        foreach (var client in _clients.Values)
        {
            commands += client.CommandsProcessed;
            hits += client.KeyspaceHits;
            misses += client.KeyspaceMisses;
        }

        return (commands, hits, misses);
    }
}
