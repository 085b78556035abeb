using System.Buffers;
using System.Text;
using PepperCache.Client.Cluster;
using PepperCache.Client.Tests.Infrastructure;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests;

/// <summary>RespReplyFramer: where a reply ends, found once however many reads it arrives in.</summary>
public sealed class RespReplyFramerTests
{
    public static TheoryData<string> WellFormed => [.. RespReplyParserTests.WellFormed.Select(row => row.Data.Item1)];

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void Fed_one_byte_more_at_a_time_a_reply_is_incomplete_until_its_last_byte(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire + "+next\r\n");
        var framer = new RespReplyFramer();

        for (var length = 0; length < wire.Length; length++)
        {
            Assert.False(framer.TryFrame(new ReadOnlySequence<byte>(bytes, 0, length), out _));
        }

        Assert.True(framer.TryFrame(new ReadOnlySequence<byte>(bytes), out var whole));
        Assert.Equal(wire.Length, whole);
        Assert.True(framer.TryFrame(new ReadOnlySequence<byte>(bytes, wire.Length, bytes.Length - wire.Length), out var next));
        Assert.Equal("+next\r\n".Length, next);
    }

    [Fact]
    public void A_later_call_goes_on_from_where_the_last_one_stopped_without_reading_again_what_it_had_read()
    {
        var framer = new RespReplyFramer();
        Assert.False(framer.TryFrame(Bytes("*3\r\n:1\r\n$2\r\nab\r\n"), out _));

        // The first 16 bytes (header, :1 and $2 ab) were framed already; only the rest is read now.
        var framed = framer.TryFrame(Bytes("################" + "+x\r\n"), out var length);

        Assert.True(framed);
        Assert.Equal(20, length);
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData("$abc\r\n")]
    [InlineData("*-2\r\n")]
    [InlineData("$-3\r\n")]
    [InlineData(":00000000000000000000000000000000")]
    public void Input_that_is_not_RESP2_is_reported_complete_so_the_parser_rejects_it(string wire)
    {
        var framer = new RespReplyFramer();

        Assert.True(framer.TryFrame(Bytes(wire), out _));
        Assert.Throws<RespProtocolException>(() => Parse(wire));
    }

    [Fact]
    public void Arrays_nested_deeper_than_the_parser_allows_are_reported_complete_not_followed()
    {
        var wire = string.Concat(Enumerable.Repeat("*1\r\n", 600)) + ":1\r\n";

        Assert.True(new RespReplyFramer().TryFrame(Bytes(wire), out var length));
        Assert.True(length < wire.Length);
    }

    [Fact]
    public async Task A_slot_map_of_11000_ranges_arriving_over_many_reads_is_read_whole()
    {
        await using var a = new FakeClusterNode("a");
        await using var b = new FakeClusterNode("b");
        a.Map = [.. Enumerable.Range(0, 11000).Select(slot => (slot, slot, slot % 2 == 0 ? a.Port : b.Port))];

        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", a.Port, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, client.Slots.Nodes.Count);
        Assert.Equal(new ClusterNode("127.0.0.1", b.Port), client.Slots.OwnerOf(10999));
        Assert.Equal(new ClusterNode("127.0.0.1", a.Port), client.Slots.OwnerOf(10998));
        Assert.Null(client.Slots.OwnerOf(11000));
    }

    private static bool Parse(string wire)
    {
        var reader = new SequenceReader<byte>(Bytes(wire));
        return RespReplyParser.TryRead(ref reader, out _);
    }

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
}
