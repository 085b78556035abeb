using System.Security.Cryptography;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// A data directory belongs to one node: a second node (or <c>--aof-fix</c>) on the same <c>--dir</c> exits 1 with
/// one line naming the holder, reads and writes nothing there, and the first node goes on with its data intact.
/// Once the first stops, however it stops, the directory is free again.
/// </summary>
public sealed class DataDirectoryLockProcessTests
{
    [Fact]
    public async Task ASecondNodeOnTheSameDirectoryExitsNamingTheFirstWhichKeepsItsData()
    {
        var dir = Directory.CreateTempSubdirectory("peppercache-lock-").FullName;
        try
        {
            var (first, resp, admin) = await NodeProcess.StartOnFreePortsAsync("--dir", dir, "--appendfsync", "always");
            await using (first)
            {
                await using (var client = await RawRespClient.ConnectAsync(resp))
                {
                    await client.AssertReplyAsync("SET before second\r\nSET counter 1\r\n", "+OK\r\n+OK\r\n");
                }

                var files = Hashes(dir);

                await using (var second = NodeProcess.Start(["--port", "0", "--admin-port", "0", "--dir", dir]))
                {
                    Assert.Equal(1, await second.WaitForExitAsync());
                    var error = Assert.Single(second.StandardError);
                    Assert.Equal(
                        $"error: the data directory {dir} is in use by another node " +
                        $"(pid {first.Id}, node 127.0.0.1:{resp.Port}, admin port {admin.Port}): give each node its own --dir",
                        error);
                    // It read neither file: no node id taken from nodes.json, no append-only file loaded or opened.
                    Assert.DoesNotContain(second.StandardOutput, line => line.Contains("Node id", StringComparison.Ordinal));
                    Assert.DoesNotContain(second.StandardOutput, line => line.Contains("append only file", StringComparison.OrdinalIgnoreCase));
                }

                await using (var fix = NodeProcess.Start(["--dir", dir, "--aof-fix"]))
                {
                    Assert.Equal(1, await fix.WaitForExitAsync());
                    Assert.Contains($"(pid {first.Id}, node 127.0.0.1:{resp.Port}", Assert.Single(fix.StandardError), StringComparison.Ordinal);
                }

                Assert.Equal(files, Hashes(dir));

                // The first node goes on serving, and writing its file, as if nothing had happened.
                await using (var client = await RawRespClient.ConnectAsync(resp))
                {
                    await client.AssertReplyAsync("GET before\r\nINCR counter\r\nSET after second\r\n", "$6\r\nsecond\r\n:2\r\n+OK\r\n");
                }

                await first.SendSignalAsync("TERM");
                Assert.Equal(0, await first.WaitForExitAsync());
            }

            // Free again once the holder has gone: a new node takes the directory and everything in it.
            var (next, nextResp, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir);
            await using (next)
            {
                await using var client = await RawRespClient.ConnectAsync(nextResp);
                await client.AssertReplyAsync("GET before\r\nGET counter\r\nGET after\r\n", "$6\r\nsecond\r\n$1\r\n2\r\n$6\r\nsecond\r\n");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ADirectoryWhoseHolderWasKilledIsFreeAtOnce()
    {
        var dir = Directory.CreateTempSubdirectory("peppercache-lock-").FullName;
        try
        {
            var (first, resp, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir, "--appendfsync", "always");
            await using (first)
            {
                await using (var client = await RawRespClient.ConnectAsync(resp))
                {
                    await client.AssertReplyAsync("SET survivor yes\r\n", "+OK\r\n");
                }

                await first.SendSignalAsync("KILL");
                await first.WaitForExitAsync();
            }

            // The lock file stays behind with the dead holder's line; the lock itself went with the process.
            Assert.True(File.Exists(Path.Combine(dir, "node.lock")));
            var (next, nextResp, _) = await NodeProcess.StartOnFreePortsAsync("--dir", dir);
            await using (next)
            {
                await using var client = await RawRespClient.ConnectAsync(nextResp);
                await client.AssertReplyAsync("GET survivor\r\n", "$3\r\nyes\r\n");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Content hash of every file but the lock file (which only its holder writes).</summary>
    private static SortedDictionary<string, string> Hashes(string dir) => new(
        Directory.EnumerateFiles(dir)
            .Where(path => Path.GetFileName(path) != "node.lock")
            .ToDictionary(path => Path.GetFileName(path), path => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))),
        StringComparer.Ordinal);
}
