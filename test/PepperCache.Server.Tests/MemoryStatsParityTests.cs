using System.Globalization;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// MEMORY STATS against redis-server 7.0.15 in RESP2 and RESP3: the same field names in the same order (db.0 nested,
/// and only while the keyspace holds keys), each value of the same reply type (integer, double; a RESP3 map where
/// Redis answers one). The byte counts are each server's own, so the node's are checked against its own figures.
/// </summary>
public sealed class MemoryStatsParityTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FieldsAndTypesAreRedisOnesWithAndWithoutKeys(bool resp3)
    {
        await using var redis = await RespSocket.ConnectAsync(servers.RedisEndPoint);
        await using var node = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        if (resp3)
        {
            await DifferentialScript.SwitchToResp3Async(redis, node);
        }

        foreach (var socket in new[] { redis, node })
        {
            Assert.False((await socket.CommandAsync("FLUSHALL")).IsError);
        }

        var empty = Shape(await redis.CommandAsync("MEMORY", "STATS"), resp3);
        Assert.Equal(empty, Shape(await node.CommandAsync("MEMORY", "STATS"), resp3));
        Assert.DoesNotContain(empty, field => field.StartsWith("db.0", StringComparison.Ordinal));
        Assert.Equal(27, empty.Count);

        foreach (var socket in new[] { redis, node })
        {
            Assert.False((await socket.CommandAsync("SET", "mstats:a", "1")).IsError);
            Assert.False((await socket.CommandAsync("HSET", "mstats:h", "f", "v")).IsError);
        }

        var full = Shape(await redis.CommandAsync("MEMORY", "STATS"), resp3);
        Assert.Equal(full, Shape(await node.CommandAsync("MEMORY", "STATS"), resp3));
        Assert.Contains((resp3 ? "db.0=%{" : "db.0=*{") + "overhead.hashtable.main=:, overhead.hashtable.expires=:, overhead.hashtable.slot-to-keys=:}", full);
        Assert.Equal(28, full.Count);
    }

    [Fact]
    public async Task FiguresAreTheNodesOwnAndAddUp()
    {
        await using var node = await RespSocket.ConnectAsync(servers.Node.RespEndPoint);
        Assert.False((await node.CommandAsync("FLUSHALL")).IsError);
        for (var i = 0; i < 200; i++)
        {
            Assert.False((await node.CommandAsync("SET", $"mstats:fig:{i}", new string('v', 100))).IsError);
        }

        Assert.False((await node.CommandAsync("RPUSH", "mstats:list", "a", "b", "c")).IsError);
        var dbsize = (await node.CommandAsync("DBSIZE")).Integer;
        var info = (await node.CommandAsync("INFO", "memory")).Text;
        var stats = Fields(await node.CommandAsync("MEMORY", "STATS"));

        Assert.Equal(dbsize, stats["keys.count"]);
        Assert.Equal(MemoryCommandsIntegrationTests.InfoField(info, "used_memory"), stats["total.allocated"]);
        Assert.Equal(MemoryCommandsIntegrationTests.InfoField(info, "used_memory_startup"), stats["startup.allocated"]);
        Assert.True(stats["peak.allocated"] >= stats["total.allocated"]);
        Assert.Equal(stats["total.allocated"], stats["overhead.total"] + stats["dataset.bytes"]);
        Assert.True(stats["db.0.overhead.hashtable.main"] >= stats["startup.allocated"]);
        Assert.Equal(stats["db.0.overhead.hashtable.main"], stats["overhead.total"]);
        Assert.Equal(Math.Floor((stats["total.allocated"] - stats["startup.allocated"]) / dbsize), stats["keys.bytes-per-key"]);
        Assert.True(stats["clients.normal"] > 0, "this connection is a normal client");
        Assert.InRange(stats["dataset.percentage"], 1, 100);
        Assert.InRange(stats["peak.percentage"], 1, 100);
        Assert.True(stats["allocator.allocated"] > 0 && stats["allocator.active"] >= stats["allocator.allocated"]);
        Assert.Equal(stats["allocator.active"] - stats["allocator.allocated"], stats["allocator-fragmentation.bytes"]);
        Assert.Equal(stats["total.allocated"] + stats["fragmentation.bytes"], stats["rss-overhead.bytes"] + stats["allocator.resident"]);
        Assert.Equal(0, stats["replication.backlog"] + stats["lua.caches"] + stats["functions.caches"]);
    }

    /// <summary>The reply as "name=type" per field in order: <c>:</c> integer, <c>,</c> double (a bulk double in RESP2).</summary>
    private static List<string> Shape(RespValue reply, bool resp3)
    {
        Assert.Equal(resp3 ? '%' : '*', reply.Kind);
        var items = reply.Items!;
        var fields = new List<string>();
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            var value = items[i + 1];
            var type = value.Kind switch
            {
                ':' => ":",
                ',' when double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => ",",
                '$' when !resp3 && double.TryParse(Encoding.ASCII.GetString(value.Bulk!), NumberStyles.Float, CultureInfo.InvariantCulture, out _) => ",",
                '%' or '*' => value.Kind + "{" + string.Join(", ", Shape(value, resp3)) + "}",
                _ => "unexpected " + value,
            };
            fields.Add(Encoding.ASCII.GetString(items[i].Bulk!) + "=" + type);
        }

        return fields;
    }

    /// <summary>Every figure as a number, the nested db.0 ones prefixed with "db.0.".</summary>
    private static Dictionary<string, double> Fields(RespValue reply, string prefix = "")
    {
        var fields = new Dictionary<string, double>(StringComparer.Ordinal);
        var items = reply.Items!;
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            var name = prefix + Encoding.ASCII.GetString(items[i].Bulk!);
            var value = items[i + 1];
            if (value.Items is not null)
            {
                foreach (var (nested, figure) in Fields(value, name + "."))
                {
                    fields.Add(nested, figure);
                }
            }
            else
            {
                fields.Add(name, value.Kind == ':' ? value.Integer : double.Parse(Encoding.ASCII.GetString(value.Bulk!), CultureInfo.InvariantCulture));
            }
        }

        return fields;
    }
}
