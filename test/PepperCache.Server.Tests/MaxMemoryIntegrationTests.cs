using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Protocol;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.MemoryCommandsIntegrationTests;

namespace PepperCache.Server.Tests;

/// <summary>
/// maxmemory through a node: noeviction refuses growing commands with Redis's OOM error (the same scenario run
/// against a real redis-server 7.0.15 gives the same replies), allkeys-lru keeps the node under its limit while
/// every write succeeds, INFO reports it, and a full node refuses slot imports.
/// </summary>
public sealed class MaxMemoryIntegrationTests(NodeFixture node, RedisServerProcess redis)
    : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>
{
    private const string Oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    private static readonly string Kilobyte = new('v', 1024);

    [Fact]
    public async Task NoEvictionRefusesGrowingCommandsWithTheSameRepliesAsRedis()
    {
        await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
        await using var nodeClient = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);

        var fromRedis = await RunOomScenarioAsync(redisClient);
        var fromNode = await RunOomScenarioAsync(nodeClient);

        Assert.Equal(fromRedis, fromNode);
        Assert.Equal(0, node.App.Store.Count);
    }

    /// <summary>
    /// Sets a limit about 160 KB above what the server holds and writes 1 KB values until one is refused; then sets
    /// the limit 32 KB under what it holds, checks what is refused and what is still served, frees the memory and
    /// writes again. Returns the replies both servers must agree on.
    /// </summary>
    /// <remarks>
    /// Redis counts its clients' buffers too, so right at the limit it refuses a 1 KB SET and accepts a small one:
    /// the second, lower limit makes every growing command refused on both servers.
    /// </remarks>
    private static async Task<List<(string Step, string Reply)>> RunOomScenarioAsync(RespFrameClient client)
    {
        var replies = new List<(string, string)>();
        async Task<string> Step(string name, params string[] command)
        {
            var reply = Encoding.UTF8.GetString(await client.ExecuteAsync(command));
            replies.Add((name, reply));
            return reply;
        }

        async Task<long> UsedMemory() => InfoField(await client.ExecuteTextAsync("INFO", "memory"), "used_memory");

        await Step("policy", "CONFIG", "SET", "maxmemory-policy", "noeviction");
        await Step("limit", "CONFIG", "SET", "maxmemory", (await UsedMemory() + (160 * 1024)).ToString(CultureInfo.InvariantCulture));
        try
        {
            var written = 0;
            var refusal = "";
            for (; written < 2000; written++)
            {
                refusal = await client.ExecuteTextAsync("SET", $"oom:{written}", Kilobyte);
                if (refusal != "+OK\r\n")
                {
                    break;
                }
            }

            Assert.InRange(written, 50, 1000);
            Assert.Equal(Oom, refusal);
            replies.Add(("refused SET", refusal));

            await Step("lower limit", "CONFIG", "SET", "maxmemory", (await UsedMemory() - (32 * 1024)).ToString(CultureInfo.InvariantCulture));
            Assert.Equal(Oom, await Step("SET again", "SET", "oom:more", "x"));
            Assert.Equal(Oom, await Step("SET over", "SET", "oom:1", "x"));
            Assert.Equal(Oom, await Step("APPEND", "APPEND", "oom:0", "x"));
            Assert.Equal(Oom, await Step("INCR", "INCR", "oom:counter"));
            Assert.Equal(Oom, await Step("MSET", "MSET", "oom:m1", "x", "oom:m2", "y"));
            Assert.Equal(Oom, await Step("SETEX", "SETEX", "oom:0", "100", "x"));
            Assert.Equal(Oom, await Step("GETSET", "GETSET", "oom:0", "x"));
            var restore = Encoding.UTF8.GetString(await client.ExecuteAsync(["RESTORE"u8.ToArray(), "oom:restored"u8.ToArray(), "0"u8.ToArray(), Core.Rdb.DumpPayload.ForString("x"u8)]));
            replies.Add(("RESTORE", restore));
            Assert.Equal(Oom, restore);

            // Reads, deletes and commands that do not grow memory are served.
            Assert.Equal($"${Kilobyte.Length}\r\n{Kilobyte}\r\n", await Step("GET", "GET", "oom:0"));
            Assert.Equal(":1\r\n", await Step("EXISTS", "EXISTS", "oom:1"));
            Assert.Equal(":1\r\n", await Step("EXPIRE", "EXPIRE", "oom:1", "1000"));
            Assert.Equal(":1\r\n", await Step("PERSIST", "PERSIST", "oom:1"));
            Assert.Equal("+string\r\n", await Step("TYPE", "TYPE", "oom:1"));
            Assert.Equal(":1024\r\n", await Step("STRLEN", "STRLEN", "oom:1"));
            Assert.StartsWith("$", await Step("DUMP", "DUMP", "oom:1"), StringComparison.Ordinal);
            Assert.Equal("+PONG\r\n", await Step("PING", "PING"));
            Assert.Equal(":1\r\n", await Step("DEL", "DEL", "oom:0"));

            // Freeing what was written makes room again.
            var keys = Enumerable.Range(1, written - 1).Select(i => $"oom:{i}").ToArray();
            Assert.Equal($":{keys.Length}\r\n", await client.ExecuteTextAsync(["DEL", .. keys]));
            Assert.Equal("+OK\r\n", await Step("SET after DEL", "SET", "oom:again", Kilobyte));
            Assert.Equal(":1\r\n", await Step("DEL again", "DEL", "oom:again"));
            return replies;
        }
        finally
        {
            await client.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        }
    }

    [Fact]
    public async Task AllKeysLruKeepsTheNodeUnderItsLimitAndEveryWriteSucceeds()
    {
        const long MaxMemory = 2 * 1024 * 1024;
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        await using var app = new PepperCacheApplication(
            new Dictionary<string, string?>
            {
                ["PepperCache:MaxMemory"] = MaxMemory.ToString(CultureInfo.InvariantCulture),
                ["PepperCache:MaxMemoryPolicy"] = "allkeys-lru",
            },
            services => services.AddSingleton<TimeProvider>(clock));
        await using var client = await RespFrameClient.ConnectAsync(app.RespEndPoint);

        // 10,000 values of 1 KB, about five times the limit, in pipelined batches a fifth of a second apart.
        for (var batch = 0; batch < 100; batch++)
        {
            var replies = await client.ExecuteManyAsync(
                Enumerable.Range(batch * 100, 100).Select(i => new[] { "SET", $"lru:{i:D5}", Kilobyte }));
            Assert.All(replies, reply => Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(reply)));
            clock.Advance(TimeSpan.FromMilliseconds(200));
        }

        var memory = await client.ExecuteTextAsync("INFO", "memory");
        var stats = await client.ExecuteTextAsync("INFO", "stats");
        var used = InfoField(memory, "used_memory");
        var keys = Integer(await client.ExecuteTextAsync("DBSIZE"));
        var evicted = InfoField(stats, "evicted_keys");

        // The check runs on a count each shard updates in steps of at most 256 bytes at this limit.
        Assert.True(used <= MaxMemory + (256 * 256), $"used_memory {used} over maxmemory {MaxMemory}");
        Assert.True(used >= MaxMemory * 3 / 4, $"used_memory {used}: eviction went far beyond what was needed");
        Assert.True(evicted > 0);
        Assert.Equal(10_000, keys + evicted);
        Assert.Equal(app.Store.EvictedKeys, evicted);

        Assert.True(InfoField(memory, "used_memory_peak") >= used);
        Assert.Equal(MaxMemory, InfoField(memory, "maxmemory"));
        Assert.Contains("\r\nmaxmemory_human:2.00M\r\n", memory, StringComparison.Ordinal);
        Assert.Contains("\r\nmaxmemory_policy:allkeys-lru\r\n", memory, StringComparison.Ordinal);
        Assert.Contains("\r\nused_memory_human:", memory, StringComparison.Ordinal);
        Assert.True(InfoDouble(memory, "mem_fragmentation_ratio") > 0);

        // Least recently used first: of the last 100 keys written, almost all are still there.
        var recent = await client.ExecuteManyAsync(Enumerable.Range(9_900, 100).Select(i => new[] { "EXISTS", $"lru:{i:D5}" }));
        Assert.True(recent.Count(r => Encoding.ASCII.GetString(r) == ":1\r\n") >= 95);
        var oldest = await client.ExecuteManyAsync(Enumerable.Range(0, 100).Select(i => new[] { "EXISTS", $"lru:{i:D5}" }));
        Assert.True(oldest.Count(r => Encoding.ASCII.GetString(r) == ":1\r\n") <= 5);
    }

    [Fact]
    public async Task InfoMemoryNamesTheFieldsRedisNames()
    {
        await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
        await using var nodeClient = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);
        var fromRedis = await redisClient.ExecuteTextAsync("INFO", "memory");
        var fromNode = await nodeClient.ExecuteTextAsync("INFO", "memory");
        foreach (var field in new[]
                 {
                     "used_memory", "used_memory_human", "used_memory_rss", "used_memory_peak", "used_memory_peak_human",
                     "used_memory_peak_perc", "used_memory_startup", "used_memory_dataset", "used_memory_dataset_perc",
                     "maxmemory", "maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio", "mem_allocator",
                 })
        {
            Assert.Contains($"\r\n{field}:", fromRedis, StringComparison.Ordinal);
            Assert.Contains($"\r\n{field}:", fromNode, StringComparison.Ordinal);
        }

        Assert.Contains("\r\nevicted_keys:", await nodeClient.ExecuteTextAsync("INFO", "stats"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFullNoEvictionNodeRefusesASlotImportAndStoresNothing()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        const string Key = "{import-oom}a";
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(Key));
        var owner = cluster.OwnerOf(slot).Id;
        var importer = cluster.Nodes.First(n => TestCluster.State(n).MyId != owner);
        var store = TestCluster.Server(importer).Store;
        await using var client = await RespFrameClient.ConnectAsync(importer.RespEndPoint);
        var slotText = slot.ToString(CultureInfo.InvariantCulture);
        string[] import = ["PEPPER.IMPORT", slotText, "RESET", "0", Key, "moved", "0", "{import-oom}b", "moved too"];

        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "1"));
        Assert.Equal(Oom, await client.ExecuteTextAsync(import));
        Assert.Equal(Oom, await client.ExecuteTextAsync("PEPPER.IMPORT", slotText, "APPEND", "0", Key, "moved"));
        var perSlot = new int[HashSlot.SlotCount];
        store.CountKeysPerSlot(perSlot);
        Assert.Equal(0, perSlot[slot]);

        // The same import is accepted once there is room: the refusal was for memory alone.
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "SET", "maxmemory", "0"));
        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync(import));
        store.CountKeysPerSlot(perSlot);
        Assert.Equal(2, perSlot[slot]);
    }

    private static long Integer(string reply) => long.Parse(reply.AsSpan(1, reply.Length - 3), CultureInfo.InvariantCulture);

    private static double InfoDouble(string info, string name)
    {
        var start = info.IndexOf($"\r\n{name}:", StringComparison.Ordinal);
        Assert.True(start >= 0, $"INFO has no {name}");
        start += name.Length + 3;
        var end = info.IndexOf("\r\n", start, StringComparison.Ordinal);
        return double.Parse(info.AsSpan(start, end - start), CultureInfo.InvariantCulture);
    }
}
