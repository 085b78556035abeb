using System.Collections.Concurrent;

namespace PepperCache.Server.Resp;

/// <summary>The live client sessions and the totals of those that have left (INFO clients/stats, CLIENT LIST).</summary>
internal sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<long, ClientSession> _clients = new();
    private long _nextId;
    private long _connectionsReceived;
    private long _rejectedConnections;
    private long _outputBufferDisconnections;
    private long _queryBufferDisconnections;
    private int _admitted;
    private readonly Lock _retireLock = new();
    private long _retiredCommands;
    private long _retiredHits;
    private long _retiredMisses;
    private long _retiredNetInput;
    private long _retiredNetOutput;
    private readonly Dictionary<CommandDefinition, CommandTotals> _retiredCommandTotals = [];

    public int ConnectedCount => _clients.Count;

    public long ConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    public IEnumerable<ClientSession> Clients => _clients.Values.OrderBy(c => c.Id);

    /// <summary>The live sessions in no particular order, without sorting (slot migration's quiescence check).</summary>
    public ICollection<ClientSession> Sessions => _clients.Values;

    /// <summary>Connections refused at maxclients (INFO stats rejected_connections).</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Clients closed for their output buffer limit (INFO stats client_output_buffer_limit_disconnections).</summary>
    public long OutputBufferDisconnections => Interlocked.Read(ref _outputBufferDisconnections);

    /// <summary>Clients closed for the query buffer limit (INFO stats client_query_buffer_limit_disconnections).</summary>
    public long QueryBufferDisconnections => Interlocked.Read(ref _queryBufferDisconnections);

    /// <summary>Clients admitted and not yet released: the count maxclients is checked against.</summary>
    public long Admitted => Volatile.Read(ref _admitted);

    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>
    /// Takes a place for a new client unless <paramref name="maxClients"/> are connected already (Redis's check:
    /// the client that would be number maxclients + 1 is refused). A counter of its own rather than the
    /// dictionary's Count, which takes every lock of the dictionary. Each success is paired with one <see cref="Release"/>.
    /// </summary>
    public bool TryAdmit(long maxClients)
    {
        if (Interlocked.Increment(ref _admitted) <= maxClients)
        {
            return true;
        }

        Interlocked.Decrement(ref _admitted);
        Interlocked.Increment(ref _rejectedConnections);
        return false;
    }

    /// <summary>Gives back the place <see cref="TryAdmit"/> took.</summary>
    public void Release() => Interlocked.Decrement(ref _admitted);

    public void CountOutputBufferDisconnection() => Interlocked.Increment(ref _outputBufferDisconnections);

    public void CountQueryBufferDisconnection() => Interlocked.Increment(ref _queryBufferDisconnections);

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
                _retiredNetInput += session.NetInputBytes;
                _retiredNetOutput += session.NetOutputBytes;
                foreach (var counter in session.Counters.All)
                {
                    if (counter is not null)
                    {
                        _retiredCommandTotals[counter.Command] = _retiredCommandTotals.GetValueOrDefault(counter.Command) + Read(counter);
                    }
                }
            }
        }
    }

    /// <summary>The live connections' counts plus those of the connections that have left (INFO stats, /metrics).</summary>
    public (long Commands, long Hits, long Misses, long NetInput, long NetOutput) Totals()
    {
        lock (_retireLock)
        {
            var commands = _retiredCommands;
            var hits = _retiredHits;
            var misses = _retiredMisses;
            var input = _retiredNetInput;
            var output = _retiredNetOutput;
            // The dictionary's own enumerator: Values would take every bucket lock and copy the sessions, ten times a
            // second for the move pacer's samples (MovePacer). Remove waits for _retireLock, so none leaves meanwhile.
            foreach (var (_, client) in _clients)
            {
                commands += client.CommandsProcessed;
                hits += client.KeyspaceHits;
                misses += client.KeyspaceMisses;
                input += Volatile.Read(ref client.NetInputBytes);
                output += Volatile.Read(ref client.NetOutputBytes);
            }

            return (commands, hits, misses, input, output);
        }
    }

    /// <summary>Per command: the counts of the live connections and of those that have left (INFO commandstats, /metrics).</summary>
    public Dictionary<CommandDefinition, CommandTotals> CommandTotals()
    {
        lock (_retireLock)
        {
            var totals = new Dictionary<CommandDefinition, CommandTotals>(_retiredCommandTotals);
            // As in Totals: no bucket locks, no copy; Remove waits for _retireLock.
            foreach (var (_, client) in _clients)
            {
                foreach (var counter in client.Counters.All)
                {
                    if (counter is not null)
                    {
                        totals[counter.Command] = totals.GetValueOrDefault(counter.Command) + Read(counter);
                    }
                }
            }

            return totals;
        }
    }

    private static CommandTotals Read(CommandCounter counter) =>
        new(Volatile.Read(ref counter.Calls), Volatile.Read(ref counter.Ticks), Volatile.Read(ref counter.Rejected), Volatile.Read(ref counter.Failed));
}
