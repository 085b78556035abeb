using System.Globalization;
using System.Text;

namespace PepperCache.Benchmark;

/// <summary>The outcome of reading the command line: options to run with, or an exit code and what to print.</summary>
internal sealed record ParsedCommandLine(BenchmarkOptions? Options, int ExitCode, string? Message, bool MessageIsError);

/// <summary>
/// pepper-benchmark's flags, in the style of the server's and pepper-cli's (the original Go tool's): <c>-clients 50</c>,
/// <c>--clients 50</c> or <c>--clients=50</c>, with redis-benchmark's letters as short forms (<c>-c 50</c>; <c>-h</c>
/// is the host, so help is <c>-help</c>). Usage errors are one line on stderr, <c>error: ... (see --help)</c>, and exit 2.
/// </summary>
internal static class OptionsParser
{
    public const int UsageExitCode = 2;

    private static readonly string[] TestNames = ["ping", "set", "get", "incr", "mset", "del", "mixed"];

    /// <summary>Every flag, sorted by name as Go's <c>flag.PrintDefaults</c> lists them (and the server's usage does).</summary>
    internal static readonly Flag[] Flags =
    [
        new("cache-aside", null, "", "instead of -tests: GET a key, on a miss SET it; -requests counts GETs; reports the hit ratio", null),
        new("clients", "c", "int", "parallel connections", "50"),
        new("cluster", null, "", "route each key to the node that owns its slot (CLUSTER SLOTS; follows MOVED and ASK)", null),
        new("csv", null, "", "print the results as CSV instead of a table", null),
        new("data-size", "d", "int", "value size in bytes for SET and MSET", "3"),
        new("duration", null, "float", "run each test for this many seconds instead of -requests", null),
        new("json", null, "file", "write the results (and the options) as JSON to file", null),
        new("key-distribution", null, "uniform|zipf:S", "how keys are drawn from -keyspace: uniform, or zipf:S (rank k with weight 1/k^S)", "\"uniform\""),
        new("keyspace", "r", "int", "random keys in [0, N); 0 means one fixed key", null),
        new("node", "h", "string", "server host (ignored when -target is given)", "\"127.0.0.1\""),
        new("pipeline", "P", "int", "requests per round trip on each connection", "1"),
        new("plot", null, "file", "write a latency percentile plot (SVG) to file", null),
        new("port", "p", "int", "server port", "9004"),
        new("quiet", "q", "", "no live progress", null),
        new("ratio", null, "string", "GETS:SETS ratio of the mixed test", "\"80:20\""),
        new("requests", "n", "int", "requests per test", "100000"),
        new("rounds", null, "int", "runs per test and target, alternating targets; medians are reported", "1"),
        new("seed", null, "int", "random seed (the same seed draws the same keys)", "1"),
        new("simulate-lfu", null, "int", "no server: replay the cache-aside trace through an exact LFU of N keys", null),
        new("simulate-lru", null, "int", "no server: replay the cache-aside trace through an exact LRU of N keys", null),
        new("target", null, "name=host:port", "a server to measure; repeat to compare servers (the first is the baseline)", null),
        new("tests", "t", "string", "comma-separated: " + string.Join(',', TestNames), "\"set,get\""),
        new("timeout", null, "float", "fail a test when no reply arrives for this many seconds", "30"),
        new("warmup", null, "float", "seconds of unmeasured load before each test", null),
        new("warmup-requests", null, "int", "unmeasured requests before each test (instead of -warmup seconds)", null),
    ];

    public static ParsedCommandLine Parse(IReadOnlyList<string> args)
    {
        Dictionary<string, (string Written, List<string> Values)> given;
        try
        {
            given = Read(args);
        }
        catch (FormatException e)
        {
            return Error(e.Message);
        }

        if (given.ContainsKey("help"))
        {
            return new ParsedCommandLine(null, 0, Usage(), false);
        }

        try
        {
            var reader = new Values(given);
            var options = new BenchmarkOptions
            {
                Targets = ParseTargets(reader, reader.Text("node", "127.0.0.1"), reader.Int("port", 9004, 1, 65535, "a port number 1-65535")),
                Tests = reader.Bool("cache-aside") ? CacheAsideOnly(reader) : reader.Get("tests", "set,get", ParseTests),
                Clients = reader.Int("clients", 50, 1, 10_000, "a positive number up to 10000"),
                Requests = reader.Long("requests", 100_000, 1, long.MaxValue, "a positive number"),
                Duration = reader.Has("duration") ? reader.Seconds("duration", 0, allowZero: false) : null,
                Pipeline = reader.Int("pipeline", 1, 1, 100_000, "a positive number up to 100000"),
                DataSize = reader.Int("data-size", 3, 0, 512 * 1024 * 1024, "between 0 and 536870912"),
                Keyspace = reader.Long("keyspace", 0, 0, long.MaxValue, "0 or more"),
                ReadPercent = reader.Get("ratio", "80:20", ParseRatio),
                Cluster = reader.Bool("cluster"),
                Warmup = reader.Seconds("warmup", 0, allowZero: true),
                Seed = reader.Int("seed", 1, int.MinValue, int.MaxValue, "a whole number"),
                Rounds = reader.Int("rounds", 1, 1, 1000, "a positive number up to 1000"),
                Timeout = reader.Seconds("timeout", 30, allowZero: false),
                JsonFile = reader.Has("json") ? reader.Text("json", "") : null,
                Csv = reader.Bool("csv"),
                PlotFile = reader.Has("plot") ? reader.Text("plot", "") : null,
                Quiet = reader.Bool("quiet"),
                KeyDistribution = reader.Get("key-distribution", "uniform", KeyDistribution.Parse),
                WarmupRequests = reader.Long("warmup-requests", 0, 0, long.MaxValue, "0 or more"),
                SimulateLru = reader.Has("simulate-lru") ? reader.Long("simulate-lru", 0, 1, 100_000_000L, "a positive number up to 100000000") : null,
                SimulateLfu = reader.Has("simulate-lfu") ? reader.Long("simulate-lfu", 0, 1, 100_000_000L, "a positive number up to 100000000") : null,
            }.Validate();
            return new ParsedCommandLine(options, 0, null, false);
        }
        catch (FormatException e)
        {
            return Error(e.Message);
        }
    }

    /// <summary>The usage text in the layout of Go's <c>flag.PrintDefaults</c>, as the server and pepper-cli print theirs.</summary>
    public static string Usage()
    {
        var text = new StringBuilder("Usage of pepper-benchmark:\n  pepper-benchmark [flags]\n\n");
        foreach (var flag in Flags)
        {
            text.Append("  -").Append(flag.Name);
            if (flag.Type.Length > 0)
            {
                // As Go: a boolean flag shows no type.
                text.Append(' ').Append(flag.Type);
            }

            if (flag.Short is not null)
            {
                text.Append(" (or -").Append(flag.Short).Append(')');
            }

            text.Append("\n    \t").Append(flag.Help);
            if (flag.Default is not null)
            {
                text.Append(" (default ").Append(flag.Default).Append(')');
            }

            text.Append('\n');
        }

        text.Append("\nFlags may be written -clients 50, --clients 50, --clients=50 or -c 50. -h is the host, as in\n");
        text.Append("redis-benchmark; help is -help. The exit code is 2 for a bad flag and 1 when a target is down or\n");
        text.Append("stops answering.\n");
        return text.ToString();
    }

    private static ParsedCommandLine Error(string message) =>
        new(null, UsageExitCode, $"error: {message} (see --help)", true);

    /// <summary>Reads the flags into name -> (the form written, values); "help" when help was asked for.</summary>
    private static Dictionary<string, (string Written, List<string> Values)> Read(IReadOnlyList<string> args)
    {
        var given = new Dictionary<string, (string, List<string>)>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg is "-" or "--")
            {
                throw new FormatException($"unexpected argument '{arg}'");
            }

            var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            string? value = null;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = body[(equals + 1)..];
                body = body[..equals];
            }

            if (body == "help")
            {
                given["help"] = ("-help", []);
                return given;
            }

            var flag = Array.Find(Flags, f => f.Name == body || f.Short == body)
                       ?? throw new FormatException($"flag provided but not defined: -{body}");
            if (flag.Type.Length == 0)
            {
                // As Go's boolean flags: -cluster alone means true; -cluster=false is allowed.
                value ??= "true";
                if (!bool.TryParse(value, out _))
                {
                    throw new FormatException($"invalid boolean value \"{value}\" for -{body}: parse error");
                }
            }
            else if (value is null)
            {
                value = i + 1 < args.Count ? args[++i] : throw new FormatException($"flag needs an argument: -{body}");
            }

            if (given.TryGetValue(flag.Name, out var existing))
            {
                // -target repeats; any other flag given twice takes the last value, as in Go.
                existing.Item2.Add(value);
                given[flag.Name] = ("-" + body, existing.Item2);
            }
            else
            {
                given[flag.Name] = ("-" + body, [value]);
            }
        }

        return given;
    }

    private static List<Target> ParseTargets(Values reader, string host, int port)
    {
        if (!reader.Has("target"))
        {
            return [new Target($"{host}:{port}", host, port)];
        }

        var targets = new List<Target>();
        foreach (var spec in reader.All("target"))
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? spec[..equals] : spec;
            var endPoint = equals > 0 ? spec[(equals + 1)..] : spec;
            var colon = endPoint.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(endPoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var targetPort))
            {
                throw reader.Invalid("target", spec, "not name=host:port");
            }

            if (targetPort is < 1 or > 65535)
            {
                throw reader.Invalid("target", spec, "the port must be 1-65535");
            }

            if (targets.Any(t => t.Name == name))
            {
                throw reader.Invalid("target", spec, $"the name '{name}' is given twice");
            }

            targets.Add(new Target(name, endPoint[..colon], targetPort));
        }

        return targets;
    }

    private static List<TestKind> CacheAsideOnly(Values reader) =>
        reader.Has("tests") ? throw new FormatException("--cache-aside is a workload of its own: leave out -t") : [TestKind.CacheAside];

    private static List<TestKind> ParseTests(string text)
    {
        var tests = new List<TestKind>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = Array.IndexOf(TestNames, name.ToLowerInvariant());
            if (index < 0)
            {
                throw new FormatException($"unknown test '{name}' (known: {string.Join(',', TestNames)})");
            }

            if (!tests.Contains((TestKind)index))
            {
                tests.Add((TestKind)index);
            }
        }

        return tests.Count > 0 ? tests : throw new FormatException("no tests given");
    }

    private static int ParseRatio(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var reads)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var writes)
            && reads + writes > 0 && reads <= 1_000_000 && writes <= 1_000_000)
        {
            return (int)Math.Round(100.0 * reads / (reads + writes));
        }

        throw new FormatException("not GETS:SETS (e.g. 80:20)");
    }

    /// <summary>
    /// A flag: its name, redis-benchmark's letter for it, the type shown in the usage ("" for a boolean), and the
    /// default shown (null, as Go omits a zero value, when there is none to show).
    /// </summary>
    internal sealed record Flag(string Name, string? Short, string Type, string Help, string? Default);

    /// <summary>The values given, read and checked one flag at a time; errors name the flag as it was written.</summary>
    private sealed class Values(Dictionary<string, (string Written, List<string> Values)> given)
    {
        public bool Has(string name) => given.ContainsKey(name);

        public List<string> All(string name) => given[name].Values;

        public string Text(string name, string fallback) => given.TryGetValue(name, out var g) ? g.Values[^1] : fallback;

        public bool Bool(string name) => given.TryGetValue(name, out var g) && bool.Parse(g.Values[^1]);

        /// <summary>Parses the flag's last value with <paramref name="parse"/>, whose FormatException gives the reason.</summary>
        public T Get<T>(string name, string fallback, Func<string, T> parse)
        {
            var text = Text(name, fallback);
            try
            {
                return parse(text);
            }
            catch (FormatException e)
            {
                throw Invalid(name, text, e.Message);
            }
        }

        public int Int(string name, int fallback, int min, int max, string expected) =>
            (int)Long(name, fallback, min, max, expected);

        public long Long(string name, long fallback, long min, long max, string expected)
        {
            if (!given.TryGetValue(name, out var g))
            {
                return fallback;
            }

            var text = g.Values[^1];
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw Invalid(name, text, "parse error");
            }

            return value >= min && value <= max ? value : throw Invalid(name, text, "must be " + expected);
        }

        public TimeSpan Seconds(string name, double fallback, bool allowZero)
        {
            var text = Text(name, fallback.ToString(CultureInfo.InvariantCulture));
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            {
                throw Invalid(name, text, "parse error");
            }

            return double.IsFinite(seconds) && (seconds > 0 || (allowZero && seconds == 0)) && seconds <= 86_400
                ? TimeSpan.FromSeconds(seconds)
                : throw Invalid(name, text, $"must be {(allowZero ? "0 or more" : "more than 0")} seconds, at most 86400");
        }

        public FormatException Invalid(string name, string value, string reason) =>
            new($"invalid value \"{value}\" for flag {(given.TryGetValue(name, out var g) ? g.Written : "-" + name)}: {reason}");
    }
}
