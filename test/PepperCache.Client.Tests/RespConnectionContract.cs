using System.Text;
using PepperCache.Client.Tests.Infrastructure;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests;

/// <summary>What RespConnection does against any RESP server; run against PepperCache and real Redis below.</summary>
public abstract class RespConnectionContract
{
    protected abstract int Port { get; }

    [Fact]
    public async Task Replies_of_every_kind_come_back_typed()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", Port, TestContext.Current.CancellationToken);

        var set = await connection.ExecuteAsync("SET", "kinds:s", "hello");
        var get = await connection.ExecuteAsync("GET", "kinds:s");
        var missing = await connection.ExecuteAsync("GET", "kinds:missing");
        var incr = await connection.ExecuteAsync("INCR", "kinds:n");
        var mget = await connection.ExecuteAsync("MGET", "kinds:s", "kinds:missing", "kinds:n");
        var error = await connection.ExecuteAsync("SET", "kinds:s");

        Assert.Equal("+OK", set.ToString());
        Assert.Equal("$hello", get.ToString());
        Assert.True(missing.IsNull);
        Assert.Equal(RespReplyKind.Integer, incr.Kind);
        Assert.Equal(1, incr.Integer);
        Assert.Equal("[$hello, $-1, $1]", mget.ToString());
        Assert.Equal("-ERR wrong number of arguments for 'set' command", error.ToString());
    }

    [Fact]
    public async Task A_host_name_resolves_to_the_ipv4_loopback_the_server_listens_on()
    {
        await using var connection = await RespConnection.ConnectAsync("localhost", Port, TestContext.Current.CancellationToken);

        Assert.Equal("+PONG", (await connection.ExecuteAsync("PING")).ToString());
    }

    [Fact]
    public async Task Binary_values_round_trip_unchanged()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", Port, TestContext.Current.CancellationToken);
        byte[] value = [0, 1, (byte)'\r', (byte)'\n', 0xff, (byte)'$'];

        await connection.ExecuteAsync([Encoding.ASCII.GetBytes("SET"), "binary:k"u8.ToArray(), value], TestContext.Current.CancellationToken);
        var reply = await connection.ExecuteAsync([Encoding.ASCII.GetBytes("GET"), "binary:k"u8.ToArray()], TestContext.Current.CancellationToken);

        Assert.Equal(value, reply.Bytes.ToArray());
    }

    [Fact]
    public async Task Many_commands_in_flight_each_get_their_own_reply()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", Port, TestContext.Current.CancellationToken);
        const int count = 2000;

        var sets = Enumerable.Range(0, count).Select(i => connection.ExecuteAsync("SET", $"fifo:{i}", $"value{i}")).ToArray();
        var gets = Enumerable.Range(0, count).Select(i => connection.ExecuteAsync("GET", $"fifo:{i}")).ToArray();
        await Task.WhenAll(sets).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        var values = await Task.WhenAll(gets).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.All(sets, set => Assert.Equal("+OK", set.Result.ToString()));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"value{i}"), values.Select(v => v.Text));
    }

    [Fact]
    public async Task Commands_written_into_the_buffer_together_get_their_own_replies_in_order()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", Port, TestContext.Current.CancellationToken);
        // Enough bytes (3,000 x ~1 KB) to be flushed in several pieces, and a bad command among them.
        const int count = 3000;
        var value = new string('v', 1000);

        var replies = await connection.ExecuteManyAsync(
            count,
            (output, i) =>
            {
                if (i == 7)
                {
                    output.WriteCommand(["SET", "many:k"]);
                }
                else
                {
                    output.WriteCommand(["SET", $"many:{i}", value + i]);
                }
            },
            TestContext.Current.CancellationToken);
        var done = await Task.WhenAll(replies).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        var get = await connection.ExecuteAsync("GET", $"many:{count - 1}");

        Assert.Equal(count, done.Length);
        Assert.Equal("-ERR wrong number of arguments for 'set' command", done[7].ToString());
        Assert.All(done.Where((_, i) => i != 7), reply => Assert.Equal("+OK", reply.ToString()));
        Assert.Equal(value + (count - 1), get.Text);
        Assert.Empty(await connection.ExecuteManyAsync(0, (_, _) => { }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Commands_sent_from_many_threads_at_once_are_matched_to_their_replies()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", Port, TestContext.Current.CancellationToken);

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var reply = await connection.ExecuteAsync("ECHO", $"w{worker}-{i}");
                Assert.Equal($"w{worker}-{i}", reply.Text);
            }
        }));

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task When_the_server_closes_the_connection_later_commands_fail_clearly()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", Port, TestContext.Current.CancellationToken);

        var quit = await connection.ExecuteAsync("QUIT");
        // The close arrives after the +OK; wait for it, bounded.
        for (var attempt = 0; attempt < 100 && connection.IsConnected; attempt++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Equal("+OK", quit.ToString());
        Assert.False(connection.IsConnected);
        var failure = await Assert.ThrowsAsync<RespConnectionException>(() => connection.ExecuteAsync("PING"));
        Assert.Equal($"Server 127.0.0.1:{Port} closed the connection", failure.Message);
    }
}

public sealed class RespConnectionPepperCacheTests(PepperCacheNode node) : RespConnectionContract, IClassFixture<PepperCacheNode>
{
    protected override int Port => node.Port;
}

public sealed class RespConnectionRedisTests(RedisServerProcess redis) : RespConnectionContract, IClassFixture<RedisServerProcess>
{
    protected override int Port => redis.Port;
}

public sealed class RespConnectionFailureTests
{
    [Fact]
    public async Task A_port_nobody_listens_on_gives_the_connection_refused_message()
    {
        var port = RedisServerProcess.FreePort();

        var failure = await Assert.ThrowsAsync<RespConnectionException>(
            () => RespConnection.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken));

        Assert.Equal($"Could not connect to 127.0.0.1:{port}: Connection refused", failure.Message);
    }
}
