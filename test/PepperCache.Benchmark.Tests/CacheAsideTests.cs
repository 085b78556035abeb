using PepperCache.Benchmark;
using PepperCache.Benchmark.Simulation;
using PepperCache.Client;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Benchmark.Tests;

/// <summary>--cache-aside against a real redis-server (no maxmemory: nothing is evicted), bounded runs.</summary>
public sealed class CacheAsideTests(RedisServerProcess redis) : IClassFixture<RedisServerProcess>
{
    [Fact]
    public async Task Every_lookup_is_a_hit_or_a_miss_each_miss_sets_the_key_and_a_second_pass_hits()
    {
        await FlushAsync();
        var options = Options() with { Clients = 3, Pipeline = 8, Keyspace = 50, Requests = 2000 };

        var first = Assert.Single(await BenchmarkApp.RunAllAsync(options, null));
        var second = Assert.Single(await BenchmarkApp.RunAllAsync(options, null));

        Assert.Equal(TestKind.CacheAside, first.Test);
        Assert.Equal(0, first.Errors);
        Assert.Equal(2000, first.Reads);
        Assert.Equal(first.Reads, first.Hits + first.Misses);
        // One SET per miss; with -P 8 a key can miss twice in one batch, so misses are at least the 50 keys.
        Assert.Equal(first.Reads + first.Misses, first.Requests);
        Assert.InRange(first.Misses, 50, 2000);
        Assert.Equal(50, await DbSizeAsync());

        // Every key is now set and nothing evicts: the second pass only hits, and sends no SET.
        Assert.Equal(2000, second.Hits);
        Assert.Equal(0, second.Misses);
        Assert.Equal(2000, second.Requests);
        Assert.Equal(1.0, second.HitRatio);
    }

    [Fact]
    public async Task One_client_without_pipelining_sends_exactly_the_simulated_trace()
    {
        await FlushAsync();
        var options = Options() with
        {
            Clients = 1, Pipeline = 1, Keyspace = 2000, Requests = 1500, Rounds = 2, WarmupRequests = 700,
            KeyDistribution = new KeyDistribution(0.99),
        };

        var live = Assert.Single(await BenchmarkApp.RunAllAsync(options, null));
        // An LRU with room for every key evicts nothing, as redis-server without maxmemory: the same hits and misses,
        // over the warm-up and both rounds (the key stream continues, it does not restart per run).
        var simulated = Assert.Single(TraceSimulation.Run(options with { SimulateLru = 2000 }).Models);

        Assert.Equal(3000, live.Reads);
        Assert.Equal(simulated.Hits, live.Hits);
        Assert.Equal(simulated.Misses, live.Misses);
        Assert.True(live.Misses > 0 && live.Hits > live.Misses, $"{live.Hits} hits, {live.Misses} misses");
    }

    [Fact]
    public async Task The_hit_ratio_is_in_the_table_the_csv_and_the_json()
    {
        await FlushAsync();
        var directory = Directory.CreateTempSubdirectory("pepper-benchmark-cache-aside");
        try
        {
            var json = Path.Combine(directory.FullName, "r.json");
            string[] common = ["-p", Port, "--cache-aside", "-r", "100", "--key-distribution", "zipf:1.1", "-n", "1000", "-c", "2", "-P", "4"];
            using var table = new StringWriter();
            using var csv = new StringWriter();
            using var error = new StringWriter();

            Assert.Equal(0, await BenchmarkApp.RunAsync([.. common, "--warmup-requests", "300"], table, error));
            Assert.Equal(0, await BenchmarkApp.RunAsync([.. common, "--csv", "--json", json], csv, error));

            Assert.Equal("", error.ToString());
            Assert.Contains("CACHE-ASIDE", table.ToString(), StringComparison.Ordinal);
            Assert.Contains("hit ratio", table.ToString(), StringComparison.Ordinal);
            Assert.Contains("zipf:1.1, 1,000 lookups per test, 300 warm-up requests", table.ToString(), StringComparison.Ordinal);

            var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var header = lines[0].Split(',');
            var row = lines[1].Split(',');
            Assert.Equal("CACHE-ASIDE", row[0]);
            var hits = long.Parse(row[Array.IndexOf(header, "hits")], System.Globalization.CultureInfo.InvariantCulture);
            var misses = long.Parse(row[Array.IndexOf(header, "misses")], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(1000, hits + misses);
            Assert.Equal((double)hits / 1000, double.Parse(row[Array.IndexOf(header, "hit_ratio")], System.Globalization.CultureInfo.InvariantCulture), 6);

            using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
            Assert.Equal("zipf:1.1", document.RootElement.GetProperty("options").GetProperty("key_distribution").GetString());
            var result = Assert.Single(document.RootElement.GetProperty("results").EnumerateArray());
            Assert.Equal("CACHE-ASIDE", result.GetProperty("test").GetString());
            Assert.Equal((double)hits / 1000, result.GetProperty("hit_ratio").GetDouble(), 6);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_simulation_needs_no_server_and_prints_each_model()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await BenchmarkApp.RunAsync(
            ["-p", "1", "--simulate-lru", "100", "--simulate-lfu", "100", "-r", "1000", "--key-distribution", "zipf:0.99", "-n", "5000", "--csv"],
            output, error);

        Assert.Equal(0, exit);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SimulationReport.CsvHeader, lines[0]);
        Assert.Equal(["lru", "lfu", "ideal"], lines[1..].Select(l => l.Split(',')[0]));
        Assert.All(lines[1..3], l => Assert.Equal("5000", l.Split(',')[6]));
    }

    private string Port => redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private BenchmarkOptions Options() => new()
    {
        Targets = [new Target("redis", "127.0.0.1", redis.Port)],
        Tests = [TestKind.CacheAside],
        DataSize = 32,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private async Task FlushAsync()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", redis.Port);
        Assert.False((await connection.ExecuteAsync("FLUSHALL")).IsError);
    }

    private async Task<long> DbSizeAsync()
    {
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", redis.Port);
        return (await connection.ExecuteAsync("DBSIZE")).Integer;
    }
}
