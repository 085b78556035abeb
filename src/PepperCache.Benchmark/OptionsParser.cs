using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace PepperCache.Benchmark;

/// <summary>The outcome of reading the command line: options to run with, or an exit code and what to print.</summary>
internal sealed record ParsedCommandLine(BenchmarkOptions? Options, int ExitCode, string? Message, bool MessageIsError);

/// <summary>
/// Command-line options in redis-benchmark's spirit (-h -p -c -n -P -d -r -t -q). A usage error (unknown option,
/// bad value) exits with 2, as getopt-style tools do; --help prints usage and exits with 0.
/// </summary>
internal static class OptionsParser
{
    public const int UsageExitCode = 2;

    private static readonly string[] TestNames = ["ping", "set", "get", "incr", "mset", "del", "mixed"];

    public static ParsedCommandLine Parse(IReadOnlyList<string> args)
    {
        var node = new Option<string>("--node", "-h") { Description = "Server host (ignored when --target is given)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Server port", DefaultValueFactory = _ => 9004 };
        var clients = new Option<int>("--clients", "-c") { Description = "Parallel connections", DefaultValueFactory = _ => 50 };
        var requests = new Option<long>("--requests", "-n") { Description = "Requests per test", DefaultValueFactory = _ => 100_000 };
        var duration = new Option<double?>("--duration") { Description = "Run each test for this many seconds instead of -n" };
        var pipeline = new Option<int>("--pipeline", "-P") { Description = "Requests per round trip on each connection", DefaultValueFactory = _ => 1 };
        var dataSize = new Option<int>("--data-size", "-d") { Description = "Value size in bytes for SET/MSET", DefaultValueFactory = _ => 3 };
        var keyspace = new Option<long>("--keyspace", "-r") { Description = "Use random keys in [0, N); 0 means one fixed key", DefaultValueFactory = _ => 0 };
        var tests = new Option<string>("--tests", "-t") { Description = "Comma-separated: " + string.Join(',', TestNames), DefaultValueFactory = _ => "set,get" };
        var ratio = new Option<string>("--ratio") { Description = "GET:SET ratio of the mixed test", DefaultValueFactory = _ => "80:20" };
        var cluster = new Option<bool>("--cluster") { Description = "Route each key to the node owning its slot (CLUSTER SLOTS, follows MOVED)" };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured load before each test", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same key sequence)", DefaultValueFactory = _ => 1 };
        var target = new Option<string[]>("--target") { Description = "name=host:port; repeat to compare servers (the first is the baseline)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var rounds = new Option<int>("--rounds") { Description = "Runs per test and target, alternating targets; medians are reported", DefaultValueFactory = _ => 1 };
        var timeout = new Option<double>("--timeout") { Description = "Fail a test when no reply arrives for this many seconds", DefaultValueFactory = _ => 30 };
        var json = new Option<string?>("--json") { Description = "Write results as JSON to FILE", HelpName = "FILE" };
        var csv = new Option<bool>("--csv") { Description = "Print results as CSV instead of a table" };
        var plot = new Option<string?>("--plot") { Description = "Write a latency percentile plot (SVG) to FILE", HelpName = "FILE" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No live progress" };
        var keyDistribution = new Option<string>("--key-distribution") { Description = "How keys are drawn from -r: uniform or zipf:S (rank k with weight 1/k^S)", HelpName = "uniform|zipf:S", DefaultValueFactory = _ => "uniform" };
        var cacheAside = new Option<bool>("--cache-aside") { Description = "Instead of -t: GET a key, on a miss SET it; -n counts GETs; reports the hit ratio" };
        var warmupRequests = new Option<long>("--warmup-requests") { Description = "Unmeasured requests before each test (instead of --warmup seconds)", HelpName = "N", DefaultValueFactory = _ => 0 };
        var simulateLru = new Option<long?>("--simulate-lru") { Description = "No server: replay the cache-aside trace through an exact LRU of N keys", HelpName = "N" };
        var simulateLfu = new Option<long?>("--simulate-lfu") { Description = "No server: replay the cache-aside trace through an exact LFU of N keys", HelpName = "N" };

        var root = new RootCommand("pepper-benchmark: measure any RESP server (PepperCache, Redis, ...) under the same load");
        // -h is the host, as in redis-benchmark; help stays on --help and -?.
        foreach (var existing in root.Options.OfType<HelpOption>().ToList())
        {
            root.Options.Remove(existing);
        }

        root.Options.Add(new HelpOption("--help", "-?"));
        foreach (var option in new Option[] { node, port, clients, requests, duration, pipeline, dataSize, keyspace, tests, ratio, cluster, warmup, seed, target, rounds, timeout, json, csv, plot, quiet, keyDistribution, cacheAside, warmupRequests, simulateLru, simulateLfu })
        {
            root.Options.Add(option);
        }

        var result = root.Parse(args);
        if (args.Any(a => a is "--help" or "-?"))
        {
            using var help = new StringWriter(CultureInfo.InvariantCulture);
            result.InvokeAsync(new InvocationConfiguration { Output = help }).GetAwaiter().GetResult();
            return new ParsedCommandLine(null, 0, help.ToString(), false);
        }

        if (result.Errors.Count > 0)
        {
            return Usage(string.Join(Environment.NewLine, result.Errors.Select(e => e.Message)));
        }

        try
        {
            var options = new BenchmarkOptions
            {
                Targets = ParseTargets(result.GetValue(target), result.GetValue(node)!, result.GetValue(port)),
                Tests = result.GetValue(cacheAside) ? CacheAsideOnly(result.GetResult(tests)) : ParseTests(result.GetValue(tests)!),
                Clients = Positive(result.GetValue(clients), "-c", 10_000),
                Requests = Positive(result.GetValue(requests), "-n"),
                Duration = result.GetValue(duration) is { } seconds ? Seconds(seconds, "--duration", allowZero: false) : null,
                Pipeline = Positive(result.GetValue(pipeline), "-P", 100_000),
                DataSize = NonNegative(result.GetValue(dataSize), "-d", 512 * 1024 * 1024),
                Keyspace = NonNegative(result.GetValue(keyspace), "-r", long.MaxValue),
                ReadPercent = ParseRatio(result.GetValue(ratio)!),
                Cluster = result.GetValue(cluster),
                Warmup = Seconds(result.GetValue(warmup), "--warmup", allowZero: true),
                Seed = result.GetValue(seed),
                Rounds = Positive(result.GetValue(rounds), "--rounds", 1000),
                Timeout = Seconds(result.GetValue(timeout), "--timeout", allowZero: false),
                JsonFile = result.GetValue(json),
                Csv = result.GetValue(csv),
                PlotFile = result.GetValue(plot),
                Quiet = result.GetValue(quiet),
                KeyDistribution = KeyDistribution.Parse(result.GetValue(keyDistribution)!),
                WarmupRequests = NonNegative(result.GetValue(warmupRequests), "--warmup-requests", long.MaxValue),
                SimulateLru = result.GetValue(simulateLru) is { } lru ? Positive(lru, "--simulate-lru", 100_000_000L) : null,
                SimulateLfu = result.GetValue(simulateLfu) is { } lfu ? Positive(lfu, "--simulate-lfu", 100_000_000L) : null,
            }.Validate();
            return new ParsedCommandLine(options, 0, null, false);
        }
        catch (FormatException e)
        {
            return Usage(e.Message);
        }
    }

    private static ParsedCommandLine Usage(string message) =>
        new(null, UsageExitCode, $"error: {message}{Environment.NewLine}Usage: pepper-benchmark [options] (see --help)", true);

    private static List<Target> ParseTargets(string[]? specs, string host, int port)
    {
        if (specs is null || specs.Length == 0)
        {
            CheckPort(port, "-p");
            return [new Target($"{host}:{port}", host, port)];
        }

        var targets = new List<Target>();
        foreach (var spec in specs)
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? spec[..equals] : spec;
            var endPoint = equals > 0 ? spec[(equals + 1)..] : spec;
            var colon = endPoint.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(endPoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var targetPort))
            {
                throw new FormatException($"--target '{spec}' is not name=host:port");
            }

            CheckPort(targetPort, $"--target '{spec}'");
            if (targets.Any(t => t.Name == name))
            {
                throw new FormatException($"--target name '{name}' is given twice");
            }

            targets.Add(new Target(name, endPoint[..colon], targetPort));
        }

        return targets;
    }

    private static void CheckPort(int port, string what)
    {
        if (port is < 1 or > 65535)
        {
            throw new FormatException($"{what}: port must be 1-65535 (got {port})");
        }
    }

    internal static List<TestKind> ParseTests(string text)
    {
        var tests = new List<TestKind>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = Array.IndexOf(TestNames, name.ToLowerInvariant());
            if (index < 0)
            {
                throw new FormatException($"-t: unknown test '{name}' (known: {string.Join(',', TestNames)})");
            }

            if (!tests.Contains((TestKind)index))
            {
                tests.Add((TestKind)index);
            }
        }

        return tests.Count > 0 ? tests : throw new FormatException("-t: no tests given");
    }

    private static List<TestKind> CacheAsideOnly(System.CommandLine.Parsing.OptionResult? tests) =>
        tests is null || tests.Implicit ? [TestKind.CacheAside] : throw new FormatException("--cache-aside is a workload of its own: leave out -t");

    internal static int ParseRatio(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var reads)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var writes)
            && reads + writes > 0 && reads <= 1_000_000 && writes <= 1_000_000)
        {
            return (int)Math.Round(100.0 * reads / (reads + writes));
        }

        throw new FormatException($"--ratio '{text}' is not GETS:SETS (e.g. 80:20)");
    }

    private static T Positive<T>(T value, string name, T? max = null)
        where T : struct, System.Numerics.INumber<T> =>
        value > T.Zero && (max is null || value <= max.Value)
            ? value
            : throw new FormatException($"{name} must be a positive number{(max is null ? "" : $" up to {max}")} (got {value})");

    private static T NonNegative<T>(T value, string name, T max)
        where T : struct, System.Numerics.INumber<T> =>
        value >= T.Zero && value <= max ? value : throw new FormatException($"{name} must be between 0 and {max} (got {value})");

    private static TimeSpan Seconds(double value, string name, bool allowZero) =>
        double.IsFinite(value) && (value > 0 || (allowZero && value == 0)) && value <= 86_400
            ? TimeSpan.FromSeconds(value)
            : throw new FormatException($"{name} must be {(allowZero ? "0 or more" : "more than 0")} seconds, at most 86400 (got {value})");
}
