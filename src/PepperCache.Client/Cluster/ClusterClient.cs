using PepperCache.Protocol;

namespace PepperCache.Client.Cluster;

/// <summary>
/// A client for a cluster (PepperCache or Redis Cluster): loads the slot map with CLUSTER SLOTS, sends each command
/// to the node serving its key's slot over one pipelined <see cref="RespConnection"/> per node, follows MOVED (and
/// refreshes the map) and ASK (sending ASKING first), and sends a command once more on a new connection when the one
/// it went out on was reset. Against a server that is not in cluster mode it is a client of that one server.
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
    private readonly Lock _lock = new();
    private readonly Dictionary<ClusterNode, Task<RespConnection>> _connections = [];
    private volatile SlotTable _slots;
    private Task _refreshing = Task.CompletedTask;
    private bool _disposed;

    private ClusterClient(ClusterNode seed, ClusterClientOptions options)
    {
        _seed = seed;
        _options = options;
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
    /// <exception cref="RespConnectionException">The node cannot be reached, or the connection failed twice.</exception>
    public async Task<RespReply> ExecuteOnSlotAsync(int slot, IReadOnlyList<byte[]> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentOutOfRangeException.ThrowIfLessThan(slot, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, KeySlot.SlotCount);
        var node = (slot >= 0 ? _slots.OwnerOf(slot) : null) ?? AnyNode();
        var asking = false;
        var resent = false;
        var redirects = 0;
        while (true)
        {
            var connection = await ConnectionToAsync(node, cancellationToken).ConfigureAwait(false);
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
                _slots = _slots.WithOwner(redirect.Slot, target);
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
    public async Task RefreshSlotsAsync(CancellationToken cancellationToken = default)
    {
        RespConnectionException? failure = null;
        foreach (var node in _slots.Nodes.Append(_seed).Distinct())
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
                _slots = reply.IsError ? SlotTable.Single(node) : SlotTable.Parse(reply, node.Host);
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

    private ClusterNode AnyNode()
    {
        var nodes = _slots.Nodes;
        return nodes.Count > 0 ? nodes[0] : _seed;
    }

    private void RequestRefresh()
    {
        lock (_lock)
        {
            if (!_disposed && _refreshing.IsCompleted)
            {
                _refreshing = RefreshQuietlyAsync();
            }
        }
    }

    private async Task RefreshQuietlyAsync()
    {
        await Task.Yield();
        try
        {
            await RefreshSlotsAsync().ConfigureAwait(false);
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
