using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// A node binds both ports before it reads or writes any data. One whose port is taken (a second <c>bin/server</c>
/// with the same flags) exits 1 having read neither nodes.json nor appendonly.aof, written nothing and made no data
/// directory; one that starts answers nobody before its append-only file is replayed.
/// </summary>
public sealed class StartupOrderProcessTests
{
    [Theory]
    [InlineData("--port")]
    [InlineData("--admin-port")]
    public async Task APortInUseLeavesTheDataDirectoryUntouched(string flag)
    {
        var dir = Directory.CreateTempSubdirectory("peppercache-kept-").FullName;
        try
        {
            // A node's life in that directory: its id and incarnation in nodes.json, a key in appendonly.aof.
            var (first, resp, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir, "--appendfsync", "always");
            await using (first)
            {
                await using (var client = await RawRespClient.ConnectAsync(resp))
                {
                    await client.AssertReplyAsync("SET kept value\r\n", "+OK\r\n");
                }

                await first.SendSignalAsync("TERM");
                Assert.Equal(0, await first.WaitForExitAsync());
            }

            var before = Snapshot(dir);
            Assert.Contains(before, entry => entry.StartsWith("nodes.json ", StringComparison.Ordinal));
            Assert.Contains(before, entry => entry.StartsWith("appendonly.aof ", StringComparison.Ordinal));

            using var occupant = new TcpListener(IPAddress.Loopback, 0);
            occupant.Start();
            var busy = ((IPEndPoint)occupant.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
            var other = flag == "--port" ? "--admin-port" : "--port";
            await using var second = NodeProcess.Start(["--dir", dir, flag, busy, other, "0"]);

            Assert.Equal(1, await second.WaitForExitAsync());
            Assert.Equal(before, Snapshot(dir));
            // Neither file was even read: no node id was taken from nodes.json, no append-only file loaded or opened.
            Assert.DoesNotContain(second.StandardOutput, line => line.Contains("Node id", StringComparison.Ordinal));
            Assert.DoesNotContain(second.StandardOutput, line => line.Contains("append only file", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--admin-port")]
    public async Task APortInUseMakesNoDataDirectory(string flag)
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var busy = ((IPEndPoint)occupant.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        // The cache port must not be 0 here: a node on a random port has no default data directory to make.
        string[] arguments = flag == "--port"
            ? ["--port", busy, "--admin-port", "0"]
            : ["--port", NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--admin-port", busy];

        await using var node = NodeProcess.Start(arguments);

        Assert.Equal(1, await node.WaitForExitAsync());
        // The working directory is where data/<node>-<port>/ would have been made; it stays empty.
        Assert.Empty(Directory.EnumerateFileSystemEntries(node.WorkingDirectory));
    }

    [Fact]
    public async Task AClientThatConnectsDuringReplayIsAnsweredFromTheWholeFile()
    {
        var dir = Directory.CreateTempSubdirectory("peppercache-replay-").FullName;
        try
        {
            // Enough records that the replay takes a while after the port is bound; the last one is what is asked for.
            await using (var file = File.Create(Path.Combine(dir, "appendonly.aof")))
            {
                for (var i = 0; i < 200_000; i++)
                {
                    await file.WriteAsync(Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$10\r\nkey:{i:D6}\r\n$5\r\nvalue\r\n"), TestContext.Current.CancellationToken);
                }

                await file.WriteAsync("*3\r\n$3\r\nSET\r\n$4\r\nlast\r\n$6\r\nloaded\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            }

            var port = NodeProcess.FreePort();
            await using var node = NodeProcess.Start(["--dir", dir, "--port", port.ToString(CultureInfo.InvariantCulture), "--admin-port", "0"]);

            // Connect as soon as the port accepts (while the file may still be loading): at most 30 s.
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);
            var client = (await Eventually.UntilAsync<RawRespClient?>(
                async () =>
                {
                    try
                    {
                        return await RawRespClient.ConnectAsync(endpoint);
                    }
                    catch (SocketException)
                    {
                        return null;
                    }
                },
                connected => connected is not null, TimeSpan.FromSeconds(30), "the port accepts", interval: TimeSpan.FromMilliseconds(100)))!;

            await using (client)
            {
                await client.AssertReplyAsync("GET last\r\nDBSIZE\r\n", "$6\r\nloaded\r\n:200001\r\n");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Each entry's name, size, modification time and content hash, and the directory's own modification time.</summary>
    private static List<string> Snapshot(string dir)
    {
        var entries = Directory.EnumerateFileSystemEntries(dir)
            .Order(StringComparer.Ordinal)
            .Select(path => File.Exists(path)
                ? $"{Path.GetFileName(path)} {new FileInfo(path).Length} {File.GetLastWriteTimeUtc(path):O} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}"
                : $"{Path.GetFileName(path)}/ {Directory.GetLastWriteTimeUtc(path):O}")
            .ToList();
        entries.Add($"./ {Directory.GetLastWriteTimeUtc(dir):O}");
        return entries;
    }
}
