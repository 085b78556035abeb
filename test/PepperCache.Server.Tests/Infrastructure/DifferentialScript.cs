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

/// <summary>The protocols a differential script is played in.</summary>
[Flags]
public enum Protocols
{
    /// <summary>RESP2, the connection as it opens.</summary>
    Resp2 = 1,

    /// <summary>RESP3: HELLO 3 first on both connections.</summary>
    Resp3 = 2,

    /// <summary>RESP2, then FLUSHALL on both servers, then the same script again in RESP3.</summary>
    Both = Resp2 | Resp3,
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

    /// <summary>
    /// Runs <paramref name="steps"/> on both servers in order, by default twice: in RESP2, then (after FLUSHALL on
    /// both, so the second pass starts from the same keys as the first) in RESP3 on new connections that sent HELLO 3.
    /// Fails at the first step whose replies differ. Both servers always see the same commands, so their states
    /// stay alike whatever the first pass left (configuration, users) and every difference is a real one.
    /// </summary>
    public static async Task RunAsync(System.Net.IPEndPoint redis, System.Net.IPEndPoint pepper, IEnumerable<DifferentialStep> steps, Protocols protocols = Protocols.Both)
    {
        var list = steps.ToList();
        if ((protocols & Protocols.Resp2) != 0)
        {
            await RunPassAsync(redis, pepper, list, resp3: false);
        }

        if ((protocols & Protocols.Resp3) != 0)
        {
            if (protocols == Protocols.Both)
            {
                await RunPassAsync(redis, pepper, Parse("> FLUSHALL"), resp3: false);
            }

            await RunPassAsync(redis, pepper, list, resp3: true);
        }
    }

    private static async Task RunPassAsync(System.Net.IPEndPoint redis, System.Net.IPEndPoint pepper, List<DifferentialStep> steps, bool resp3)
    {
        await using var expected = await RespSocket.ConnectAsync(redis);
        await using var actual = await RespSocket.ConnectAsync(pepper);
        var protocol = resp3 ? "RESP3 " : "";
        if (resp3)
        {
            await SwitchToResp3Async(expected, actual);
        }

        var number = 0;
        foreach (var step in steps)
        {
            number++;
            if (step.Comparison == Comparison.FullScan)
            {
                var want = await FullScanAsync(expected, step.Command);
                var got = await FullScanAsync(actual, step.Command);
                Assert.True(want.SetEquals(got), $"{protocol}step {number}: {step}\nredis: {string.Join(", ", want.Order())}\npepper: {string.Join(", ", got.Order())}");
                continue;
            }

            var redisReply = await expected.CommandAsync(step.Command);
            var pepperReply = await actual.CommandAsync(step.Command);
            Assert.True(Same(step.Comparison, redisReply, pepperReply), $"{protocol}step {number}: {step}\nredis:  {redisReply}\npepper: {pepperReply}");
        }
    }

    public static Task RunAsync(System.Net.IPEndPoint redis, System.Net.IPEndPoint pepper, string script, Protocols protocols = Protocols.Both) =>
        RunAsync(redis, pepper, Parse(script), protocols);

    /// <summary>HELLO 3 on both connections; both must answer the RESP3 map.</summary>
    internal static async Task SwitchToResp3Async(RespSocket redis, RespSocket pepper)
    {
        var want = await redis.CommandAsync("HELLO", "3");
        var got = await pepper.CommandAsync("HELLO", "3");
        Assert.True(want.Kind == '%' && got.Kind == '%', $"HELLO 3\nredis:  {want}\npepper: {got}");
    }

    private static bool Same(Comparison comparison, RespValue expected, RespValue actual)
    {
        // Aggregates of one kind (arrays, RESP3 maps and sets); the count is compared with the elements.
        var aggregates = expected.Items is not null && actual.Items is not null && expected.Kind == actual.Kind;
        return comparison switch
        {
            Comparison.Unordered when aggregates => Elements(expected, 1).SequenceEqual(Elements(actual, 1)),
            // RESP3 nests pairs ([field, value], [member, score]) where RESP2 flattens them: a nested pair is one element.
            Comparison.UnorderedPairs when aggregates => Elements(expected, NestedPairs(expected) ? 1 : 2).SequenceEqual(Elements(actual, NestedPairs(actual) ? 1 : 2)),
            Comparison.Shape when expected.Kind == actual.Kind && expected.Kind is '$' or '*' or '%' or '~' or '_' or ',' or '=' =>
                expected.IsNull == actual.IsNull && expected.Items?.Count == actual.Items?.Count,
            _ => expected.Raw.AsSpan().SequenceEqual(actual.Raw),
        };
    }

    private static bool NestedPairs(RespValue array) =>
        array.Kind == '*' && array.Items!.Count > 0 && array.Items.All(item => item.Kind == '*' && item.Items?.Count == 2);

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
