using System.Globalization;
using PepperCache.Client.Cluster;
using PepperCache.Protocol;
using PepperCache.Testing;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real 3-master Redis Cluster on 127.0.0.1:7440-7442 (the ports set aside for it; free ports when another test
/// run holds those, so two worktrees can test at once), created with
/// <c>redis-cli --cluster create</c> in a temporary directory and ended with it. Shared by the classes in the
/// "Redis Cluster" collection, which therefore run one after another.
/// </summary>
public sealed class RedisCluster : IClusterEndpoint, IAsyncLifetime
{
    private static readonly int[] PreferredPorts = [7440, 7441, 7442];

    private RedisClusterServers? _cluster;

    /// <summary>The nodes' ports; each node's cluster bus is on its port + 10000, as Redis has it.</summary>
    public IReadOnlyList<int> Ports => _cluster?.Ports ?? PreferredPorts;

    public ClusterNode Seed => new("127.0.0.1", Ports[0]);

    public async ValueTask InitializeAsync() => _cluster = await RedisClusterServers.StartAsync(PreferredPorts);

    /// <summary>
    /// Puts <paramref name="slot"/> in the middle of a migration from <paramref name="source"/> to
    /// <paramref name="target"/> (MIGRATING on one, IMPORTING on the other) until the result is disposed, so keys of
    /// the slot that are not on the source get ASK redirects.
    /// </summary>
    public static async Task<IAsyncDisposable> MigratingAsync(int slot, ClusterNode source, ClusterNode target)
    {
        var from = await RespConnection.ConnectAsync(source.Host, source.Port);
        var to = await RespConnection.ConnectAsync(target.Host, target.Port);
        var slotText = slot.ToString(CultureInfo.InvariantCulture);
        var sourceId = (await from.ExecuteAsync("CLUSTER", "MYID")).Text!;
        var targetId = (await to.ExecuteAsync("CLUSTER", "MYID")).Text!;
        Expect("+OK", await to.ExecuteAsync("CLUSTER", "SETSLOT", slotText, "IMPORTING", sourceId));
        Expect("+OK", await from.ExecuteAsync("CLUSTER", "SETSLOT", slotText, "MIGRATING", targetId));
        return new Migration(from, to, slotText);
    }

    private static void Expect(string expected, RespReply reply)
    {
        if (reply.ToString() != expected)
        {
            throw new InvalidOperationException($"expected {expected}, got {reply}");
        }
    }

    private sealed class Migration(RespConnection from, RespConnection to, string slot) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await from.ExecuteAsync("CLUSTER", "SETSLOT", slot, "STABLE");
            await to.ExecuteAsync("CLUSTER", "SETSLOT", slot, "STABLE");
            await from.DisposeAsync();
            await to.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition("Redis Cluster")]
public sealed class RedisClusterCollection : ICollectionFixture<RedisCluster>;
