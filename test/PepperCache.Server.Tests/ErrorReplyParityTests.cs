using System.Text;
using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// Error replies against a real redis-server 7.0.15: the unknown-command text byte for byte (a NUL ends an argument,
/// as a C string; CR and LF become spaces; the argument list stops near 128 bytes), and how errors are counted in
/// INFO (stats total_error_replies and the errorstats section), protocol errors included.
/// </summary>
public sealed class ErrorReplyParityTests(NodeFixture node, RedisServerProcess redis) : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>
{
    public static TheoryData<string, string[]> UnknownCommands => new()
    {
        { "a NUL in the name", ["ab\0cd"] },
        { "a NUL in arguments, CR in one", ["ab\0cd", "x\0yz", "q\rw", "\0"] },
        { "LF in the name", ["no\nsuch", "a\r\nb"] },
        { "one argument past 128 bytes", ["foo", new string('a', 300)] },
        { "the list cut inside the second argument", ["foo", new string('a', 100), new string('b', 100), "ccc", "d"] },
        { "an argument of exactly 125 bytes", ["foo", new string('a', 125), "next"] },
        { "a name past 128 bytes", [new string('n', 200), "x"] },
        { "no arguments", ["nosuchcommand"] },
        { "empty arguments", ["nosuch", "", "", ""] },
        { "many short arguments", ["nosuch", .. Enumerable.Range(0, 60).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))] },
    };

    [Theory]
    [MemberData(nameof(UnknownCommands))]
    public async Task AnUnknownCommandIsAnsweredWithRedissTextByteForByte(string why, string[] command)
    {
        // Latin-1 so every char is one byte, invalid UTF-8 included.
        var arguments = command.Select(Encoding.Latin1.GetBytes).ToList();
        arguments.Add([0xC3, 0xA9, 0xFF]);
        await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
        await using var nodeClient = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);

        var expected = await redisClient.ExecuteAsync(arguments);
        var actual = await nodeClient.ExecuteAsync(arguments);

        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{why}\nredis: {RespTranscript.Show(expected)}\nnode:  {RespTranscript.Show(actual)}");
    }

    /// <summary>Errors that quote an argument, found by CommandPathFuzzTests sending line ends and NULs in one.</summary>
    public static TheoryData<string, string[]> QuotingErrors => new()
    {
        { "ACL CAT with LF in the category", ["ACL", "cat", "\xBC\xA7\x04hl\xA55\n\x9B\xF7"] },
        { "ACL CAT with CR, then NUL", ["ACL", "CAT", "a\rb\0c"] },
        { "ACL CAT past 128 bytes", ["ACL", "CAT", new string('c', 200)] },
        { "ACL DRYRUN with LF and NUL in the user", ["ACL", "DRYRUN", "b\xC0J\n\0x", "get"] },
        { "ACL DRYRUN with LF and NUL in the command", ["ACL", "DRYRUN", "default", "g\ne\0t"] },
        { "ACL DRYRUN with a user past 128 bytes", ["ACL", "DRYRUN", new string('u', 200), "get"] },
        { "ACL SETUSER with LF and NUL in an open selector", ["ACL", "SETUSER", "fuzz-selector", "(~a\nb\0c"] },
        { "ACL SETUSER with CR LF as a rule", ["ACL", "SETUSER", "fuzz-rule", "\r\n", "HELP"] },
        { "ACL SETUSER with LF and NUL in a rule", ["ACL", "SETUSER", "fuzz-rule", "a\nb\0c"] },
        { "CONFIG SET with NUL and LF in the name", ["CONFIG", "SET", "a\0b\nc", "1"] },
        { "CLIENT LIST with NUL in the type", ["CLIENT", "LIST", "TYPE", "x\0y"] },
        { "HELLO with NUL in an option", ["HELLO", "2", "x\0y"] },
        { "an unknown subcommand with LF and NUL", ["CLIENT", "no\nsuch\0x"] },
    };

    [Theory]
    [MemberData(nameof(QuotingErrors))]
    public async Task AnErrorQuotingAnArgumentStaysOneLineAsRedis(string why, string[] command)
    {
        var arguments = command.Select(Encoding.Latin1.GetBytes).ToList();
        await using var redisClient = await RespFrameClient.ConnectAsync(redis.EndPoint);
        await using var nodeClient = await RespFrameClient.ConnectAsync(node.App.RespEndPoint);

        var expected = await redisClient.ExecuteAsync(arguments);
        var actual = await nodeClient.ExecuteAsync(arguments);

        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{why}\nredis: {RespTranscript.Show(expected)}\nnode:  {RespTranscript.Show(actual)}");
    }

    [Fact]
    public async Task ErrorRepliesAreCountedAsRedisCountsThemProtocolErrorsIncluded()
    {
        foreach (var endPoint in new[] { redis.EndPoint, node.App.RespEndPoint })
        {
            await using var client = await RespFrameClient.ConnectAsync(endPoint);
            Assert.Equal("+OK\r\n", await client.ExecuteTextAsync("CONFIG", "RESETSTAT"));
        }

        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            NOSUCHCOMMAND a b
            GET
            SET errors:k v NX XX
            SET errors:k notanumber
            INCR errors:k
            EXPIRE errors:k soon
            CONFIG SET nosuchparameter 1
            CLIENT NOSUCHSUBCOMMAND
            HELLO 4
            GET errors:k
            """);
        foreach (var endPoint in new[] { redis.EndPoint, node.App.RespEndPoint })
        {
            // A protocol error closes the connection after its reply; Redis counts it as an ERR reply too.
            await using var offender = await RawRespClient.ConnectAsync(endPoint);
            await offender.AssertReplyAsync("*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n");
        }

        var expected = await ErrorCountsAsync(redis.EndPoint);
        Assert.Equal(expected, await ErrorCountsAsync(node.App.RespEndPoint));
        // The script ran twice (RESP2, then RESP3), the protocol error once.
        Assert.Contains("total_error_replies:17", expected, StringComparison.Ordinal);
        Assert.Contains("errorstat_ERR:count=15", expected, StringComparison.Ordinal);
        Assert.Contains("errorstat_NOPROTO:count=2", expected, StringComparison.Ordinal);
    }

    /// <summary>total_error_replies and the errorstats section, as lines.</summary>
    private static async Task<string> ErrorCountsAsync(System.Net.IPEndPoint endPoint)
    {
        await using var client = await RespFrameClient.ConnectAsync(endPoint);
        var stats = await client.ExecuteTextAsync("INFO", "stats");
        var errors = await client.ExecuteTextAsync("INFO", "errorstats");
        var total = Regex.Match(stats, @"total_error_replies:\d+").Value;
        return total + "\n" + errors[errors.IndexOf('#', StringComparison.Ordinal)..].Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
    }
}
