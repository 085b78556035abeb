using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// kill -9 of a real node process while 20 clients write, then a restart on the same directory: every acknowledged
/// write is back under every appendfsync policy. A reply leaves only after its record reached the file (written to
/// the OS under everysec and no, fsync'd under always), and a killed process loses nothing the OS has.
/// </summary>
public sealed class AofCrashTests
{
    private const int Clients = 20;

    [Theory]
    [InlineData("always", 0)]
    [InlineData("always", 300)]
    [InlineData("always", 1000)]
    [InlineData("everysec", 0)]
    [InlineData("everysec", 300)]
    [InlineData("everysec", 1000)]
    [InlineData("no", 300)]
    public async Task EveryAcknowledgedWriteSurvivesKillNine(string fsync, int killAfterMs)
    {
        var dir = TempDirectory();
        try
        {
            var acked = await WriteUntilKilledAsync(dir, fsync, killAfterMs);
            Assert.True(acked.Sum(a => a.Count) > 0, "no write was acknowledged before the kill");
            var missing = await MissingAsync(dir, acked);
            var lost = Enumerable.Range(0, Clients).Where(c => missing[c].Count > 0)
                .Select(c => $"client {c}: {missing[c].Count} of {acked[c].Count} acknowledged writes missing, from #{missing[c][0]}");
            Assert.Empty(lost);
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    /// <summary>Runs 20 writers against a node process, kills it with SIGKILL, returns each client's ack timestamps.</summary>
    private static async Task<List<long>[]> WriteUntilKilledAsync(string dir, string fsync, int killAfterMs)
    {
        var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir, "--appendfsync", fsync);
        await using (node)
        {
            var acked = Enumerable.Range(0, Clients).Select(_ => new List<long>()).ToArray();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var writers = Enumerable.Range(0, Clients).Select(c => Task.Run(() => WriteAsync(resp, c, acked[c], deadline.Token))).ToArray();
            // The kill moment counts from the first acknowledgements, so a slow start on a loaded machine does not
            // turn a trial into one where nothing was written.
            using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            {
                while (acked.Sum(a => a.Count) < 40)
                {
                    await Task.Delay(10, started.Token);
                }
            }

            await Task.Delay(killAfterMs, TestContext.Current.CancellationToken);
            await node.SendSignalAsync("KILL");
            await node.WaitForExitAsync();
            await Task.WhenAll(writers);
            return acked;
        }
    }

    /// <summary>SET c:n n, one at a time, until the connection drops; an ack is recorded only once "+OK" is read.</summary>
    private static async Task WriteAsync(IPEndPoint endPoint, int client, List<long> acked, CancellationToken token)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endPoint, token);
            var reply = new byte[5];
            for (var n = 0; n < 1_000_000 && !token.IsCancellationRequested; n++)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(Command(client, n)), token);
                var read = 0;
                while (read < reply.Length)
                {
                    var got = await socket.ReceiveAsync(reply.AsMemory(read), token);
                    if (got == 0)
                    {
                        return;
                    }

                    read += got;
                }

                Assert.Equal("+OK\r\n", Encoding.ASCII.GetString(reply));
                acked.Add(Stopwatch.GetTimestamp());
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // The node was killed mid-request: that write was never acknowledged.
        }
    }

    private static string Command(int client, int n)
    {
        var key = $"crash:{client}:{n}";
        var value = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n";
    }

    /// <summary>Restarts a node on <paramref name="dir"/> and lists, per client, the acknowledged writes it lacks.</summary>
    private static async Task<List<int>[]> MissingAsync(string dir, List<long>[] acked)
    {
        var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir);
        await using (node)
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { resp }, AbortOnConnectFail = true });
            var db = redis.GetDatabase();
            var missing = new List<int>[Clients];
            for (var client = 0; client < Clients; client++)
            {
                missing[client] = [];
                for (var start = 0; start < acked[client].Count; start += 1000)
                {
                    var count = Math.Min(1000, acked[client].Count - start);
                    var keys = Enumerable.Range(start, count).Select(n => (RedisKey)$"crash:{client}:{n}").ToArray();
                    var values = await db.StringGetAsync(keys);
                    for (var i = 0; i < count; i++)
                    {
                        if (values[i].IsNull)
                        {
                            missing[client].Add(start + i);
                        }
                        else
                        {
                            Assert.Equal((start + i).ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)values[i]);
                        }
                    }
                }
            }

            return missing;
        }
    }
}
