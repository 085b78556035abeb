using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>
/// MONITOR against redis-server: the same lines for the same commands (times and client ports aside), arguments
/// escaped and secrets redacted as Redis does, administrative commands left out, and the monitor connection's own
/// rules (keyspace commands refused, a second MONITOR ignored, RESET leaves the mode).
/// </summary>
public sealed partial class MonitorIntegrationTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task LinesAreRedisServersForTheSameCommands()
    {
        var expected = await MonitorTranscriptAsync(servers.RedisEndPoint);
        var actual = await MonitorTranscriptAsync(servers.Node.RespEndPoint);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task MonitorConnectionAnswersAsRedisDoes()
    {
        Assert.Equal(await MonitorOwnCommandsAsync(servers.RedisEndPoint), await MonitorOwnCommandsAsync(servers.Node.RespEndPoint));
    }

    [Fact]
    public async Task MonitorCommandIsDeclaredAsRedisDeclaresIt()
    {
        await using var redis = await RawRespClient.ConnectAsync(servers.RedisEndPoint);
        await using var pepper = await servers.Node.ConnectRawAsync();
        Assert.Equal(Flatten(await redis.CommandAsync("COMMAND", "INFO", "MONITOR")), Flatten(await pepper.CommandAsync("COMMAND", "INFO", "MONITOR")));
    }

    [Fact]
    public async Task RedisCliMonitorPrintsTheSameLinesForBothServers()
    {
        Assert.Equal(await RedisCliMonitorAsync(servers.RedisEndPoint), await RedisCliMonitorAsync(servers.Node.RespEndPoint));
    }

    /// <summary>
    /// redis-cli MONITOR (it prints each line without the +, flushing after each) while another client runs a few
    /// commands; its lines with time and port masked. The process is this test's own and is killed by it.
    /// </summary>
    private static async Task<List<string>> RedisCliMonitorAsync(IPEndPoint endPoint)
    {
        var start = new System.Diagnostics.ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", endPoint.Port.ToString(CultureInfo.InvariantCulture), "MONITOR" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Assert.Equal("OK", await process.StandardOutput.ReadLineAsync(limit.Token));
            await using var client = await RawRespClient.ConnectAsync(endPoint);
            await client.CommandAsync("SET", "cli:k", "tab\there \"quoted\" \u00e9");
            await client.CommandAsync("AUTH", "secret");
            await client.CommandAsync("CONFIG", "GET", "port");
            await client.CommandAsync("ECHO", "last");
            var lines = new List<string>();
            while (lines.Count == 0 || !lines[^1].EndsWith("\"last\"", StringComparison.Ordinal))
            {
                Assert.True(lines.Count < 10, "redis-cli printed more lines than commands were run");
                lines.Add(Mask(await process.StandardOutput.ReadLineAsync(limit.Token) ?? "(redis-cli exited)"));
            }

            return lines;
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task MonitorThatDoesNotReadIsClosedByTheOutputBufferLimit()
    {
        await using var app = new PepperCacheApplication();
        await using var monitor = await app.ConnectRawAsync();
        await using var writer = await app.ConnectRawAsync();
        Assert.Equal("OK", await writer.CommandAsync("CONFIG", "SET", "client-output-buffer-limit", "normal 1048576 0 0"));
        Assert.Equal("OK", await monitor.CommandAsync("MONITOR"));
        Assert.Equal(1, app.Services.GetRequiredService<Server.Resp.ServerState>().Monitors.Count);

        // Lines of ~100 KB each; the loopback socket buffers take a few MB before the pipe and then the queue fill.
        var value = new string('m', 100 * 1024);
        var sent = 0;
        while (app.Services.GetRequiredService<Server.Resp.ServerState>().Monitors.Count > 0)
        {
            Assert.True(sent++ < 2000, "the monitor was never closed");
            Assert.Equal("OK", await writer.CommandAsync("SET", "monitor:flood", value));
        }

        var stats = Assert.IsType<string>(await writer.CommandAsync("INFO", "stats"));
        Assert.Contains("client_output_buffer_limit_disconnections:1\r\n", stats, StringComparison.Ordinal);
        try
        {
            await monitor.ReadUntilClosedAsync();
        }
        catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
        {
            // As Redis drops the client, its unread lines go with it: closed with a reset while they are unsent.
        }
    }

    /// <summary>One monitor, one other client running a fixed script; the monitor's lines with time and port masked.</summary>
    private static async Task<List<string>> MonitorTranscriptAsync(IPEndPoint endPoint)
    {
        await using var monitor = await RawRespClient.ConnectAsync(endPoint);
        await using var client = await RawRespClient.ConnectAsync(endPoint);
        Assert.Equal("OK", await monitor.CommandAsync("MONITOR"));
        string[][] script =
        [
            ["SET", "monitor:k", "a b\"c\\d\ne\r\t\u0001\u007f"],
            ["GET", "monitor:k"],
            ["AUTH", "not-the-password"],
            ["AUTH", "someone", "secret"],
            ["HELLO", "2", "AUTH", "default", "any"],
            // No key exists, so both answer NOKEY without connecting; AUTH's password and AUTH2's user and password are
            // redacted, a key named like an option after KEYS is not.
            ["MIGRATE", "127.0.0.1", "1", "monitor:none", "0", "10", "COPY", "AUTH", "migrate-pw"],
            ["MIGRATE", "127.0.0.1", "1", "", "0", "10", "AUTH2", "auth", "migrate-pw2", "KEYS", "auth", "monitor:none"],
            ["CLIENT", "LIST"],
            ["CONFIG", "GET", "maxmemory"],
            ["CLIENT", "INFO"],
            ["NOSUCHCOMMAND", "x"],
            ["GET"],
            ["DEL", "monitor:k", "12345"],
            ["ECHO", "last"],
        ];
        foreach (var command in script)
        {
            await client.CommandAsync(command);
        }

        var lines = new List<string>();
        while (lines.Count == 0 || !lines[^1].EndsWith("\"last\"", StringComparison.Ordinal))
        {
            Assert.True(lines.Count < 20, "the monitor sent more lines than commands were run");
            var line = Assert.IsType<string>(await monitor.ReadReplyAsync());
            lines.Add(Mask(line));
        }

        return lines;
    }

    /// <summary>The replies the monitor connection gets to its own commands, with the lines they cause masked.</summary>
    private static async Task<List<string>> MonitorOwnCommandsAsync(IPEndPoint endPoint)
    {
        await using var monitor = await RawRespClient.ConnectAsync(endPoint);
        var replies = new List<string>();
        async Task Run(int replyCount, params string[] command)
        {
            await monitor.SendAsync(Encode(command));
            for (var i = 0; i < replyCount; i++)
            {
                replies.Add(Mask(Describe(await monitor.ReadReplyAsync())));
            }
        }

        await Run(1, "MONITOR");
        await Run(2, "PING");
        await Run(1, "GET", "monitor:own");
        await Run(1, "SET", "monitor:own", "v");
        // A second MONITOR gets no reply: the PING after it answers first.
        await Run(0, "MONITOR");
        await Run(2, "PING", "after");
        await Run(1, "RESET");
        await Run(1, "GET", "monitor:own");
        return replies;
    }

    private static string Describe(object? reply) => reply switch
    {
        RespError error => "-" + error.Message,
        null => "(nil)",
        _ => Convert.ToString(reply, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Flatten(object? reply) => reply is List<object?> items ? "[" + string.Join(",", items.Select(Flatten)) + "]" : Describe(reply);

    /// <summary>The time and the client's port differ between the two servers; the rest of a line must not.</summary>
    private static string Mask(string line) => MonitorPrefix().Replace(line, "T [0 127.0.0.1:PORT]");

    [GeneratedRegex(@"^\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\]")]
    private static partial Regex MonitorPrefix();
}
