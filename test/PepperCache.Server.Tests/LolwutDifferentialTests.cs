using System.Text;
using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// LOLWUT against redis-server 7.0.15. Its drawings are random, so they are compared by shape: the same reply kind,
/// the same lines, each as many braille characters (version 5) or coloured cells (version 6) as Redis's, from the same
/// alphabet, and the same caption. The version line and the errors are compared byte for byte.
/// </summary>
public sealed partial class LolwutDifferentialTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public Task TheVersionLineAndTheErrorsAreRedis() => RedisParity.AssertSameRepliesAsync(servers.RedisEndPoint, servers.Node.RespEndPoint, """
        LOLWUT
        LOLWUT foo
        LOLWUT VERSION
        LOLWUT VERSION 7
        LOLWUT version 4
        LOLWUT VERSION -1
        LOLWUT VERSION 55
        LOLWUT VERSION x
        LOLWUT VERSION 99999999999999999999
        LOLWUT VERSION 5 x
        LOLWUT VERSION 5 10 1.5
        LOLWUT VERSION 6 10 x
        COMMAND INFO lolwut
        """);

    [Theory]
    [InlineData(2, "VERSION", "5")]
    [InlineData(3, "VERSION", "5")]
    [InlineData(2, "VERSION", "5", "1", "1", "1")]
    [InlineData(2, "VERSION", "5", "3", "2", "2")]
    [InlineData(3, "VERSION", "5", "20", "4", "6")]
    [InlineData(2, "VERSION", "5", "-3", "0", "999")]
    [InlineData(2, "version", "4294967301", "9")]
    [InlineData(2, "VERSION", "6")]
    [InlineData(3, "VERSION", "6", "7", "3")]
    [InlineData(2, "VERSION", "6", "0", "-5")]
    [InlineData(2, "VERSION", "6", "1200", "2")]
    public async Task TheDrawingsHaveRedisShape(int protocol, params string[] arguments)
    {
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        if (protocol == 3)
        {
            await redis.ExecuteAsync("HELLO", "3");
            await node.ExecuteAsync("HELLO", "3");
        }

        string[] command = ["LOLWUT", .. arguments];
        var theirs = await redis.ExecuteAsync(command);
        var ours = await node.ExecuteAsync(command);

        Assert.Equal((char)theirs[0], (char)ours[0]);
        Assert.Equal(Shape(Text(theirs)), Shape(Text(ours)));
    }

    /// <summary>The reply's text: after the length line, and after <c>txt:</c> in a RESP3 verbatim string.</summary>
    private static string Text(byte[] reply)
    {
        var start = Array.IndexOf(reply, (byte)'\n') + 1 + (reply[0] == '=' ? 4 : 0);
        return Encoding.UTF8.GetString(reply, start, reply.Length - start - 2);
    }

    /// <summary>Each art line as its length in braille characters or coloured cells; other lines as they are.</summary>
    private static List<string> Shape(string text) => [.. text.Split('\n').Select(line =>
    {
        if (line.Length > 0 && line.All(c => c is >= '\u2800' and <= '\u28ff'))
        {
            return $"braille x{line.Length}";
        }

        var cells = Cell().Count(line);
        return cells > 0 && Cell().Replace(line, "").Length == 0 ? $"cells x{cells}" : line;
    })];

    [GeneratedRegex(@"\u001b\[0;(30;40|90;100|37;47|97;107)m \u001b\[0m")]
    private static partial Regex Cell();
}
