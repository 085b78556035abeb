using PepperCache.Benchmark;

namespace PepperCache.Benchmark.Tests;

public sealed class OptionsParserTests
{
    [Fact]
    public void Defaults_are_redis_benchmark_like()
    {
        var parsed = OptionsParser.Parse([]);

        var options = Assert.IsType<BenchmarkOptions>(parsed.Options);
        Assert.Equal(0, parsed.ExitCode);
        Assert.Equal(new Target("127.0.0.1:9004", "127.0.0.1", 9004), Assert.Single(options.Targets));
        Assert.Equal([TestKind.Set, TestKind.Get], options.Tests);
        Assert.Equal(50, options.Clients);
        Assert.Equal(100_000, options.Requests);
        Assert.Null(options.Duration);
        Assert.Equal(1, options.Pipeline);
        Assert.Equal(3, options.DataSize);
        Assert.Equal(0, options.Keyspace);
        Assert.Equal(80, options.ReadPercent);
        Assert.False(options.Cluster);
        Assert.Equal(KeyDistribution.Uniform, options.KeyDistribution);
        Assert.Equal(0, options.WarmupRequests);
        Assert.False(options.Simulates);
    }

    [Fact]
    public void Cache_aside_options_are_read()
    {
        var parsed = OptionsParser.Parse([
            "--cache-aside", "-r", "1000000", "--key-distribution", "zipf:0.99", "--warmup-requests", "500000", "-d", "32",
        ]);

        var options = Assert.IsType<BenchmarkOptions>(parsed.Options);
        Assert.Equal([TestKind.CacheAside], options.Tests);
        Assert.Equal(new KeyDistribution(0.99), options.KeyDistribution);
        Assert.Equal(500_000, options.WarmupRequests);
        Assert.Equal(TimeSpan.Zero, options.Warmup);
    }

    [Fact]
    public void Simulation_options_are_read()
    {
        var parsed = OptionsParser.Parse(["--simulate-lru", "100000", "--simulate-lfu", "5000", "-r", "1000000", "--key-distribution", "zipf:0.99"]);

        var options = Assert.IsType<BenchmarkOptions>(parsed.Options);
        Assert.Equal(100_000, options.SimulateLru);
        Assert.Equal(5_000, options.SimulateLfu);
        Assert.True(options.Simulates);
    }

    [Fact]
    public void The_key_distribution_is_read()
    {
        var zipf = OptionsParser.Parse(["-r", "1000000", "--key-distribution", "zipf:0.99"]).Options;
        var upper = OptionsParser.Parse(["-r", "1000000", "--key-distribution", "ZIPF:1.2"]).Options;
        var uniform = OptionsParser.Parse(["--key-distribution", "uniform"]).Options;

        Assert.Equal(new KeyDistribution(0.99), zipf!.KeyDistribution);
        Assert.Equal("zipf:0.99", zipf.KeyDistribution.ToString());
        Assert.Equal(1.2, upper!.KeyDistribution.ZipfExponent);
        Assert.Equal("uniform", uniform!.KeyDistribution.ToString());
    }

    [Theory]
    [InlineData("is not uniform or zipf:S", "--key-distribution", "pareto")]
    [InlineData("is not uniform or zipf:S", "--key-distribution", "zipf")]
    [InlineData("is not uniform or zipf:S", "--key-distribution", "zipf:")]
    [InlineData("is not uniform or zipf:S", "--key-distribution", "zipf:0", "-r", "10")]
    [InlineData("is not uniform or zipf:S", "--key-distribution", "zipf:-1", "-r", "10")]
    [InlineData("is not uniform or zipf:S", "--key-distribution", "zipf:abc", "-r", "10")]
    [InlineData("is not uniform or zipf:S", "--key-distribution", "zipf:11", "-r", "10")]
    [InlineData("zipf:0.99 needs a keyspace (-r N)", "--key-distribution", "zipf:0.99")]
    [InlineData("--cache-aside is a workload of its own: leave out -t", "--cache-aside", "-t", "get")]
    [InlineData("invalid value \"-1\" for flag -warmup-requests: must be 0 or more", "--warmup-requests", "-1")]
    [InlineData("exclude each other", "--warmup", "1", "--warmup-requests", "5")]
    [InlineData("invalid value \"0\" for flag -simulate-lru: must be a positive number", "--simulate-lru", "0", "-r", "10")]
    [InlineData("invalid value \"-3\" for flag -simulate-lfu: must be a positive number", "--simulate-lfu", "-3", "-r", "10")]
    [InlineData("need a keyspace (-r N)", "--simulate-lru", "10")]
    [InlineData("use -n and --warmup-requests", "--simulate-lru", "10", "-r", "100", "--duration", "1")]
    [InlineData("use -n and --warmup-requests", "--simulate-lfu", "10", "-r", "100", "--warmup", "1")]
    public void Bad_workload_options_say_what_is_wrong(string message, params string[] args)
    {
        var parsed = OptionsParser.Parse(args);

        Assert.Null(parsed.Options);
        Assert.Equal(2, parsed.ExitCode);
        Assert.StartsWith("error: ", parsed.Message, StringComparison.Ordinal);
        Assert.Contains(message, parsed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var parsed = OptionsParser.Parse([
            "-h", "localhost", "-p", "6400", "-c", "7", "-n", "1234", "--duration", "2.5", "-P", "16", "-d", "1024",
            "-r", "1000", "-t", "ping,mset,MIXED,del,incr", "--ratio", "9:1", "--cluster", "--warmup", "1", "--seed", "42",
            "--rounds", "3", "--timeout", "5", "--json", "out.json", "--csv", "--plot", "out.svg", "-q",
        ]);

        var options = Assert.IsType<BenchmarkOptions>(parsed.Options);
        Assert.Equal(new Target("localhost:6400", "localhost", 6400), Assert.Single(options.Targets));
        Assert.Equal(7, options.Clients);
        Assert.Equal(1234, options.Requests);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Duration);
        Assert.Equal(16, options.Pipeline);
        Assert.Equal(1024, options.DataSize);
        Assert.Equal(1000, options.Keyspace);
        Assert.Equal([TestKind.Ping, TestKind.Mset, TestKind.Mixed, TestKind.Del, TestKind.Incr], options.Tests);
        Assert.Equal(90, options.ReadPercent);
        Assert.True(options.Cluster);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Warmup);
        Assert.Equal(42, options.Seed);
        Assert.Equal(3, options.Rounds);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
        Assert.Equal("out.json", options.JsonFile);
        Assert.True(options.Csv);
        Assert.Equal("out.svg", options.PlotFile);
        Assert.True(options.Quiet);
    }

    [Fact]
    public void Long_names_and_both_dash_forms_are_read_as_the_letters_are()
    {
        var parsed = OptionsParser.Parse([
            "-node", "localhost", "--port=6400", "-clients", "7", "--requests", "1234", "-pipeline=16", "--data-size", "1024",
            "-keyspace", "1000", "--tests=ping,get", "-cluster", "--quiet=true", "-csv=false",
        ]);

        var options = Assert.IsType<BenchmarkOptions>(parsed.Options);
        Assert.Equal(new Target("localhost:6400", "localhost", 6400), Assert.Single(options.Targets));
        Assert.Equal((7, 1234L, 16, 1024, 1000L), (options.Clients, options.Requests, options.Pipeline, options.DataSize, options.Keyspace));
        Assert.Equal([TestKind.Ping, TestKind.Get], options.Tests);
        Assert.True(options.Cluster);
        Assert.True(options.Quiet);
        Assert.False(options.Csv);
    }

    [Fact]
    public void Targets_are_named_and_kept_in_order()
    {
        var parsed = OptionsParser.Parse(["--target", "pepper=127.0.0.1:9004", "--target", "redis=localhost:6379", "-p", "1"]);

        var options = Assert.IsType<BenchmarkOptions>(parsed.Options);
        Assert.Equal([new Target("pepper", "127.0.0.1", 9004), new Target("redis", "localhost", 6379)], options.Targets);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-c", "0")]
    [InlineData("-c", "many")]
    [InlineData("-n", "-5")]
    [InlineData("-P", "0")]
    [InlineData("-d", "-1")]
    [InlineData("-r", "-1")]
    [InlineData("-p", "70000")]
    [InlineData("-t", "get,flushall")]
    [InlineData("-t", ",")]
    [InlineData("--ratio", "80")]
    [InlineData("--ratio", "0:0")]
    [InlineData("--ratio", "a:b")]
    [InlineData("--duration", "0")]
    [InlineData("--warmup", "-1")]
    [InlineData("--rounds", "0")]
    [InlineData("--timeout", "0")]
    [InlineData("--target", "nohostport")]
    [InlineData("--target", "a=host:notaport")]
    [InlineData("--target", "a=h:1", "--target", "a=h:2")]
    [InlineData("-c")]
    [InlineData("-?")]
    [InlineData("stray")]
    [InlineData("--cluster=maybe")]
    public void Bad_arguments_are_a_usage_error_with_exit_code_2(params string[] args)
    {
        var parsed = OptionsParser.Parse(args);

        Assert.Null(parsed.Options);
        Assert.Equal(2, parsed.ExitCode);
        Assert.True(parsed.MessageIsError);
        // One line, as the server's and pepper-cli's: "error: <what> (see --help)".
        Assert.Matches(@"^error: [^\n]+ \(see --help\)$", parsed.Message);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "error: flag provided but not defined: -bogus (see --help)")]
    [InlineData(new[] { "-c" }, "error: flag needs an argument: -c (see --help)")]
    [InlineData(new[] { "-c", "many" }, "error: invalid value \"many\" for flag -c: parse error (see --help)")]
    [InlineData(new[] { "--clients", "0" }, "error: invalid value \"0\" for flag -clients: must be a positive number up to 10000 (see --help)")]
    [InlineData(new[] { "-p", "70000" }, "error: invalid value \"70000\" for flag -p: must be a port number 1-65535 (see --help)")]
    [InlineData(new[] { "-t", "get,flushall" }, "error: invalid value \"get,flushall\" for flag -t: unknown test 'flushall' (known: ping,set,get,incr,mset,del,mixed) (see --help)")]
    [InlineData(new[] { "--target", "a=h:1", "--target", "a=h:2" }, "error: invalid value \"a=h:2\" for flag -target: the name 'a' is given twice (see --help)")]
    [InlineData(new[] { "stray" }, "error: unexpected argument 'stray' (see --help)")]
    public void Usage_errors_read_as_the_other_tools_do(string[] args, string expected)
    {
        Assert.Equal(expected, OptionsParser.Parse(args).Message);
    }

    [Fact]
    public async Task Bad_arguments_exit_2_from_the_program_and_print_to_stderr()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await BenchmarkApp.RunAsync(["-t", "nosuchtest"], output, error);

        Assert.Equal(2, exit);
        Assert.Equal("", output.ToString());
        Assert.Contains("unknown test 'nosuchtest'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_goes_to_stdout_with_exit_0_and_keeps_h_for_the_host()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await BenchmarkApp.RunAsync(["--help"], output, error);

        Assert.Equal(0, exit);
        var lines = output.ToString().Split('\n');
        // Go's flag.PrintDefaults layout, as the server and pepper-cli print theirs.
        Assert.Equal("Usage of pepper-benchmark:", lines[0]);
        Assert.Contains("  -node string (or -h)", lines);
        Assert.Contains("    \tserver host (ignored when -target is given) (default \"127.0.0.1\")", lines);
        Assert.Contains("  -pipeline int (or -P)", lines);
        Assert.Contains("  -cluster", lines);
        Assert.Contains("  -target name=host:port", lines);
        Assert.Equal("", error.ToString());
    }

    [Theory]
    [InlineData("-help")]
    [InlineData("--help")]
    public void Help_is_help_in_either_dash_form(string flag)
    {
        var parsed = OptionsParser.Parse(["-c", "5", flag]);

        Assert.Equal(0, parsed.ExitCode);
        Assert.False(parsed.MessageIsError);
        Assert.Equal(OptionsParser.Usage(), parsed.Message);
    }

    [Fact]
    public void The_usage_lists_every_flag_sorted_by_name()
    {
        var names = OptionsParser.Flags.Select(f => f.Name).ToList();

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.All(names, name => Assert.Contains($"\n  -{name}", OptionsParser.Usage(), StringComparison.Ordinal));
    }
}
