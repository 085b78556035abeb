using PepperCache.Protocol;

namespace PepperCache.Client.Cluster;

/// <summary>
/// A client for a cluster (PepperCache or Redis Cluster): loads the slot map with CLUSTER SLOTS, sends each command
/// to the node serving its key's slot over one pipelined <see cref="RespConnection"/> per node, follows MOVED (and
/// refreshes the map) and ASK (sending ASKING first), and sends a command once more on a new connection when the one
/// it went out on was reset. When a node cannot be reached at all (it left the cluster, or crashed), the map is
/// reloaded from another node and the command goes where that map says, up to
/// <see cref="ClusterClientOptions.MaxConnectionRetries"/> times, as redis-cli -c and StackExchange.Redis do. Against
/// a server that is not in cluster mode it is a client of that one server.
/// </summary>
/// <remarks>
/// The key is the first argument after the command name, which is right for single-key commands (GET, SET, INCR...)
/// and harmless for keyless ones; for anything else give the slot with <see cref="ExecuteOnSlotAsync"/> and
/// <see cref="KeySlot.Of"/>. As with redis-cli, the resend after a reset can run a command twice if the reset came
/// after the server had already executed it.
/// </remarks>
public sealed class ClusterClient : IAsyncDisposable
{
    private static readonly byte[][] ClusterSlotsCommand = ["CLUSTER"u8.ToArray(), "SLOTS"u8.ToArray()];

    private readonly ClusterNode _seed;
    private readonly ClusterClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<ClusterNode, Task<RespConnection>> _connections = [];
    private volatile SlotTable _slots;
    // Under _lock: the reload of the map under way (or the last one), and whether it is a follow-up that has not yet
    // asked its node (a reload asked for meanwhile joins it rather than queue another).
    private Task _refreshing = Task.CompletedTask;
    private bool _followUpWaiting;
    // Under _lock: when a reload after a MOVED was last asked for (a _time timestamp; null before the first), the
    // slots MOVED replies fixed since the map was last loaded, and the delayed reload that waits for
    // MinRefreshInterval (completed when none waits).
    private long? _lastRequestedRefresh;
    private readonly Dictionary<int, ClusterNode> _movedSinceLoad = [];
    private bool _reloadScheduled;
    private Task _delayedReload = Task.CompletedTask;
    private bool _disposed;

    private ClusterClient(ClusterNode seed, ClusterClientOptions options)
    {
        _seed = seed;
        _options = options;
        _time = options.TimeProvider;
        _slots = SlotTable.Single(seed);
    }

    /// <summary>The slot map in use.</summary>
    public SlotTable Slots => _slots;

    /// <summary>Whether the seed answered CLUSTER SLOTS; false for a server that is not in cluster mode.</summary>
    public bool IsCluster { get; private set; }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and loads the slot map from it.</summary>
    /// <exception cref="RespConnectionException">The node cannot be reached, or AUTH failed.</exception>
    public static async Task<ClusterClient> ConnectAsync(string host, int port, ClusterClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var client = new ClusterClient(new ClusterNode(host, port), options ?? new ClusterClientOptions());
        try
        {
            await client.RefreshSlotsAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>As <see cref="ExecuteAsync(IReadOnlyList{byte[]}, CancellationToken)"/>, with the arguments as UTF-8 text.</summary>
    /// <param name="arguments">The command name, then its arguments.</param>
    public Task<RespReply> ExecuteAsync(params string[] arguments) =>
        ExecuteAsync(RespCommandWriter.ToBytes(arguments));

    /// <summary>Sends a command to the node serving its key (the second argument); a keyless command goes anywhere.</summary>
    public Task<RespReply> ExecuteAsync(IReadOnlyList<byte[]> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return ExecuteOnSlotAsync(arguments.Count > 1 ? KeySlot.Of(arguments[1]) : -1, arguments, cancellationToken);
    }

    /// <summary>Sends a command to the node serving <paramref name="slot"/> (-1: any node), following redirects.</summary>
    /// <returns>The reply; after <see cref="ClusterClientOptions.MaxRedirects"/> redirects, the last redirect.</returns>
    /// <exception cref="RespConnectionException">
    /// The node cannot be reached, or its connection failed twice, and (in cluster mode) no other node named a
    /// reachable owner within <see cref="ClusterClientOptions.MaxConnectionRetries"/> reloads of the map.
    /// </exception>
    public async Task<RespReply> ExecuteOnSlotAsync(int slot, IReadOnlyList<byte[]> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentOutOfRangeException.ThrowIfLessThan(slot, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, KeySlot.SlotCount);
        var node = Route(slot, avoid: null);
        var asking = false;
        var resent = false;
        var redirects = 0;
        var retries = 0;
        while (true)
        {
            RespConnection connection;
            try
            {
                connection = await ConnectionToAsync(node, cancellationToken).ConfigureAwait(false);
            }
            catch (RespConnectionException) when (IsCluster && retries < _options.MaxConnectionRetries)
            {
                // Nothing listens there (the node left, or crashed): ask the others where the slot went.
                node = await RerouteAsync(slot, node, ++retries, cancellationToken).ConfigureAwait(false);
                asking = false;
                continue;
            }

            RespReply reply;
            try
            {
                reply = asking
                    ? await connection.ExecuteAskingAsync(arguments, cancellationToken).ConfigureAwait(false)
                    : await connection.ExecuteAsync(arguments, cancellationToken).ConfigureAwait(false);
            }
            catch (RespConnectionException) when (!resent)
            {
                // The connection was reset (the node restarted, an idle timeout): once more on a new one.
                resent = true;
                continue;
            }
            catch (RespConnectionException) when (IsCluster && retries < _options.MaxConnectionRetries)
            {
                // Reset again: the node is going away. As above, the map says where to go instead.
                node = await RerouteAsync(slot, node, ++retries, cancellationToken).ConfigureAwait(false);
                asking = false;
                continue;
            }

            if (!reply.IsError || !Redirect.TryParse(reply.Bytes, out var redirect) || ++redirects > _options.MaxRedirects)
            {
                return reply;
            }

            var target = redirect.Host.Length == 0 ? redirect.Target with { Host = node.Host } : redirect.Target;
            asking = redirect.Kind == RedirectKind.Ask;
            if (!asking)
            {
                // Route this slot right at once; the rest of the map is refreshed in the background, since one
                // MOVED usually means many slots moved.
                lock (_lock)
                {
                    _slots = _slots.WithOwner(redirect.Slot, target);
                    _movedSinceLoad[redirect.Slot] = target;
                }

                RequestRefresh();
            }

            node = target;
        }
    }

    /// <summary>
    /// Reloads the slot map from the first node that answers CLUSTER SLOTS (the known ones, then the seed). When every
    /// node answers with an error the map is kept as it is.
    /// </summary>
    /// <exception cref="RespConnectionException">No node could be reached.</exception>
    public Task RefreshSlotsAsync(CancellationToken cancellationToken = default) => RefreshSlotsAsync(avoid: null, cancellationToken);

    /// <summary>As <see cref="RefreshSlotsAsync(CancellationToken)"/>, asking <paramref name="avoid"/> only when no other node answers.</summary>
    private async Task RefreshSlotsAsync(ClusterNode? avoid, CancellationToken cancellationToken)
    {
        RespConnectionException? failure = null;
        foreach (var node in RefreshOrder(_slots.Nodes, _seed, avoid))
        {
            try
            {
                var connection = await ConnectionToAsync(node, cancellationToken).ConfigureAwait(false);
                var reply = await connection.ExecuteAsync(ClusterSlotsCommand, cancellationToken).ConfigureAwait(false);
                if (reply.IsError && IsCluster)
                {
                    // A cluster node that cannot answer now (loading, say): keep the map and ask the next one.
                    continue;
                }

                // An error the first time means no cluster here (Redis: "ERR This instance has cluster support disabled").
                IsCluster = !reply.IsError;
                var loaded = reply.IsError ? SlotTable.Single(node) : SlotTable.Parse(reply, node.Host);
                lock (_lock)
                {
                    // A MOVED since the last load may be newer than the node that sent this map (during a rebalance
                    // its view lags): keep it rather than go back to the old owner. A stale one costs one more MOVED.
                    _slots = loaded.WithOwners(_movedSinceLoad);
                    _movedSinceLoad.Clear();
                }

                return;
            }
            catch (RespConnectionException e)
            {
                failure = e;
            }
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <summary>Closes every connection to every node; commands still waiting fail with <see cref="RespConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<RespConnection>[] connections;
        Task refreshing;
        lock (_lock)
        {
            _disposed = true;
            connections = [.. _connections.Values];
            _connections.Clear();
            refreshing = _refreshing;
        }

        await refreshing.ConfigureAwait(false);
        foreach (var connecting in connections)
        {
            RespConnection connection;
            try
            {
                connection = await connecting.ConfigureAwait(false);
            }
            catch (RespConnectionException)
            {
                continue;
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The nodes to ask for the map, in order: the known ones, then the seed, and <paramref name="avoid"/> last.</summary>
    internal static IEnumerable<ClusterNode> RefreshOrder(IEnumerable<ClusterNode> known, ClusterNode seed, ClusterNode? avoid) =>
        known.Append(seed).Distinct().OrderBy(node => node == avoid);

    /// <summary>Where a command for <paramref name="slot"/> goes: its owner; a keyless one to any node but <paramref name="avoid"/>.</summary>
    private ClusterNode Route(int slot, ClusterNode? avoid)
    {
        var slots = _slots;
        if (slot >= 0 && slots.OwnerOf(slot) is { } owner)
        {
            return owner;
        }

        foreach (var node in slots.Nodes)
        {
            if (node != avoid)
            {
                return node;
            }
        }

        return slots.Nodes.Count > 0 ? slots.Nodes[0] : _seed;
    }

    /// <summary>
    /// After <paramref name="unreachable"/> failed: reloads the map from the other nodes (sharing the reload with the
    /// other commands in flight, so a node going away costs one CLUSTER SLOTS, or two when one was already under way,
    /// not one per command) and routes again.
    /// </summary>
    private async Task<ClusterNode> RerouteAsync(int slot, ClusterNode unreachable, int attempt, CancellationToken cancellationToken)
    {
        await RefreshAsync(unreachable).WaitAsync(cancellationToken).ConfigureAwait(false);
        var node = Route(slot, unreachable);
        if (node == unreachable)
        {
            // The others still name it: they have not noticed yet (a crash is noticed after the node timeout).
            await Task.Delay(_options.RetryDelay * attempt, _time, cancellationToken).ConfigureAwait(false);
        }

        return node;
    }

    /// <summary>A background reload after a MOVED, unless one started less than <see cref="ClusterClientOptions.MinRefreshInterval"/> ago.</summary>
    /// <remarks>One asked for sooner is not dropped but delayed, so the map still ends up whole (nodes gone dropped).</remarks>
    private void RequestRefresh()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_reloadScheduled || _disposed)
            {
                return;
            }

            var wait = _lastRequestedRefresh is { } last ? _options.MinRefreshInterval - _time.GetElapsedTime(last, now) : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
            {
                _reloadScheduled = true;
                _delayedReload = ReloadLaterAsync(wait);
                return;
            }

            _lastRequestedRefresh = now;
        }

        _ = RefreshAsync(avoid: null);
    }

    private async Task ReloadLaterAsync(TimeSpan delay)
    {
        await Task.Delay(delay, _time).ConfigureAwait(false);
        lock (_lock)
        {
            _reloadScheduled = false;
            _lastRequestedRefresh = _time.GetTimestamp();
        }

        await RefreshAsync(avoid: null).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes when the reloads of the map asked for so far have run: the one under way, a follow-up queued behind
    /// it, and the one a MOVED delayed until <see cref="ClusterClientOptions.MinRefreshInterval"/> had passed.
    /// </summary>
    /// <remarks>
    /// The map a reload brings is only as new as the node that answered it; tests wait for this before they look at
    /// <see cref="Slots"/>, since after a burst of MOVED replies the whole map is reloaded in the background.
    /// </remarks>
    internal Task WhenReloadedAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll(_refreshing, _delayedReload);
        }
    }

    /// <summary>
    /// A reload of the map that asks its node after this call (none once disposed); exceptions stay inside it. While
    /// one is under way it may hold an older map (its node may have answered before the MOVED or the failure that asks
    /// for this one), so a follow-up is queued behind it; callers that come before the follow-up asks share it.
    /// </summary>
    private Task RefreshAsync(ClusterNode? avoid)
    {
        lock (_lock)
        {
            if (_disposed || _followUpWaiting)
            {
                return _refreshing;
            }

            if (_refreshing.IsCompleted)
            {
                _refreshing = RefreshQuietlyAsync(after: null, avoid);
            }
            else
            {
                _followUpWaiting = true;
                _refreshing = RefreshQuietlyAsync(after: _refreshing, avoid);
            }

            return _refreshing;
        }
    }

    private async Task RefreshQuietlyAsync(Task? after, ClusterNode? avoid)
    {
        // Out of the caller's lock before anything else.
        await Task.Yield();
        if (after is not null)
        {
            // Never faults: the reload before it keeps its exceptions too.
            await after.ConfigureAwait(false);
            lock (_lock)
            {
                _followUpWaiting = false;
            }
        }

        try
        {
            await RefreshSlotsAsync(avoid, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RespConnectionException)
        {
            // The next MOVED asks again; until then the one-slot fixes keep commands flowing.
        }
        catch (FormatException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed while the refresh waited for a connection.
        }
    }

    /// <summary>The node's connection: the open one, or a new one when there is none or it was lost.</summary>
    private async Task<RespConnection> ConnectionToAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        Task<RespConnection> connecting;
        Task<RespConnection>? lost = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connections.TryGetValue(node, out var existing)
                && (!existing.IsCompleted || (existing.IsCompletedSuccessfully && existing.Result.IsConnected)))
            {
                connecting = existing;
            }
            else
            {
                lost = existing is { IsCompletedSuccessfully: true } ? existing : null;
                connecting = ConnectAsync(node);
                _connections[node] = connecting;
            }
        }

        if (lost is not null)
        {
            await lost.Result.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RespConnectionException)
        {
            // Forget the failed attempt so the next command tries again (the node may be back by then).
            lock (_lock)
            {
                if (_connections.TryGetValue(node, out var current) && current == connecting)
                {
                    _connections.Remove(node);
                }
            }

            throw;
        }
    }

    private async Task<RespConnection> ConnectAsync(ClusterNode node)
    {
        var connection = await RespConnection.ConnectAsync(node.Host, node.Port).ConfigureAwait(false);
        if (_options.Password is null)
        {
            return connection;
        }

        var reply = await (_options.User is null
            ? connection.ExecuteAsync("AUTH", _options.Password)
            : connection.ExecuteAsync("AUTH", _options.User, _options.Password)).ConfigureAwait(false);
        if (reply.IsError)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new RespConnectionException($"AUTH failed: {reply.Text}");
        }

        return connection;
    }
}
