using PepperCache.Client;

namespace PepperCache.Server.Commands;

/// <summary>
/// MIGRATE's connections to its targets, kept between calls as Redis 7.0's migrate_cached_sockets (cluster.c
/// migrateGetSocket, migrateCloseSocket, migrateCloseTimedoutSockets): one per "host:port" as the arguments spell it,
/// at most <see cref="MaxItems"/> (a random one closed to make room), each closed once idle more than
/// <see cref="TtlSeconds"/> (<see cref="Hosting.MigrateSocketService"/> sweeps once a second, as serverCron).
/// </summary>
/// <remarks>
/// Redis runs one MIGRATE at a time; here several run at once, so a connection in use is out of the cache
/// (<see cref="Take"/>) and goes back when the call is done (<see cref="ReturnAsync"/>). A second MIGRATE to the same
/// target meanwhile connects on its own; whichever comes back second is closed, so one stays per target.
/// </remarks>
internal sealed class MigrateSocketCache(TimeProvider time) : IAsyncDisposable
{
    /// <summary>Redis's MIGRATE_SOCKET_CACHE_ITEMS.</summary>
    public const int MaxItems = 64;

    /// <summary>Redis's MIGRATE_SOCKET_CACHE_TTL: closed when idle for more than this, in whole seconds as server.unixtime.</summary>
    public const long TtlSeconds = 10;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, MigrateSocket> _idle = new(StringComparer.Ordinal);
    private bool _closed;

    /// <summary>Connections waiting for their next MIGRATE: INFO's migrate_cached_sockets.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>The cached connection to <paramref name="name"/>, now this caller's alone; null when none is.</summary>
    public MigrateSocket? Take(string name)
    {
        lock (_lock)
        {
            if (!_idle.Remove(name, out var socket))
            {
                return null;
            }

            // As Redis: the use that fetches it is the last use the TTL counts from.
            socket.LastUse = NowSeconds();
            return socket;
        }
    }

    /// <summary>A new connection to cache once its first call is done; it has selected no database yet.</summary>
    public MigrateSocket Adopt(RespConnection connection) => new(connection) { LastUse = NowSeconds() };

    /// <summary>
    /// Puts a connection back after a call that left it in step with the target. It is closed instead when another
    /// one to the same target came back first, or when the node is stopping.
    /// </summary>
    public async ValueTask ReturnAsync(string name, MigrateSocket socket)
    {
        MigrateSocket? close = socket;
        lock (_lock)
        {
            if (!_closed && !_idle.ContainsKey(name))
            {
                close = null;
                if (_idle.Count >= MaxItems)
                {
                    // As Redis: full, one at random makes room.
                    var victim = _idle.ElementAt(Random.Shared.Next(_idle.Count));
                    _idle.Remove(victim.Key);
                    close = victim.Value;
                }

                _idle.Add(name, socket);
            }
        }

        if (close is not null)
        {
            await close.Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the connections idle more than <see cref="TtlSeconds"/>; returns how many.</summary>
    public async Task<int> CloseIdleAsync()
    {
        var now = NowSeconds();
        List<MigrateSocket> expired;
        lock (_lock)
        {
            expired = [];
            foreach (var (name, socket) in _idle)
            {
                if (now - socket.LastUse > TtlSeconds)
                {
                    expired.Add(socket);
                    _idle.Remove(name);
                }
            }
        }

        foreach (var socket in expired)
        {
            await socket.Connection.DisposeAsync().ConfigureAwait(false);
        }

        return expired.Count;
    }

    /// <summary>Closes every cached connection; one returned after this is closed too.</summary>
    public async ValueTask DisposeAsync()
    {
        MigrateSocket[] all;
        lock (_lock)
        {
            _closed = true;
            all = [.. _idle.Values];
            _idle.Clear();
        }

        foreach (var socket in all)
        {
            await socket.Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private long NowSeconds() => time.GetUtcNow().ToUnixTimeSeconds();
}
