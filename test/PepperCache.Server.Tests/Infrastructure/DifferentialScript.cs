using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>How a step's replies from Redis and from PepperCache are compared.</summary>
public enum Comparison
{
    /// <summary>Byte for byte.</summary>
    Exact,

    /// <summary>Arrays holding the same elements in any order (HKEYS, HVALS of a hashtable).</summary>
    Unordered,

    /// <summary>Flat field/value arrays holding the same pairs in any order (HGETALL of a hashtable).</summary>
    UnorderedPairs,

    /// <summary>Replies of random content: the same error, or the same kind and element count.</summary>
    Shape,

    /// <summary>A whole HSCAN or SSCAN iteration (cursor 0 until 0) on each server: the same set of pairs or members.</summary>
    FullScan,
}

/// <summary>One command of a differential script.</summary>
public sealed record DifferentialStep(Comparison Comparison, List<byte[]> Command)
{
    public override string ToString() => Comparison + " " + string.Join(' ', Command.Select(a => RespValue.Show(a.Length > 40 ? a[..40] : a)));
}

/// <summary>
/// Runs the same commands against a real Redis and a PepperCache node over raw sockets and compares the replies.
/// Script lines (blank lines and <c>#</c> comments skipped; arguments as <see cref="RespTranscript"/> splits them):
/// <c>&gt;</c> exact, <c>~</c> unordered, <c>~~</c> unordered pairs, <c>?</c> same shape, <c>%</c> full HSCAN.
/// </summary>
public static class DifferentialScript
{
    public static List<DifferentialStep> Parse(string script)
    {
        var steps = new List<DifferentialStep>();
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var (comparison, rest) = line switch
            {
                _ when line.StartsWith("~~", StringComparison.Ordinal) => (Comparison.UnorderedPairs, line[2..]),
                _ when line[0] == '~' => (Comparison.Unordered, line[1..]),
                _ when line[0] == '>' => (Comparison.Exact, line[1..]),
                _ when line[0] == '?' => (Comparison.Shape, line[1..]),
                _ when line[0] == '%' => (Comparison.FullScan, line[1..]),
                _ => throw new FormatException($"A script line starts with >, ~, ~~, ? or %: {line}"),
            };
            steps.Add(new DifferentialStep(comparison, RespTranscript.Tokenize(rest)));
        }

        return steps;
    }

    /// <summary>Runs <paramref name="steps"/> on both servers in order; fails at the first step whose replies differ.</summary>
    public static async Task RunAsync(System.Net.IPEndPoint redis, System.Net.IPEndPoint pepper, IEnumerable<DifferentialStep> steps)
    {
        await using var expected = await RespSocket.ConnectAsync(redis);
        await using var actual = await RespSocket.ConnectAsync(pepper);
        var number = 0;
        foreach (var step in steps)
        {
            number++;
            if (step.Comparison == Comparison.FullScan)
            {
                var want = await FullScanAsync(expected, step.Command);
                var got = await FullScanAsync(actual, step.Command);
                Assert.True(want.SetEquals(got), $"step {number}: {step}\nredis: {string.Join(", ", want.Order())}\npepper: {string.Join(", ", got.Order())}");
                continue;
            }

            var redisReply = await expected.CommandAsync(step.Command);
            var pepperReply = await actual.CommandAsync(step.Command);
            Assert.True(Same(step.Comparison, redisReply, pepperReply), $"step {number}: {step}\nredis:  {redisReply}\npepper: {pepperReply}");
        }
    }

    public static Task RunAsync(System.Net.IPEndPoint redis, System.Net.IPEndPoint pepper, string script) =>
        RunAsync(redis, pepper, Parse(script));

    private static bool Same(Comparison comparison, RespValue expected, RespValue actual)
    {
        var arrays = expected.Items is not null && actual.Items is not null;
        return comparison switch
        {
            Comparison.Unordered when arrays => Elements(expected, 1).SequenceEqual(Elements(actual, 1)),
            Comparison.UnorderedPairs when arrays => Elements(expected, 2).SequenceEqual(Elements(actual, 2)),
            Comparison.Shape when expected.Kind == actual.Kind && expected.Kind is '$' or '*' =>
                expected.IsNull == actual.IsNull && expected.Items?.Count == actual.Items?.Count,
            _ => expected.Raw.AsSpan().SequenceEqual(actual.Raw),
        };
    }

    /// <summary>The elements (or groups of <paramref name="size"/>) as sorted text, for order-free comparison.</summary>
    private static List<string> Elements(RespValue array, int size) =>
        array.Items!.Chunk(size).Select(group => string.Concat(group.Select(item => Convert.ToHexString(item.Raw) + ";"))).Order(StringComparer.Ordinal).ToList();

    private static async Task<HashSet<string>> FullScanAsync(RespSocket socket, List<byte[]> command)
    {
        var pairs = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0"u8.ToArray();
        for (var calls = 0; calls < 1_000_000; calls++)
        {
            var arguments = new List<byte[]>(command);
            arguments.Insert(2, cursor);
            var reply = await socket.CommandAsync(arguments);
            if (reply.IsError)
            {
                pairs.Add("error: " + reply.Text);
                return pairs;
            }

            var items = reply.Items![1].Items!;
            if (System.Text.Ascii.EqualsIgnoreCase(command[0], "SSCAN"u8))
            {
                // SSCAN answers members, not field/value pairs.
                items.ForEach(item => pairs.Add(Convert.ToHexString(item.Bulk!)));
            }
            else
            {
                for (var i = 0; i + 1 < items.Count; i += 2)
                {
                    pairs.Add(Convert.ToHexString(items[i].Bulk!) + "=" + Convert.ToHexString(items[i + 1].Bulk!));
                }
            }

            cursor = reply.Items[0].Bulk!;
            if (Encoding.ASCII.GetString(cursor) == "0")
            {
                return pairs;
            }
        }

        throw new InvalidOperationException("HSCAN did not end within a million calls.");
    }
}
