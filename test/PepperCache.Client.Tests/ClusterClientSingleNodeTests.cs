using PepperCache.Client.Cluster;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>ClusterClient against servers that are not in cluster mode: one node serves every slot.</summary>
public sealed class ClusterClientSingleNodeTests(PepperCacheNode node) : IClassFixture<PepperCacheNode>
{
    [Fact]
    public async Task A_PepperCache_node_serves_every_command()
    {
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", node.Port, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("+OK", (await client.ExecuteAsync("SET", "single:a", "1")).ToString());
        Assert.Equal((long)2, (await client.ExecuteAsync("INCR", "single:a")).Integer);
        Assert.Equal("+PONG", (await client.ExecuteAsync("PING")).ToString());
        Assert.Equal(new ClusterNode("127.0.0.1", node.Port), client.Slots.OwnerOf(KeySlot.Of("single:a"u8)));
    }

    [Fact]
    public async Task A_redis_server_without_cluster_mode_is_one_node_owning_everything()
    {
        await using var redis = new RedisServerProcess();
        await redis.InitializeAsync();
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", redis.Port, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(client.IsCluster);
        Assert.Equal([new ClusterNode("127.0.0.1", redis.Port)], client.Slots.Nodes);
        Assert.Equal("+OK", (await client.ExecuteAsync("SET", "k", "v")).ToString());
        Assert.Equal("v", (await client.ExecuteAsync("GET", "k")).Text);
    }

    [Fact]
    public async Task After_the_server_went_away_the_next_command_connects_again()
    {
        var port = RedisServerProcess.FreePort();
        await using var first = new RedisServerProcess();
        await first.StartAsync(port);
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", port, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("+OK", (await client.ExecuteAsync("SET", "k", "v")).ToString());

        await first.DisposeAsync();
        var down = await Assert.ThrowsAsync<RespConnectionException>(() => client.ExecuteAsync("GET", "k"));
        await using var second = new RedisServerProcess();
        await second.StartAsync(port);
        var back = await client.ExecuteAsync("SET", "k", "again");

        Assert.Equal($"Could not connect to 127.0.0.1:{port}: Connection refused", down.Message);
        Assert.Equal("+OK", back.ToString());
    }

    [Fact]
    public async Task A_restarted_server_is_reached_by_resending_on_a_new_connection()
    {
        var port = RedisServerProcess.FreePort();
        await using var first = new RedisServerProcess();
        await first.StartAsync(port);
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", port, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("+PONG", (await client.ExecuteAsync("PING")).ToString());

        await first.DisposeAsync();
        await using var second = new RedisServerProcess();
        await second.StartAsync(port);

        Assert.Equal("after", (await client.ExecuteAsync("ECHO", "after")).Text);
    }

    [Fact]
    public async Task A_password_is_sent_with_AUTH_on_every_connection_and_a_wrong_one_is_reported()
    {
        await using var redis = new RedisServerProcess();
        await redis.InitializeAsync();
        await using (var admin = await RespConnection.ConnectAsync("127.0.0.1", redis.Port, TestContext.Current.CancellationToken))
        {
            Assert.Equal("+OK", (await admin.ExecuteAsync("CONFIG", "SET", "requirepass", "sesame")).ToString());
        }

        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", redis.Port, new ClusterClientOptions { Password = "sesame" }, TestContext.Current.CancellationToken);
        var wrong = await Assert.ThrowsAsync<RespConnectionException>(() =>
            ClusterClient.ConnectAsync("127.0.0.1", redis.Port, new ClusterClientOptions { Password = "nope" }, TestContext.Current.CancellationToken));

        Assert.Equal("+PONG", (await client.ExecuteAsync("PING")).ToString());
        Assert.StartsWith("AUTH failed: WRONGPASS", wrong.Message, StringComparison.Ordinal);
    }
}
