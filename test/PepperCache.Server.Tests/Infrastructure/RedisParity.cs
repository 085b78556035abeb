using System.Net;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// Plays one script against a real Redis and a node, one connection each, and asserts the replies are the same bytes.
/// </summary>
/// <remarks>
/// One command per line, arguments split as in <see cref="RespTranscript"/> (double quotes for spaces or an empty
/// argument); blank lines and lines starting with '#' are skipped. A line starting with <c>?</c> is a command whose
/// reply legitimately differs (byte counts, clocks): only its RESP type must match. Every difference is reported
/// at once, each with the command that caused it.
/// </remarks>
public static class RedisParity
{
    /// <summary>
    /// Plays <paramref name="script"/> in RESP2 and then, on new connections that sent HELLO 3, again in RESP3 (by
    /// default; nothing is flushed between: both servers see the same commands, so they stay alike). Returns the
    /// first pass's steps.
    /// </summary>
    public static async Task<List<Step>> AssertSameRepliesAsync(IPEndPoint redis, IPEndPoint node, string script, Protocols protocols = Protocols.Both)
    {
        List<Step> steps = [];
        if ((protocols & Protocols.Resp2) != 0)
        {
            steps = await PlayAsync(redis, node, script, resp3: false);
        }

        if ((protocols & Protocols.Resp3) != 0)
        {
            var resp3Steps = await PlayAsync(redis, node, script, resp3: true);
            if ((protocols & Protocols.Resp2) == 0)
            {
                steps = resp3Steps;
            }
        }

        return steps;
    }

    private static async Task<List<Step>> PlayAsync(IPEndPoint redis, IPEndPoint node, string script, bool resp3)
    {
        await using var redisClient = await RespFrameClient.ConnectAsync(redis);
        await using var nodeClient = await RespFrameClient.ConnectAsync(node);
        if (resp3)
        {
            var want = await redisClient.ExecuteAsync("HELLO", "3");
            var got = await nodeClient.ExecuteAsync("HELLO", "3");
            Assert.True(want[0] == got[0], $"HELLO 3\n  redis: {RespTranscript.Show(want)}\n  node:  {RespTranscript.Show(got)}");
        }

        var steps = new List<Step>();
        var differences = new StringBuilder();
        foreach (var rawLine in script.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var typeOnly = line[0] == '?';
            var command = RespTranscript.Tokenize(typeOnly ? line[1..] : line);
            var step = new Step(line, await redisClient.ExecuteAsync(command), await nodeClient.ExecuteAsync(command));
            steps.Add(step);
            var same = typeOnly ? step.Redis[0] == step.Node[0] : step.Redis.AsSpan().SequenceEqual(step.Node);
            if (!same)
            {
                differences
                    .Append("> ").AppendLine(line)
                    .Append("  redis: ").AppendLine(RespTranscript.Show(step.Redis))
                    .Append("  node:  ").AppendLine(RespTranscript.Show(step.Node));
            }
        }

        Assert.True(differences.Length == 0, $"Replies that differ from redis-server's{(resp3 ? " in RESP3" : "")}:\n{differences}");
        return steps;
    }

    /// <summary>One command and the exact replies from both servers.</summary>
    public sealed record Step(string Command, byte[] Redis, byte[] Node);
}
