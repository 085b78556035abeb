using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The node as a process at its open-files limit (util-linux <c>prlimit</c>): started under a low limit it serves
/// fewer clients and says so in Redis's words; with the limit lowered under it to what it holds, a flood of clients
/// is refused with Redis's maxclients error, the process does not spin and stays up, its clients are still served,
/// and it serves new ones by itself once descriptors are free. The heavy variant with figures is bench/abuse.sh.
/// </summary>
public sealed partial class DescriptorLimitProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task UnderALowLimitMaxclientsIsLoweredWithRedisWarningAndConfigSetSaysWhatFits()
    {
        var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync(["prlimit", "--nofile=400:400"], "--appendonly", "no");
        await using var _ = node;

        var reduced = await node.WaitForOutputAsync("maxclients has been reduced to");
        Assert.Contains(node.StandardOutput, line => line.Contains("[WRN] You requested maxclients of 10000 requiring at least ", StringComparison.Ordinal));
        Assert.Contains(node.StandardOutput, line => line.EndsWith(
            "[WRN] Server can't set maximum open files to " + Required(node) + " because of OS error: Operation not permitted.", StringComparison.Ordinal));
        var fits = long.Parse(ReducedTo().Match(reduced).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Contains("Current maximum open files is 400. maxclients has been reduced to " + fits, reduced, StringComparison.Ordinal);
        Assert.InRange(fits, 1, 400 - 32);

        await using var client = await RawRespClient.ConnectAsync(resp);
        await client.AssertReplyAsync(RespReplyReader.Encode("CONFIG", "GET", "maxclients"), $"*2\r\n$10\r\nmaxclients\r\n${fits.ToString(CultureInfo.InvariantCulture).Length}\r\n{fits}\r\n");
        var refusal = $"The operating system is not able to handle the specified number of clients, try with {fits}";
        await client.AssertReplyAsync(
            RespReplyReader.Encode("CONFIG", "SET", "maxclients", "100000"),
            $"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - {refusal}\r\n");
        await client.AssertReplyAsync(RespReplyReader.Encode("CONFIG", "SET", "maxclients", "10"), "+OK\r\n");
    }

    [Fact]
    public async Task AtTheDescriptorLimitClientsAreRefusedWithoutSpinningAndServedAgainOnceDescriptorsFree()
    {
        var (node, resp, _) = await NodeProcess.StartOnFreePortsAsync(["prlimit", "--nofile=4096:4096"], "--appendonly", "no");
        await using var _ = node;
        var early = new List<Socket>();
        try
        {
            for (var i = 0; i < 60; i++)
            {
                early.Add(await ConnectAsync(resp));
                Assert.Equal("+PONG\r\n", await PingAsync(early[^1]));
            }

            // The limit drops to exactly what the node holds: the next accept fails with EMFILE. The fewest of five
            // counts, since one taken while the node briefly held a descriptor (reading /proc for INFO or the
            // headroom check) left room for one client (a clean-clone CI run saw one PONG among the 50).
            var held = Enumerable.Range(0, 5).Min(_ => Directory.GetFiles($"/proc/{node.Id}/fd").Length);

            await SetSoftLimitAsync(node.Id, held);
            var replies = new Dictionary<string, int>();
            for (var i = 0; i < 50; i++)
            {
                using var refused = await ConnectAsync(resp);
                var reply = await PingAsync(refused);
                replies[reply] = replies.GetValueOrDefault(reply) + 1;
            }

            Assert.Equal(new Dictionary<string, int> { ["-ERR max number of clients reached\r\n"] = 50 }, replies);

            // A behaviour check, not a speed target: a spinning accept loop holds a core (100%); waiting, the node idles.
            var cpuBefore = CpuSeconds(node.Id);
            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.InRange((CpuSeconds(node.Id) - cpuBefore) / wall.Elapsed.TotalSeconds, 0, 0.5);

            foreach (var socket in early.Take(5))
            {
                Assert.Equal("+PONG\r\n", await PingAsync(socket));
            }

            // Descriptors free up: a new client is served by itself (counted again within a second; bounded wait).
            foreach (var socket in early[5..])
            {
                socket.Dispose();
            }

            Assert.Equal("+PONG\r\n", await PingUntilServedAsync(resp));
            Assert.Contains(node.StandardOutput, line => line.Contains("[WRN] Accepting client connection: ", StringComparison.Ordinal));
            Assert.DoesNotContain(node.StandardOutput, line => line.Contains("Out of memory", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var socket in early)
            {
                socket.Dispose();
            }
        }
    }

    [GeneratedRegex("maxclients has been reduced to ([0-9]+) ")]
    private static partial Regex ReducedTo();

    private static string Required(NodeProcess node)
    {
        var line = node.StandardOutput.First(l => l.Contains("requiring at least ", StringComparison.Ordinal));
        return line[(line.IndexOf("requiring at least ", StringComparison.Ordinal) + 19)..].Split(' ')[0];
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(endpoint, timeout.Token);
        return socket;
    }

    /// <summary>PING, and what came back before the node closed the connection or 10 s passed ("" for nothing).</summary>
    private static async Task<string> PingAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var buffer = new byte[256];
        var received = 0;
        try
        {
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
            while (received < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, received).EndsWith("\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received += read;
            }
        }
        catch (SocketException)
        {
            // Reset by the node after its reply: what arrived is the answer.
        }

        return Encoding.ASCII.GetString(buffer, 0, received);
    }

    private static Task<string> PingUntilServedAsync(IPEndPoint endpoint) =>
        Eventually.UntilAsync(
            async () =>
            {
                using var socket = await ConnectAsync(endpoint);
                return await PingAsync(socket);
            },
            reply => reply == "+PONG\r\n", TimeSpan.FromSeconds(5), "a PING is served", interval: TimeSpan.FromMilliseconds(100));

    /// <summary>utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static async Task SetSoftLimitAsync(int pid, int soft)
    {
        using var prlimit = Process.Start(new ProcessStartInfo("prlimit", ["--pid", pid.ToString(CultureInfo.InvariantCulture), $"--nofile={soft}:"]) { UseShellExecute = false })
                            ?? throw new InvalidOperationException("could not run prlimit");
        await prlimit.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, prlimit.ExitCode);
    }
}
