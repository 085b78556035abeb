using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Testing;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Migrate;

/// <summary>
/// MIGRATE deletes what the target took, and the log says so (as DEL, as Redis propagates it): a node restarted on
/// the log has the keys COPY kept and a refused one, and not the keys that left.
/// </summary>
public sealed class MigrateAofTests
{
    [Fact]
    public async Task AReplayHasNoKeyThatMigratedAway()
    {
        var dir = TempDirectory();
        try
        {
            await using var redis = await RedisServer.StartAsync();
            var port = redis.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await using (var first = Node(dir))
            {
                await using var client = await RespFrameClient.ConnectAsync(first.RespEndPoint);
                await using var target = await RespFrameClient.ConnectAsync(redis.EndPoint);
                await target.ExecuteAsync("SET", "aof:refused", "there");
                await client.ExecuteManyAsync([["SET", "aof:a", "1"], ["HSET", "aof:b", "f", "v"], ["SET", "aof:copied", "c"], ["SET", "aof:refused", "here"]]);

                Assert.Equal("-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n",
                    await client.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS", "aof:a", "aof:refused", "aof:b"));
                Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("MIGRATE", "127.0.0.1", port, "aof:copied", "0", "5000", "COPY"));
                Assert.Equal(":2\r\n", await client.ExecuteTextAsync("EXISTS", "aof:copied", "aof:refused"));
            }

            await using var second = Node(dir);
            await using var replayed = await RespFrameClient.ConnectAsync(second.RespEndPoint);
            Assert.Equal(":0\r\n", await replayed.ExecuteTextAsync("EXISTS", "aof:a", "aof:b"));
            Assert.Equal("*2\r\n$1\r\nc\r\n$4\r\nhere\r\n", await replayed.ExecuteTextAsync("MGET", "aof:copied", "aof:refused"));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }
}
