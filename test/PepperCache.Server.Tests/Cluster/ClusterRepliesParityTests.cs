using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// HELLO and CLUSTER SHARDS, SLOTS, NODES and INFO of a 3-node cluster against a real 3-master Redis Cluster 7.0.15's, in RESP2
/// and RESP3: the same reply kinds at every depth, the same map keys and words (roles, health, flags, link states),
/// and the same CLUSTER INFO fields in the same order. What differs by nature is normalised: ids, addresses, ports,
/// epochs, clocks and counts, how many slot ranges a node has and the order of nodes (Redis's is a hash order).
/// </summary>
public sealed partial class ClusterRepliesParityTests(ThreeNodeClusterFixture pepper, RedisClusterFixture redis)
    : IClassFixture<ThreeNodeClusterFixture>, IClassFixture<RedisClusterFixture>
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ClusterRepliesHaveRedisClusterShapes(int protocol)
    {
        await using var theirs = await RespSocket.ConnectAsync(redis.EndPoints[0]);
        await using var ours = await RespSocket.ConnectAsync(pepper.Cluster.Nodes[0].RespEndPoint);
        if (protocol == 3)
        {
            await DifferentialScript.SwitchToResp3Async(theirs, ours);
        }

        // HELLO's mode is "cluster" on a cluster member, as on a Redis Cluster node.
        var hello = (Theirs: Shape(await theirs.CommandAsync("HELLO")), Ours: Shape(await ours.CommandAsync("HELLO")));
        Assert.Contains("$mode, $cluster", hello.Theirs, StringComparison.Ordinal);
        Assert.Equal(hello.Theirs, hello.Ours);

        foreach (var command in new[] { "SHARDS", "SLOTS" })
        {
            var want = Shape(await theirs.CommandAsync("CLUSTER", command));
            var got = Shape(await ours.CommandAsync("CLUSTER", command));
            Assert.True(want == got, $"RESP{protocol} CLUSTER {command}\nredis:  {want}\npepper: {got}");
        }

        var nodes = (Theirs: await theirs.CommandAsync("CLUSTER", "NODES"), Ours: await ours.CommandAsync("CLUSTER", "NODES"));
        Assert.Equal(protocol == 3 ? '=' : '$', nodes.Theirs.Kind);
        Assert.Equal(nodes.Theirs.Kind, nodes.Ours.Kind);
        Assert.Equal(NodeLines(nodes.Theirs.Text), NodeLines(nodes.Ours.Text));

        var info = (Theirs: await theirs.CommandAsync("CLUSTER", "INFO"), Ours: await ours.CommandAsync("CLUSTER", "INFO"));
        Assert.Equal(nodes.Theirs.Kind, info.Theirs.Kind);
        Assert.Equal(info.Theirs.Kind, info.Ours.Kind);
        Assert.Equal(InfoFields(info.Theirs.Text), InfoFields(info.Ours.Text));
    }

    /// <summary>
    /// Kinds all the way down; texts kept only where they are words (map keys, roles, health), so ids, addresses and
    /// numbers drop out; runs of equal elements (slot bounds, shards of one shape) count once.
    /// </summary>
    private static string Shape(RespValue value)
    {
        if (value.Items is not { } items)
        {
            return value.Kind is '$' or '+' && Word().IsMatch(value.Text) ? value.Kind + value.Text : value.Kind.ToString();
        }

        var shapes = new List<string>();
        foreach (var shape in items.Select(Shape))
        {
            if (shapes.Count == 0 || shapes[^1] != shape)
            {
                shapes.Add(shape);
            }
        }

        return value.Kind + "[" + string.Join(", ", shapes) + "]";
    }

    /// <summary>CLUSTER NODES lines with id, address, clocks and epoch normalised and the slot ranges counted once, as a set.</summary>
    private static string[] NodeLines(string text)
    {
        var body = text.StartsWith("txt:", StringComparison.Ordinal) ? text[4..] : text;
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                var fields = line.Split(' ');
                Assert.True(fields.Length >= 9, line);
                Assert.Matches("^[0-9a-f]{40}$", fields[0]);
                Assert.Matches(@"^127\.0\.0\.1:\d+@\d+$", fields[1]);
                Assert.All(fields[4..7], field => Assert.Matches(@"^\d+$", field));
                Assert.All(fields[8..], field => Assert.Matches(@"^\d+(-\d+)?$", field));
                return $"ID ADDR {fields[2]} {fields[3]} N N N {fields[7]} SLOTS";
            })
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// CLUSTER INFO's field names in order, and the text as Redis ends it. Redis lists a bus message type
    /// (cluster_stats_messages_ping_sent...) only once one was counted; the totals are always there.
    /// </summary>
    private static string[] InfoFields(string text)
    {
        var body = text.StartsWith("txt:", StringComparison.Ordinal) ? text[4..] : text;
        Assert.EndsWith("\r\n", body, StringComparison.Ordinal);
        return [.. body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)])
            .Where(name => !MessageType().IsMatch(name))];
    }

    [GeneratedRegex("^[a-z][a-z-]*$")]
    private static partial Regex Word();

    [GeneratedRegex("^cluster_stats_messages_[a-z]+_(sent|received)$")]
    private static partial Regex MessageType();
}
