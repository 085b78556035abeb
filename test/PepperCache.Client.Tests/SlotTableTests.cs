using PepperCache.Client.Cluster;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests;

public sealed class SlotTableTests
{
    [Fact]
    public void Contiguous_ranges_as_redis_cli_creates_them()
    {
        var reply = Slots(
            (0, 5460, "127.0.0.1", 7000),
            (5461, 10922, "127.0.0.1", 7001),
            (10923, 16383, "127.0.0.1", 7002));

        var table = SlotTable.Parse(reply, "127.0.0.1");

        Assert.Equal(["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"], table.Nodes.Select(n => n.ToString()));
        Assert.Equal(new ClusterNode("127.0.0.1", 7000), table.OwnerOf(0));
        Assert.Equal(new ClusterNode("127.0.0.1", 7000), table.OwnerOf(5460));
        Assert.Equal(new ClusterNode("127.0.0.1", 7001), table.OwnerOf(5461));
        Assert.Equal(new ClusterNode("127.0.0.1", 7002), table.OwnerOf(16383));
    }

    [Fact]
    public void A_scattered_PepperCache_map_of_thousands_of_ranges_parses_slot_for_slot()
    {
        var members = new[] { "127.0.0.1:9004", "127.0.0.2:9004", "127.0.0.3:9004" };
        var map = SlotMap.Build(members);
        var ranges = members.SelectMany(m => map.RangesOf(m).Select(r => ((long)r.Start, (long)r.End, m[..^5], 9004)))
            .OrderBy(r => r.Item1).ToArray();
        var reply = Slots(ranges);

        var table = SlotTable.Parse(reply, "127.0.0.1");

        Assert.True(ranges.Length > 5000, $"only {ranges.Length} ranges");
        Assert.Equal(3, table.Nodes.Count);
        for (var slot = 0; slot < KeySlot.SlotCount; slot++)
        {
            Assert.Equal(map.OwnerOf(slot), table.OwnerOf(slot).ToString());
        }
    }

    [Fact]
    public void Replicas_and_node_ids_are_ignored_and_empty_hosts_are_the_host_asked()
    {
        var master = RespReply.FromArray([RespReply.Bulk(""), RespReply.FromInteger(7000), RespReply.Bulk("id1")]);
        var replica = RespReply.FromArray([RespReply.Bulk("127.0.0.9"), RespReply.FromInteger(7100), RespReply.Bulk("id2")]);
        var reply = RespReply.FromArray([RespReply.FromArray([RespReply.FromInteger(0), RespReply.FromInteger(16383), master, replica])]);

        var table = SlotTable.Parse(reply, "10.1.1.1");

        Assert.Equal([new ClusterNode("10.1.1.1", 7000)], table.Nodes);
    }

    [Fact]
    public void Uncovered_slots_and_unknown_endpoints_have_no_owner()
    {
        var reply = Slots((0, 99, "127.0.0.1", 7000), (200, 299, "?", 7001));

        var table = SlotTable.Parse(reply, "127.0.0.1");

        Assert.Equal(new ClusterNode("127.0.0.1", 7000), table.OwnerOf(99));
        Assert.Null(table.OwnerOf(100));
        Assert.Null(table.OwnerOf(250));
        Assert.Single(table.Nodes);
    }

    [Fact]
    public void A_moved_slot_changes_owner_in_a_new_table_only()
    {
        var table = SlotTable.Parse(Slots((0, 16383, "127.0.0.1", 7000)), "127.0.0.1");
        var moved = table.WithOwner(3999, new ClusterNode("127.0.0.2", 9004));

        Assert.Equal(new ClusterNode("127.0.0.2", 9004), moved.OwnerOf(3999));
        Assert.Equal(new ClusterNode("127.0.0.1", 7000), moved.OwnerOf(4000));
        Assert.Equal(new ClusterNode("127.0.0.1", 7000), table.OwnerOf(3999));
        Assert.Equal(2, moved.Nodes.Count);
        Assert.Same(moved.Nodes, moved.WithOwner(1, new ClusterNode("127.0.0.1", 7000)).Nodes);
    }

    [Fact]
    public void A_node_whose_last_slot_moves_away_is_no_longer_listed()
    {
        var a = new ClusterNode("127.0.0.1", 7000);
        var b = new ClusterNode("127.0.0.2", 7000);
        var c = new ClusterNode("127.0.0.3", 7000);
        var table = SlotTable.Parse(Slots((0, 1, "127.0.0.2", 7000), (2, 16383, "127.0.0.1", 7000)), "127.0.0.1");

        var once = table.WithOwner(0, a);
        var all = table.WithOwners(new Dictionary<int, ClusterNode> { [0] = c, [1] = c, [2] = b });

        Assert.Equal([b, a], table.Nodes);
        Assert.Equal([b, a], once.Nodes);
        Assert.Equal([b, a, c], all.Nodes);
        Assert.Equal([a], once.WithOwner(1, a).Nodes);
        Assert.Equal(a, once.WithOwner(1, a).OwnerOf(16383));
        Assert.Equal(c, all.OwnerOf(1));
        Assert.Equal(b, all.OwnerOf(2));
        Assert.Equal(a, all.OwnerOf(3));
        Assert.Same(table, table.WithOwners(new Dictionary<int, ClusterNode>()));
    }

    [Fact]
    public void A_single_node_serves_every_slot()
    {
        var table = SlotTable.Single(new ClusterNode("h", 1));

        Assert.Equal(new ClusterNode("h", 1), table.OwnerOf(0));
        Assert.Equal(new ClusterNode("h", 1), table.OwnerOf(16383));
    }

    [Theory]
    [InlineData(-1, 5)]
    [InlineData(5, 16384)]
    [InlineData(10, 5)]
    public void Ranges_outside_the_slots_are_rejected(long start, long end) =>
        Assert.Throws<FormatException>(() => SlotTable.Parse(Slots((start, end, "h", 1)), "h"));

    [Fact]
    public void Replies_that_are_not_slot_maps_are_rejected()
    {
        Assert.Throws<FormatException>(() => SlotTable.Parse(RespReply.Error("ERR no"), "h"));
        Assert.Throws<FormatException>(() => SlotTable.Parse(RespReply.FromArray([RespReply.FromInteger(1)]), "h"));
    }

    private static RespReply Slots(params (long Start, long End, string Host, int Port)[] ranges) =>
        RespReply.FromArray([.. ranges.Select(r => RespReply.FromArray([
            RespReply.FromInteger(r.Start),
            RespReply.FromInteger(r.End),
            RespReply.FromArray([RespReply.Bulk(r.Host), RespReply.FromInteger(r.Port), RespReply.Bulk("0123456789abcdef")]),
        ]))]);
}
