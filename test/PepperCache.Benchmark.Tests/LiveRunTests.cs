using System.Net;
using System.Net.Sockets;
using PepperCache.Benchmark;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Benchmark.Tests;

/// <summary>Short, bounded runs (a few thousand requests) against a live PepperCache node and a real redis-server.</summary>
public sealed class LiveRunTests(PepperCacheNode node, RedisServerProcess redis)
    : IClassFixture<PepperCacheNode>, IClassFixture<RedisServerProcess>
{
    private static readonly TestKind[] AllTests = [TestKind.Ping, TestKind.Set, TestKind.Get, TestKind.Incr, TestKind.Mset, TestKind.Del, TestKind.Mixed];

    [Fact]
    public async Task Counts_add_up_against_a_PepperCache_node() =>
        AssertCountsAddUp(await BenchmarkApp.RunAllAsync(Options(new Target("pepper", "127.0.0.1", node.Port)), null), "pepper");

    [Fact]
    public async Task Counts_add_up_against_redis_server() =>
        AssertCountsAddUp(await BenchmarkApp.RunAllAsync(Options(new Target("redis", "127.0.0.1", redis.Port)), null), "redis");

    [Fact]
    public async Task Compare_mode_alternates_targets_and_writes_well_formed_files()
    {
        var directory = Directory.CreateTempSubdirectory("pepper-benchmark-test");
        try
        {
            var json = Path.Combine(directory.FullName, "r.json");
            var svg = Path.Combine(directory.FullName, "r.svg");
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = await BenchmarkApp.RunAsync(
                ["--target", $"pepper=127.0.0.1:{node.Port}", "--target", $"redis=127.0.0.1:{redis.Port}", "-t", "set,get",
                 "-n", "1500", "-c", "3", "-P", "8", "-r", "300", "--rounds", "2", "--csv", "--json", json, "--plot", svg],
                output, error);

            Assert.True(exit == 0, error.ToString());
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(CsvReport.Header, lines[0]);
            Assert.Equal(["SET,pepper", "SET,redis", "GET,pepper", "GET,redis"], lines[1..].Select(l => string.Join(',', l.Split(',')[..2])));
            Assert.All(lines[1..], l => Assert.Equal(16, l.Split(',').Length));
            Assert.All(lines[1..], l => Assert.Equal("2", l.Split(',')[2]));
            Assert.All(lines[1..], l => Assert.Equal("3000", l.Split(',')[3]));
            Assert.Equal("1", lines[1].Split(',')[5]);

            using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
            var results = document.RootElement.GetProperty("results");
            Assert.Equal(4, results.GetArrayLength());
            foreach (var result in results.EnumerateArray())
            {
                Assert.Equal(2, result.GetProperty("round_ops_per_sec").GetArrayLength());
                Assert.True(result.GetProperty("ops_per_sec").GetDouble() > 0);
                var latency = result.GetProperty("latency_us");
                Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());
                Assert.True(latency.GetProperty("p99").GetDouble() <= latency.GetProperty("max").GetDouble());
                Assert.True(result.TryGetProperty("ratio", out _));
            }

            var plot = System.Xml.Linq.XDocument.Load(svg);
            System.Xml.Linq.XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(ns + "svg", plot.Root!.Name);
            Assert.Equal(4, plot.Descendants(ns + "polyline").Count());
            Assert.Contains(plot.Descendants(ns + "text"), t => t.Value == "redis");
            Assert.Contains(plot.Descendants(ns + "text"), t => t.Value == "99%");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_table_shows_every_test_and_the_ratio_column_in_compare_mode()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await BenchmarkApp.RunAsync(
            ["--target", $"a=127.0.0.1:{node.Port}", "--target", $"b=127.0.0.1:{redis.Port}", "-t", "ping,incr", "-n", "500", "-c", "2"],
            output, error);

        Assert.True(exit == 0, error.ToString());
        var table = output.ToString();
        Assert.Contains("vs first", table, StringComparison.Ordinal);
        Assert.Contains("PING", table, StringComparison.Ordinal);
        Assert.Contains("INCR", table, StringComparison.Ordinal);
        Assert.Contains("1.00x", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_that_is_down_is_named_and_the_exit_code_is_nonzero()
    {
        var downPort = RedisServerProcess.FreePort();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await BenchmarkApp.RunAsync(
            ["--target", $"pepper=127.0.0.1:{node.Port}", "--target", $"gone=127.0.0.1:{downPort}", "-n", "100"], output, error);

        Assert.Equal(1, exit);
        Assert.Contains($"target gone (127.0.0.1:{downPort}) is not reachable", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Connection refused", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_output_file_that_cannot_be_written_is_an_error_not_a_crash()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "r.json");

        var exit = await BenchmarkApp.RunAsync(["-p", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "ping", "-n", "100", "--json", missing], output, error);

        Assert.Equal(1, exit);
        Assert.Contains("error: cannot write the results", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_within_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await BenchmarkApp.RunAsync(["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "0.5", "-n", "10"], output, error);

        Assert.Equal(1, exit);
        Assert.Contains($"did not answer PING within 0.5 s", error.ToString(), StringComparison.Ordinal);
    }

    private static BenchmarkOptions Options(Target target) => new()
    {
        Targets = [target],
        Tests = AllTests,
        Clients = 4,
        Requests = 2000,
        Pipeline = 4,
        Keyspace = 500,
        DataSize = 16,
        ReadPercent = 80,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static void AssertCountsAddUp(List<Summary> summaries, string target)
    {
        Assert.Equal(AllTests, summaries.Select(s => s.Test));
        Assert.All(summaries, s =>
        {
            Assert.Equal(target, s.Target);
            Assert.Equal(2000, s.Requests);
            Assert.Equal(0, s.Errors);
            Assert.Equal(2000, s.Latency.TotalCount);
            Assert.True(s.OpsPerSecond > 0);
            Assert.True(s.P50 <= s.P99 && s.P99 <= s.Max);
            Assert.Equal(s.Reads, s.Hits + s.Misses);
        });

        // 2,000 SETs over 500 keys leave almost every key set (clients share the request budget, so which keys a
        // client draws is not exact): GETs mostly hit, and every read is a hit, a miss or an error.
        var get = summaries.Single(s => s.Test == TestKind.Get);
        Assert.Equal(get.Requests, get.Reads);
        Assert.Equal(get.Requests, get.Hits + get.Misses + get.Errors);
        Assert.True(get.Hits > 10 * get.Misses, $"{get.Hits} hits, {get.Misses} misses");

        // MIXED: reads are about 80% (seeded, so exact for a given seed, but only the shape is asserted).
        var mixed = summaries.Single(s => s.Test == TestKind.Mixed);
        Assert.InRange(mixed.Reads, 1400, 1800);
        Assert.Equal(mixed.Reads, mixed.Hits + mixed.Misses + 0);
        Assert.Equal(0, summaries.Single(s => s.Test == TestKind.Set).Reads);
    }
}
