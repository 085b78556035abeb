using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using PepperCache.Client;
using PepperCache.Protocol;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A minimal cluster-aware client, as redis-cli -c behaves: it sends each command to the node it believes serves the
/// key's slot and follows -MOVED replies (updating its map). One connection per node, commands pipelined on it.
/// A node that cannot be reached makes it refresh that slot's owner from the membership and retry, as real clients
/// refresh their map from CLUSTER SLOTS. (The library's ClusterClient refreshes only on MOVED; this one must also
/// survive a node that left, which is what the rebalance tests do.)
/// </summary>
internal sealed class SlotRoutingClient : IAsyncDisposable
{
    private const int MaxRedirects = 8;
    private readonly Func<int, Server.Cluster.ClusterNode> _ownerOf;
    private readonly string[] _map = new string[HashSlot.SlotCount];
    private readonly ConcurrentDictionary<string, Task<RespConnection>> _connections = new();

    /// <summary>Starts with the slot map as it is now, and keeps it until redirected.</summary>
    public SlotRoutingClient(Func<int, Server.Cluster.ClusterNode> ownerOf)
    {
        _ownerOf = ownerOf;
        for (var slot = 0; slot < _map.Length; slot++)
        {
            _map[slot] = Address(ownerOf(slot));
        }
    }

    /// <summary>Redirects followed so far.</summary>
    public long Redirects;

    /// <summary>Times a node could not be reached and the slot's owner was looked up again.</summary>
    public long Reconnects;

    public async Task<RespReply> ExecuteAsync(string key, params string[] command) => (await ExecuteTracedAsync(key, command)).Reply;

    /// <summary>As <see cref="ExecuteAsync"/>, with the address of the node that gave the final reply (to say who answered a miss).</summary>
    public async Task<(RespReply Reply, string Address)> ExecuteTracedAsync(string key, params string[] command)
    {
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
        var address = Volatile.Read(ref _map[slot]);
        for (var attempt = 0; ; attempt++)
        {
            RespReply reply;
            try
            {
                var connection = await _connections.GetOrAdd(address, Connect);
                reply = await connection.ExecuteAsync(command);
            }
            catch (RespConnectionException) when (attempt < MaxRedirects)
            {
                // The node left: forget it and ask the cluster who serves the slot now.
                _connections.TryRemove(address, out _);
                Interlocked.Increment(ref Reconnects);
                address = Address(_ownerOf(slot));
                Volatile.Write(ref _map[slot], address);
                continue;
            }

            if (!reply.IsError || reply.Text is not { } text || !text.StartsWith("MOVED ", StringComparison.Ordinal) || attempt == MaxRedirects)
            {
                return (reply, address);
            }

            Interlocked.Increment(ref Redirects);
            address = text.Split(' ')[2];
            Volatile.Write(ref _map[int.Parse(text.Split(' ')[1], CultureInfo.InvariantCulture)], address);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            try
            {
                await (await connection).DisposeAsync();
            }
            catch (RespConnectionException)
            {
                // Never connected: nothing to close.
            }
        }
    }

    private static string Address(Server.Cluster.ClusterNode node) => $"{node.Host}:{node.Port}";

    private static Task<RespConnection> Connect(string address)
    {
        var colon = address.LastIndexOf(':');
        return RespConnection.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}
