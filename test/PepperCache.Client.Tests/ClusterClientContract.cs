using System.Text;
using PepperCache.Client.Cluster;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>What ClusterClient does against any cluster; the cluster is the only thing a subclass supplies.</summary>
public abstract class ClusterClientContract
{
    protected abstract IClusterEndpoint Cluster { get; }

    [Fact]
    public async Task The_map_is_loaded_and_every_key_goes_straight_to_its_owner()
    {
        await using var client = await ConnectAsync();
        var keys = Enumerable.Range(0, 60).Select(i => $"route:{i}").ToArray();

        var sets = await Task.WhenAll(keys.Select(k => client.ExecuteAsync("SET", k, "v-" + k)));
        var gets = await Task.WhenAll(keys.Select(k => client.ExecuteAsync("GET", k)));

        Assert.True(client.IsCluster);
        Assert.True(client.Slots.Nodes.Count >= 2, $"{client.Slots.Nodes.Count} nodes");
        Assert.All(sets, reply => Assert.Equal("+OK", reply.ToString()));
        Assert.Equal(keys.Select(k => "v-" + k), gets.Select(g => g.Text));

        // The owner in the map really holds the key: asked directly, it answers without a redirect.
        foreach (var key in keys.Take(10))
        {
            var owner = client.Slots.OwnerOf(KeySlot.Of(Encoding.UTF8.GetBytes(key)))!.Value;
            await using var direct = await RespConnection.ConnectAsync(owner.Host, owner.Port, TestContext.Current.CancellationToken);
            Assert.Equal("v-" + key, (await direct.ExecuteAsync("GET", key)).Text);
        }
    }

    [Fact]
    public async Task A_command_sent_to_a_node_that_does_not_own_the_key_follows_MOVED()
    {
        await using var client = await ConnectAsync();
        var key = "moved:k"u8.ToArray();
        var slot = KeySlot.Of(key);
        var owner = client.Slots.OwnerOf(slot);
        var elsewhere = Enumerable.Range(0, KeySlot.SlotCount).First(s => client.Slots.OwnerOf(s) is { } o && o != owner);

        var set = await client.ExecuteOnSlotAsync(elsewhere, [.. Args("SET"), key, .. Args("moved")], TestContext.Current.CancellationToken);
        var get = await client.ExecuteOnSlotAsync(elsewhere, [.. Args("GET"), key], TestContext.Current.CancellationToken);

        Assert.Equal("+OK", set.ToString());
        Assert.Equal("moved", get.Text);
        Assert.Equal(owner, client.Slots.OwnerOf(slot));
    }

    [Fact]
    public async Task Multi_key_commands_on_one_hash_tag_go_where_the_caller_says()
    {
        await using var client = await ConnectAsync();
        var slot = KeySlot.Of("{tag}a"u8);

        var mset = await client.ExecuteOnSlotAsync(slot, Args("MSET", "{tag}a", "1", "{tag}b", "2"), TestContext.Current.CancellationToken);
        var mget = await client.ExecuteOnSlotAsync(slot, Args("MGET", "{tag}a", "{tag}b", "{tag}c"), TestContext.Current.CancellationToken);

        Assert.Equal("+OK", mset.ToString());
        Assert.Equal("[$1, $2, $-1]", mget.ToString());
    }

    [Fact]
    public async Task Keyless_commands_go_to_any_node()
    {
        await using var client = await ConnectAsync();

        Assert.Equal("+PONG", (await client.ExecuteAsync("PING")).ToString());
    }

    [Fact]
    public async Task The_map_can_be_loaded_from_any_node()
    {
        await using var first = await ConnectAsync();
        var other = first.Slots.Nodes.First(n => n != Cluster.Seed);
        await using var second = await ClusterClient.ConnectAsync(other.Host, other.Port, cancellationToken: TestContext.Current.CancellationToken);

        for (var slot = 0; slot < KeySlot.SlotCount; slot += 97)
        {
            Assert.Equal(first.Slots.OwnerOf(slot), second.Slots.OwnerOf(slot));
        }
    }

    [Fact]
    public async Task A_connection_killed_by_the_server_is_replaced_and_the_command_sent_again()
    {
        await using var client = await ConnectAsync();
        Assert.Equal("+OK", (await client.ExecuteAsync("SET", "reset:k", "1")).ToString());
        var owner = client.Slots.OwnerOf(KeySlot.Of("reset:k"u8))!.Value;
        await using (var admin = await RespConnection.ConnectAsync(owner.Host, owner.Port, TestContext.Current.CancellationToken))
        {
            Assert.True((await admin.ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")).Integer >= 1);
        }

        var get = await client.ExecuteAsync("GET", "reset:k");

        Assert.Equal("1", get.Text);
    }

    protected Task<ClusterClient> ConnectAsync() =>
        ClusterClient.ConnectAsync(Cluster.Seed.Host, Cluster.Seed.Port, cancellationToken: TestContext.Current.CancellationToken);

    protected static byte[][] Args(params string[] arguments) => [.. arguments.Select(Encoding.UTF8.GetBytes)];
}

[Collection("Redis Cluster")]
public sealed class ClusterClientRedisClusterTests(RedisCluster cluster) : ClusterClientContract
{
    protected override IClusterEndpoint Cluster => cluster;

    [Fact]
    public async Task A_key_of_a_slot_being_migrated_follows_ASK_without_changing_the_map()
    {
        await using var client = await ConnectAsync();
        var key = "ask:{migrating}";
        var slot = KeySlot.Of(Encoding.UTF8.GetBytes(key));
        var source = client.Slots.OwnerOf(slot)!.Value;
        var target = client.Slots.Nodes.First(n => n != source);
        await using var targetConnection = await RespConnection.ConnectAsync(target.Host, target.Port, TestContext.Current.CancellationToken);
        await using var sourceConnection = await RespConnection.ConnectAsync(source.Host, source.Port, TestContext.Current.CancellationToken);
        await using (await RedisCluster.MigratingAsync(slot, source, target))
        {
            // The key is not on the source, so the source says ASK and the target takes it after ASKING.
            var direct = await sourceConnection.ExecuteAsync("SET", key, "asked");
            var set = await client.ExecuteAsync("SET", key, "asked");
            var get = await client.ExecuteAsync("GET", key);
            var onTarget = await targetConnection.ExecuteAsync("GET", key);
            var del = await client.ExecuteAsync("DEL", key);

            Assert.Equal($"-ASK {slot} {target}", direct.ToString());
            Assert.Equal("+OK", set.ToString());
            Assert.Equal("asked", get.Text);
            Assert.Equal($"-MOVED {slot} {source}", onTarget.ToString()); // without ASKING the target still refuses
            Assert.Equal(1, del.Integer);
            Assert.Equal(source, client.Slots.OwnerOf(slot));
        }
    }
}
