using System.Buffers;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>Routing and CLUSTER replies on a 3-node cluster, and real cluster clients against it.</summary>
public sealed class ClusterRoutingIntegrationTests(ThreeNodeClusterFixture fixture) : IClassFixture<ThreeNodeClusterFixture>
{
    private List<PepperCacheApplication> Nodes => fixture.Cluster.Nodes;

    [Fact]
    public async Task EveryMemberListsEveryMemberInTheOriginalFormat()
    {
        var expected = Nodes.Select(n => $"127.0.0.1:{n.RespEndPoint.Port}").Order(StringComparer.Ordinal).ToArray();
        foreach (var node in Nodes)
        {
            Assert.Equal(expected, await TestCluster.GetClusterAsync(node));
        }
    }

    [Fact]
    public async Task AKeyServedElsewhereIsMovedAndKeysAcrossSlotsAreCrossSlot()
    {
        var (key, slot, owner) = KeyOwnedBy(Nodes[1], "moved");
        await using var raw = await Nodes[0].ConnectRawAsync();
        await raw.AssertReplyAsync("*2\r\n$6\r\nCONFIG\r\n$9\r\nRESETSTAT\r\n", "+OK\r\n");

        await raw.AssertReplyAsync($"*2\r\n$3\r\nGET\r\n${key.Length}\r\n{key}\r\n", $"-MOVED {slot} 127.0.0.1:{owner.RespEndPoint.Port}\r\n");
        await raw.AssertReplyAsync("*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        await raw.AssertReplyAsync("*2\r\n$7\r\nKEYSLOT\r\n$3\r\nfoo\r\n", "-ERR unknown command 'KEYSLOT', with args beginning with: 'foo' \r\n");
        await raw.AssertReplyAsync("*3\r\n$7\r\nCLUSTER\r\n$7\r\nKEYSLOT\r\n$3\r\nfoo\r\n", ":12182\r\n");
        // Slot-less commands stay node-local.
        await raw.AssertReplyAsync("*1\r\n$6\r\nDBSIZE\r\n", $":{Nodes[0].Store.Count}\r\n");
        // Redirects are error replies, counted per code as Redis counts them (errorstat_MOVED...).
        const string errorStats = "# Errorstats\r\nerrorstat_CROSSSLOT:count=1\r\nerrorstat_ERR:count=1\r\nerrorstat_MOVED:count=1\r\n";
        await raw.AssertReplyAsync("*2\r\n$4\r\nINFO\r\n$10\r\nerrorstats\r\n", $"${errorStats.Length}\r\n{errorStats}\r\n");
    }

    [Fact]
    public async Task KeysOfOneSlotServedHereRunHere()
    {
        var (key, _, owner) = KeyOwnedBy(Nodes[2], "local");
        var other = "{" + key + "}.other";
        await using var raw = await owner.ConnectRawAsync();

        await raw.AssertReplyAsync(Command("MSET", "{" + key + "}", "1", other, "2"), "+OK\r\n");
        await raw.AssertReplyAsync(Command("MGET", "{" + key + "}", other), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
        var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
        await raw.AssertReplyAsync(Command("CLUSTER", "COUNTKEYSINSLOT", slot.ToString(CultureInfo.InvariantCulture)), ":2\r\n");
        await raw.AssertReplyAsync(Command("CLUSTER", "GETKEYSINSLOT", slot.ToString(CultureInfo.InvariantCulture), "0"), "*0\r\n");
        var keys = new List<byte[]>();
        owner.Store.GetKeysInSlot(slot, 10, keys);
        Assert.Equal(["{" + key + "}", other], keys.Select(k => Encoding.UTF8.GetString(k)).Order(StringComparer.Ordinal));
        await raw.AssertReplyAsync(Command("CLUSTER", "COUNTKEYSINSLOT", "16384"), "-ERR Invalid slot\r\n");
        await raw.AssertReplyAsync(Command("CLUSTER", "GETKEYSINSLOT", "1", "-1"), "-ERR Invalid slot or number of keys\r\n");
        await raw.AssertReplyAsync(Command("CLUSTER", "SETSLOT", "1", "NODE", "nobody"), "-ERR Unknown node nobody\r\n");
        await raw.AssertReplyAsync(Command("CLUSTER", "SETSLOT", "x", "NODE", "nobody"), "-ERR Invalid or out of range slot\r\n");
        await raw.AssertReplyAsync(Command("CLUSTER", "MYID"), $"$40\r\n{TestCluster.State(owner).MyId}\r\n");
        await raw.AssertReplyAsync(Command("READONLY"), "+OK\r\n");
        await raw.AssertReplyAsync(Command("READWRITE"), "+OK\r\n");
        await raw.AssertReplyAsync(Command("ASKING"), "+OK\r\n");
    }

    [Fact]
    public async Task ClusterNodesSlotsAndShardsDescribeTheSameMapAsRouting()
    {
        var node = Nodes[0];
        await using var redis = await node.ConnectAsync(o => o.AllowAdmin = true);
        var server = redis.GetServer(node.RespEndPoint);

        var nodes = (string)(await server.ExecuteAsync("CLUSTER", "NODES"))!;
        var lines = nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Single(lines, l => l.Split(' ')[2] == "myself,master");
        var covered = lines.SelectMany(l => l.Split(' ').Skip(8)).Sum(r => r.Contains('-', StringComparison.Ordinal)
            ? int.Parse(r.Split('-')[1], CultureInfo.InvariantCulture) - int.Parse(r.Split('-')[0], CultureInfo.InvariantCulture) + 1
            : 1);
        Assert.Equal(HashSlot.SlotCount, covered);

        var slots = (RedisResult[])(await server.ExecuteAsync("CLUSTER", "SLOTS"))!;
        var state = TestCluster.State(node);
        foreach (var range in slots.Select(r => (RedisResult[])r!))
        {
            var start = (int)range[0];
            var owner = (RedisResult[])range[2]!;
            Assert.Equal(state.OwnerOf(start).Port, (int)owner[1]);
            Assert.Equal(state.OwnerOf(start).Id, (string)owner[2]!);
        }

        var shards = (RedisResult[])(await server.ExecuteAsync("CLUSTER", "SHARDS"))!;
        Assert.Equal(3, shards.Length);
        var info = (string)(await server.ExecuteAsync("CLUSTER", "INFO"))!;
        Assert.Contains("cluster_state:ok\r\n", info, StringComparison.Ordinal);
        Assert.Contains("cluster_known_nodes:3\r\n", info, StringComparison.Ordinal);
        Assert.Contains("cluster_size:3\r\n", info, StringComparison.Ordinal);
    }

    /// <remarks>In RESP3 the client reads CLUSTER NODES as verbatim text and CLUSTER SHARDS as maps.</remarks>
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task StackExchangeRedisConnectedToOneMemberFindsTheOthersAndRoutesBySlot(RedisProtocol protocol)
    {
        await using var redis = await Nodes[0].ConnectAsync(o => o.Protocol = protocol);
        Assert.Equal(protocol, redis.GetServer(Nodes[0].RespEndPoint).Protocol);
        Assert.Equal(ServerType.Cluster, redis.GetServer(Nodes[0].RespEndPoint).ServerType);
        Assert.Equal(3, redis.GetEndPoints().Length);
        var db = redis.GetDatabase();
        var keys = Enumerable.Range(0, 300).Select(i => $"se:{i}").ToArray();

        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, k)));
        var values = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k)));

        Assert.Equal(keys, values.Select(v => (string)v!));
        foreach (var key in keys)
        {
            var owner = Nodes.Single(n => n.RespEndPoint.Port == TestCluster.State(Nodes[0]).OwnerOf(HashSlot.Of(Encoding.UTF8.GetBytes(key))).Port);
            Assert.True(owner.Store.TryGet(Encoding.UTF8.GetBytes(key), out _), $"{key} is on its owner");
        }
    }

    [Fact]
    public async Task ClusterRepliesTakeTheirResp3Shapes()
    {
        await using var client = await RespSocket.ConnectAsync(Nodes[0].RespEndPoint);
        Assert.Equal('*', (await client.CommandAsync("CLUSTER", "SHARDS")).Items![0].Kind);
        Assert.Equal('%', (await client.CommandAsync("HELLO", "3")).Kind);
        var shards = await client.CommandAsync("CLUSTER", "SHARDS");
        var shard = shards.Items![0];
        Assert.Equal('%', shard.Kind);
        Assert.Equal(["slots", "nodes"], [shard.Items![0].Text, shard.Items[2].Text]);
        Assert.Equal('%', shard.Items[3].Items![0].Kind);
        Assert.Equal('*', (await client.CommandAsync("CLUSTER", "SLOTS")).Kind);
        foreach (var text in new[] { "INFO", "NODES" })
        {
            var reply = await client.CommandAsync("CLUSTER", text);
            Assert.Equal('=', reply.Kind);
            Assert.StartsWith("txt:", reply.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RedisCliFollowsMovedRedirects()
    {
        var (key, _, owner) = KeyOwnedBy(Nodes[2], "cli");
        var port = Nodes[0].RespEndPoint.Port.ToString(CultureInfo.InvariantCulture);

        var set = await ToolProcess.RunAsync("redis-cli", ["-c", "-p", port, "set", key, "followed"], timeout: TimeSpan.FromSeconds(30));
        var get = await ToolProcess.RunAsync("redis-cli", ["-c", "-p", Nodes[1].RespEndPoint.Port.ToString(CultureInfo.InvariantCulture), "get", key], timeout: TimeSpan.FromSeconds(30));

        Assert.Equal("OK", set.Output.Trim());
        Assert.Equal("followed", get.Output.Trim());
        Assert.True(owner.Store.TryGet(Encoding.UTF8.GetBytes(key), out _));
    }

    [Fact]
    public async Task InfoClusterAndConfigSayClusterEnabledOnEveryMember()
    {
        foreach (var node in Nodes)
        {
            await using var raw = await node.ConnectRawAsync();
            const string info = "# Cluster\r\ncluster_enabled:1\r\n";
            await raw.AssertReplyAsync(Command("INFO", "cluster"), $"${info.Length}\r\n{info}\r\n");
            await raw.AssertReplyAsync(Command("CONFIG", "GET", "cluster-enabled"), "*2\r\n$15\r\ncluster-enabled\r\n$3\r\nyes\r\n");
        }
    }

    /// <summary>
    /// redis-py's RedisCluster checks INFO's cluster_enabled, loads CLUSTER SLOTS and routes by slot itself; one key
    /// of every slot is set, read back and deleted through it (pipelined: the client groups the commands per node).
    /// </summary>
    [Fact]
    public async Task RedisPyRedisClusterSetsAndGetsAKeyInEverySlot()
    {
        const string script = """
            import sys
            from redis.cluster import RedisCluster
            rc = RedisCluster(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=30)
            keys, seen, i = [], set(), 0
            while len(seen) < 16384:
                key = "py:%d" % i
                slot = rc.keyslot(key)
                if slot not in seen:
                    seen.add(slot)
                    keys.append(key)
                i += 1
            pipe = rc.pipeline()
            for key in keys:
                pipe.set(key, key)
            assert all(pipe.execute()), "every SET answered OK"
            pipe = rc.pipeline()
            for key in keys:
                pipe.get(key)
            values = pipe.execute()
            wrong = [k for k, v in zip(keys, values) if v != k.encode()]
            print("nodes=%d keys=%d wrong=%d" % (len(rc.get_nodes()), len(keys), len(wrong)))
            # The fixture is shared: other tests count the keys of a slot, so leave none behind.
            pipe = rc.pipeline()
            for key in keys:
                pipe.delete(key)
            assert sum(pipe.execute()) == len(keys), "every key deleted"
            """;
        var port = Nodes[1].RespEndPoint.Port.ToString(CultureInfo.InvariantCulture);

        // Debian's python3-redis (test.sh installs it) lives in the system interpreter's dist-packages.
        var result = await ToolProcess.RunAsync("/usr/bin/python3", ["-c", script, port], timeout: TimeSpan.FromSeconds(120));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("nodes=3 keys=16384 wrong=0", result.Output.Trim());
    }

    [Fact]
    public async Task RedisBenchmarkInClusterModeCompletesWithoutErrors()
    {
        var port = Nodes[1].RespEndPoint.Port.ToString(CultureInfo.InvariantCulture);

        var result = await ToolProcess.RunAsync(
            "redis-benchmark", ["--cluster", "-p", port, "-t", "set,get", "-n", "3000", "-c", "10", "-q"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Cluster has 3 master nodes", result.Output, StringComparison.Ordinal);
        Assert.Contains("SET:", result.Output, StringComparison.Ordinal);
        Assert.Contains("GET:", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Error", result.Output + result.Error, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every key of the multi-key string commands is routed: keys of two slots are CROSSSLOT, one slot runs.</summary>
    [Fact]
    public async Task BitmapHyperLogLogCopyAndLcsKeysMustShareASlot()
    {
        var (key, _, _) = KeyOwnedBy(Nodes[0], "bits");
        var (other, _, _) = KeyOwnedBy(Nodes[0], "bitsother");
        string a = "{" + key + "}a", b = "{" + key + "}b", d = "{" + key + "}d", elsewhere = "{" + other + "}x";
        Assert.NotEqual(HashSlot.Of(Encoding.UTF8.GetBytes(a)), HashSlot.Of(Encoding.UTF8.GetBytes(elsewhere)));
        await using var client = await RespFrameClient.ConnectAsync(Nodes[0].RespEndPoint);
        const string crossSlot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
        foreach (var command in new[]
        {
            new[] { "BITOP", "AND", d, a, elsewhere }, ["BITOP", "OR", elsewhere, a], ["PFMERGE", d, a, elsewhere],
            ["PFCOUNT", a, elsewhere], ["COPY", a, elsewhere], ["COPY", elsewhere, a], ["LCS", a, elsewhere],
        })
        {
            Assert.Equal(crossSlot, await client.ExecuteTextAsync(command));
        }

        Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("SET", a, "foobar"));
        Assert.Equal(":1\r\n", await client.ExecuteTextAsync("PFADD", b, "x"));
        Assert.Equal(":6\r\n", await client.ExecuteTextAsync("BITOP", "NOT", d, a));
        Assert.Equal(":1\r\n", await client.ExecuteTextAsync("PFCOUNT", b, d + "missing"));
        Assert.Equal(":1\r\n", await client.ExecuteTextAsync("COPY", a, d, "REPLACE"));
        Assert.Equal("$6\r\nfoobar\r\n", await client.ExecuteTextAsync("LCS", a, d));
    }

    [Fact]
    public async Task ClusterNodesOverHttpShowsSlotsAndKeysPerMember()
    {
        using var http = Nodes[2].CreateAdminClient();

        var rows = await http.GetFromJsonAsync<NodeInfo[]>("/cluster/nodes", TestContext.Current.CancellationToken);

        Assert.NotNull(rows);
        Assert.Equal(3, rows.Length);
        Assert.Equal(HashSlot.SlotCount, rows.Sum(r => r.Slots));
        Assert.All(rows, r => Assert.Equal("alive", r.State));
        Assert.All(rows, r => Assert.InRange(r.Slots, 5000, 6000));
        Assert.Single(rows, r => r.Myself);
        Assert.Equal(TestCluster.State(Nodes[2]).MyId, rows.Single(r => r.Myself).Id);
    }

    [Fact]
    public void RedirectsAndLocalKeysAllocateNothing()
    {
        var server = Nodes[0].Services.GetRequiredService<ServerState>();
        var (local, _, _) = KeyOwnedBy(Nodes[0], "alloc");
        var (remote, remoteSlot, remoteOwner) = KeyOwnedBy(Nodes[1], "alloc");
        server.Store.Set(Encoding.UTF8.GetBytes(local), "v"u8);
        using var request = new RespRequest(server.Limits);
        var output = new ArrayBufferWriter<byte>(4096);
        var context = new CommandContext(server, new ClientSession(-1, null, null, server.Store.Now), request) { Output = output };

        foreach (var (command, reply) in new[]
        {
            ($"GET {local}", "$1\r\nv\r\n"),
            ($"GET {remote}", $"-MOVED {remoteSlot} 127.0.0.1:{remoteOwner.RespEndPoint.Port}\r\n"),
            ($"MGET {local} {remote}", "-CROSSSLOT Keys in request don't hash to the same slot\r\n"),
        })
        {
            var frame = RespTranscript.EncodeCommand(command.Split(' ').Select(Encoding.UTF8.GetBytes).ToList());
            RunCommand(server, context, frame, output, 1000);
            var before = GC.GetAllocatedBytesForCurrentThread();
            RunCommand(server, context, frame, output, 1000);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(reply, Encoding.UTF8.GetString(output.WrittenSpan));
            Assert.True(allocated < 1024, $"{command}: {allocated} bytes over 1000 calls");
        }
    }

    private static void RunCommand(ServerState server, CommandContext context, byte[] frame, ArrayBufferWriter<byte> output, int count)
    {
        for (var i = 0; i < count; i++)
        {
            output.ResetWrittenCount();
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(frame));
            Assert.True(RespParser.TryReadCommand(ref reader, context.Request));
            server.Dispatcher.Execute(context);
        }
    }

    private (string Key, int Slot, PepperCacheApplication Owner) KeyOwnedBy(PepperCacheApplication owner, string prefix)
    {
        var state = TestCluster.State(owner);
        for (var i = 0; ; i++)
        {
            var key = $"{prefix}:{i}";
            var slot = HashSlot.Of(Encoding.UTF8.GetBytes(key));
            if (state.OwnerOf(slot).Id == state.MyId)
            {
                return (key, slot, owner);
            }
        }
    }

    private static string Command(params string[] parts)
    {
        var text = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        return text.ToString();
    }
}
