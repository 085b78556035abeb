using System.Text;
using PepperCache.Benchmark;
using PepperCache.Protocol;

namespace PepperCache.Benchmark.Tests;

public sealed class WireTests
{
    [Theory]
    [InlineData("+OK\r\n", 5, "Value")]
    [InlineData("-ERR no\r\n", 9, "Error")]
    [InlineData(":42\r\n", 5, "Value")]
    [InlineData("$3\r\nabc\r\n", 9, "Value")]
    [InlineData("$0\r\n\r\n", 6, "Value")]
    [InlineData("$-1\r\n", 5, "Null")]
    [InlineData("*-1\r\n", 5, "Null")]
    [InlineData("*2\r\n$1\r\na\r\n*1\r\n:1\r\n", 19, "Value")]
    [InlineData("+OK\r\n:1\r\n", 5, "Value")]
    public void A_complete_reply_is_measured_without_reading_past_it(string wire, int length, string expected)
    {
        Assert.Equal(length, ReplyScanner.Scan(Encoding.ASCII.GetBytes(wire), out var replyClass));
        Assert.Equal(Enum.Parse<ReplyClass>(expected), replyClass);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+OK\r")]
    [InlineData("$3\r\nab")]
    [InlineData("$3\r\nabc\r")]
    [InlineData("*2\r\n:1\r\n")]
    public void An_incomplete_reply_needs_more_bytes(string wire) =>
        Assert.Equal(0, ReplyScanner.Scan(Encoding.ASCII.GetBytes(wire), out _));

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData("+OK\n")]
    [InlineData("$x\r\n")]
    [InlineData("$-2\r\n")]
    public void Bytes_that_are_not_RESP_are_a_protocol_error(string wire) =>
        Assert.Throws<RespProtocolException>(() => ReplyScanner.Scan(Encoding.ASCII.GetBytes(wire), out _));

    [Fact]
    public void Set_is_written_like_redis_benchmark_writes_it()
    {
        var builder = new CommandBuilder(TestKind.Set, 3, 100, 80, cluster: false);
        var buffer = new CommandBuffer(8);
        var random = CommandBuilder.SeedFor(1, 0);

        var kind = builder.Write(buffer, ref random, out var keyStart, out var keyLength);

        var text = Encoding.ASCII.GetString(buffer.Written.Span);
        Assert.Equal(OperationKind.Write, kind);
        Assert.Matches(@"^\*3\r\n\$3\r\nSET\r\n\$16\r\nkey:0000000000\d\d\r\n\$3\r\nxxx\r\n$", text);
        Assert.Equal("key:", text.Substring(keyStart, 4));
        Assert.Equal(16, keyLength);
    }

    [Fact]
    public void Without_a_keyspace_the_key_is_the_literal_placeholder()
    {
        var builder = new CommandBuilder(TestKind.Get, 3, 0, 80, cluster: false);
        var buffer = new CommandBuffer();
        var random = 1UL;

        Assert.Equal(OperationKind.Read, builder.Write(buffer, ref random, out _, out _));
        Assert.Equal("*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n", Encoding.ASCII.GetString(buffer.Written.Span));
    }

    [Fact]
    public void The_same_seed_gives_the_same_commands()
    {
        static string Commands(int seed)
        {
            var builder = new CommandBuilder(TestKind.Mixed, 3, 1_000_000, 50, cluster: false);
            var buffer = new CommandBuffer();
            var random = CommandBuilder.SeedFor(seed, 3);
            for (var i = 0; i < 100; i++)
            {
                builder.Write(buffer, ref random, out _, out _);
            }

            return Encoding.ASCII.GetString(buffer.Written.Span);
        }

        Assert.Equal(Commands(7), Commands(7));
        Assert.NotEqual(Commands(7), Commands(8));
        Assert.Contains("GET", Commands(7), StringComparison.Ordinal);
        Assert.Contains("SET", Commands(7), StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_mset_keys_share_one_slot()
    {
        var builder = new CommandBuilder(TestKind.Mset, 3, 1000, 80, cluster: true);
        var buffer = new CommandBuffer();
        var random = 5UL;

        builder.Write(buffer, ref random, out var keyStart, out var keyLength);

        var lines = Encoding.ASCII.GetString(buffer.Written.Span).Split("\r\n");
        Assert.Equal("*21", lines[0]);
        var keys = lines.Where(l => l.StartsWith("{key:", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, keys.Count);
        Assert.Single(keys.Select(k => SlotRouter.SlotOf(Encoding.ASCII.GetBytes(k))).Distinct());
        Assert.Equal(keys[0], Encoding.ASCII.GetString(buffer.Slice(keyStart, keyLength)));
    }

    [Theory]
    [InlineData("123456789", 0x31C3)]
    [InlineData("foo", 12182)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    public void Slots_are_crc16_of_the_key_or_its_hash_tag(string key, int slot) =>
        Assert.Equal(slot & 16383, SlotRouter.SlotOf(Encoding.ASCII.GetBytes(key)));

    [Fact]
    public void Redirects_are_parsed()
    {
        Assert.True(SlotRouter.TryParseRedirect("-MOVED 3999 127.0.0.1:6381\r\n"u8, out var ask, out var slot, out var host, out var port));
        Assert.False(ask);
        Assert.Equal((3999, "127.0.0.1", 6381), (slot, host, port));
        Assert.True(SlotRouter.TryParseRedirect("-ASK 1 ::1:7000\r\n"u8, out ask, out _, out host, out port));
        Assert.True(ask);
        Assert.Equal(("::1", 7000), (host, port));
        Assert.False(SlotRouter.TryParseRedirect("-ERR wrong\r\n"u8, out _, out _, out _, out _));
    }

    [Fact]
    public void Claims_never_hand_out_more_than_the_request_budget()
    {
        var control = new RunControl(10, null);

        Assert.Equal(4, control.Claim(4));
        Assert.Equal(4, control.Claim(4));
        Assert.Equal(2, control.Claim(4));
        Assert.Equal(0, control.Claim(4));
        Assert.Equal(0, control.Claim(1));
    }
}
