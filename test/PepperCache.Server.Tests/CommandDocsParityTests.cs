using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// <c>COMMAND DOCS</c> of every command and subcommand in the table against redis-server 7.0's, byte for byte: the
/// same summary, since, group, complexity, history, doc flags and argument tree, with Redis's reply types (flags as
/// status strings, key_spec_index an integer). A container lists only the subcommands PepperCache has, so its
/// reply is compared with Redis's after Redis's subcommands are cut to ours.
/// </summary>
public sealed class CommandDocsParityTests(RedisServerFixture servers) : IClassFixture<RedisServerFixture>
{
    /// <summary>Commands Redis 7.0 does not have: PepperCache's own, and CLIENT SETINFO from Redis 7.2.</summary>
    private static readonly HashSet<string> PepperCacheOnly = ["client|setinfo", "pepper.auth", "pepper.import"];

    /// <remarks>In RESP3 (<paramref name="protocol"/> 3) the docs are maps and the flags sets; the kinds are compared too.</remarks>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EveryCommandIsDocumentedAsRedisDocumentsIt(int protocol)
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);
        if (protocol == 3)
        {
            Assert.Equal((byte)'%', (await node.ExecuteAsync("HELLO", "3"))[0]);
            Assert.Equal((byte)'%', (await redis.ExecuteAsync("HELLO", "3"))[0]);
        }

        var names = Parse(await node.ExecuteAsync("COMMAND", "LIST")).Items!.Select(n => n.Text!).ToList();
        var differences = new StringBuilder();
        var compared = 0;
        foreach (var name in names)
        {
            var ours = Parse(await node.ExecuteAsync("COMMAND", "DOCS", name));
            var theirs = Parse(await redis.ExecuteAsync("COMMAND", "DOCS", name));
            if (PepperCacheOnly.Contains(name))
            {
                Assert.Equal(2, ours.Items!.Count);
                continue;
            }

            if (theirs.Items!.Count == 0)
            {
                differences.AppendLine($"{name}: not a Redis 7.0 command (add it to PepperCacheOnly if that is intended)");
                continue;
            }

            var ourSubcommands = Subcommands(ours.Items![1])?.Where((_, i) => i % 2 == 0).Select(n => n.Text!).ToHashSet() ?? [];
            var expected = CutSubcommands(theirs, ourSubcommands);
            if (Write(ours) != Write(expected))
            {
                differences.AppendLine($"{name}:\n  node:  {Write(ours)}\n  redis: {Write(expected)}");
            }

            compared += 1 + ourSubcommands.Count;
        }

        Assert.True(differences.Length == 0, "COMMAND DOCS differs from redis-server's:\n" + differences);
        Assert.True(compared > 200, $"only {compared} commands and subcommands compared");
    }

    [Fact]
    public async Task SubcommandsAreDocumentedByTheirFullName()
    {
        await using var node = await RespFrameClient.ConnectAsync(servers.Node.RespEndPoint);
        await using var redis = await RespFrameClient.ConnectAsync(servers.RedisEndPoint);

        var ours = await node.ExecuteAsync("COMMAND", "DOCS", "config|get", "nosuchcommand", "GET");

        Assert.Equal(await redis.ExecuteAsync("COMMAND", "DOCS", "config|get", "nosuchcommand", "GET"), ours);
        Assert.Equal(4, Parse(ours).Items!.Count);
    }

    /// <summary>A reply with its RESP type kept, so a status string and a bulk string of the same text differ.</summary>
    private sealed record Reply(char Type, string? Text, List<Reply>? Items);

    private static List<Reply>? Subcommands(Reply doc)
    {
        for (var i = 0; i + 1 < doc.Items!.Count; i += 2)
        {
            if (doc.Items[i].Text == "subcommands")
            {
                return doc.Items[i + 1].Items;
            }
        }

        return null;
    }

    /// <summary>Redis's reply to COMMAND DOCS of a container with only <paramref name="keep"/> of its subcommands.</summary>
    private static Reply CutSubcommands(Reply reply, HashSet<string> keep)
    {
        if (Subcommands(reply.Items![1]) is not { } all)
        {
            return reply;
        }

        var kept = new List<Reply>();
        for (var i = 0; i + 1 < all.Count; i += 2)
        {
            if (keep.Contains(all[i].Text!))
            {
                kept.Add(all[i]);
                kept.Add(all[i + 1]);
            }
        }

        // Redis lists a container's subcommands in its dictionary's order; compare them in the table's.
        var doc = reply.Items[1].Items!.ToList();
        var at = doc.FindIndex(r => r.Text == "subcommands");
        doc[at + 1] = new Reply(reply.Type, null, kept);
        return reply with { Items = [reply.Items[0], new Reply(reply.Items[1].Type, null, doc)] };
    }

    private static string Write(Reply reply)
    {
        if (reply.Items is { } items && items.Count > 0 && items.Count % 2 == 0 && Subcommands(reply) is { } subcommands)
        {
            // Sort subcommand pairs by name so the order of a dictionary does not count.
            var pairs = Enumerable.Range(0, subcommands.Count / 2)
                .Where(i => !PepperCacheOnly.Contains(subcommands[2 * i].Text!))
                .Select(i => (subcommands[2 * i].Text!, Write(subcommands[2 * i + 1])))
                .OrderBy(p => p.Item1, StringComparer.Ordinal);
            var rest = new List<string>();
            for (var i = 0; i + 1 < items.Count; i += 2)
            {
                rest.Add(Write(items[i]));
                rest.Add(items[i].Text == "subcommands"
                    ? "{" + string.Join(", ", pairs.Select(p => p.Item1 + ": " + p.Item2)) + "}"
                    : Write(items[i + 1]));
            }

            return reply.Type + "[" + string.Join(", ", rest) + "]";
        }

        return reply.Items is { } list ? reply.Type + "[" + string.Join(", ", list.Select(Write)) + "]" : reply.Type + reply.Text;
    }

    private static Reply Parse(byte[] bytes)
    {
        var position = 0;
        return Read(bytes, ref position);
    }

    private static Reply Read(byte[] bytes, ref int position)
    {
        var type = (char)bytes[position];
        var end = Array.IndexOf(bytes, (byte)'\r', position);
        var line = Encoding.UTF8.GetString(bytes, position + 1, end - position - 1);
        position = end + 2;
        switch (type)
        {
            case '*' or '~' or '%':
                // A RESP3 map's items are its keys and values in turn.
                var items = new List<Reply>();
                var count = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture) * (type == '%' ? 2 : 1);
                for (var i = 0; i < count; i++)
                {
                    items.Add(Read(bytes, ref position));
                }

                return new Reply(type, null, items);
            case '$':
                var length = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                var text = Encoding.UTF8.GetString(bytes, position, length);
                position += length + 2;
                return new Reply('$', text, null);
            default:
                return new Reply(type, line, null);
        }
    }
}
