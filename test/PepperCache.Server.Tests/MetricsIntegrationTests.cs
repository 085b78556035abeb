using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// GET /metrics: Prometheus's text format, parsed here line by line; the counters move with the commands run, and
/// the route asks for credentials once a password is set.
/// </summary>
public sealed partial class MetricsIntegrationTests
{
    private static readonly string[] ExpectedFamilies =
    [
        "peppercache_commands_total counter", "peppercache_command_rejected_calls_total counter",
        "peppercache_command_failed_calls_total counter", "peppercache_command_duration_seconds histogram",
        "peppercache_error_replies_total counter", "peppercache_commands_processed_total counter",
        "peppercache_keyspace_hits_total counter", "peppercache_keyspace_misses_total counter", "peppercache_keys gauge",
        "peppercache_expiring_keys gauge", "peppercache_memory_used_bytes gauge", "peppercache_memory_max_bytes gauge",
        "peppercache_memory_rss_bytes gauge", "peppercache_expired_keys_total counter", "peppercache_evicted_keys_total counter",
        "peppercache_connected_clients gauge", "peppercache_blocked_clients gauge", "peppercache_connections_received_total counter",
        "peppercache_rejected_connections_total counter", "peppercache_network_received_bytes_total counter",
        "peppercache_network_sent_bytes_total counter", "peppercache_aof_enabled gauge", "peppercache_aof_size_bytes gauge",
        "peppercache_aof_buffer_bytes gauge", "peppercache_aof_rewrites_total counter", "peppercache_aof_rewrite_in_progress gauge",
        "peppercache_aof_fsync_lag_seconds gauge",
        "peppercache_cluster_members gauge", "peppercache_cluster_slots_owned gauge", "peppercache_rebalance_running gauge",
        "peppercache_rebalance_slots_to_move gauge", "peppercache_rebalance_slots_moved gauge",
        "peppercache_rebalance_keys_moved gauge", "peppercache_rebalance_moved_bytes gauge", "peppercache_rebalance_duty_ratio gauge",
        "peppercache_start_time_seconds gauge",
    ];

    [Fact]
    public async Task ScrapesParseAndTheCountersFollowTheCommands()
    {
        await using var node = new PepperCacheApplication();
        using var http = node.CreateAdminClient();
        await using var client = await node.ConnectRawAsync();
        await client.AssertReplyAsync("SET metrics:k v\r\n", "+OK\r\n");
        var before = await ScrapeAsync(http);

        const string Requests = "GET metrics:k\r\nGET metrics:k\r\nGET metrics:none\r\nHSET metrics:k f v\r\nGET\r\n";
        const string Replies = "$1\r\nv\r\n$1\r\nv\r\n$-1\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-ERR wrong number of arguments for 'get' command\r\n";
        await client.AssertReplyAsync(Requests, Replies);
        var after = await ScrapeAsync(http);

        Assert.Equal(ExpectedFamilies.Order(), after.Types.Select(t => $"{t.Key} {t.Value}").Order());
        Assert.Equal(3, after.Value("peppercache_commands_total", "command=\"get\"") - before.Value("peppercache_commands_total", "command=\"get\""));
        Assert.Equal(3, after.Value("peppercache_command_duration_seconds_count", "command=\"get\"") - before.Value("peppercache_command_duration_seconds_count", "command=\"get\""));
        Assert.Equal(3, after.Value("peppercache_command_duration_seconds_bucket", "command=\"get\",le=\"+Inf\"") - before.Value("peppercache_command_duration_seconds_bucket", "command=\"get\",le=\"+Inf\""));
        Assert.True(after.Value("peppercache_command_duration_seconds_sum", "command=\"get\"") > 0);
        Assert.Equal(1, after.Value("peppercache_command_rejected_calls_total", "command=\"get\""));
        Assert.Equal(1, after.Value("peppercache_command_failed_calls_total", "command=\"hset\""));
        Assert.Equal(1, after.Value("peppercache_error_replies_total", "code=\"WRONGTYPE\""));
        Assert.Equal(2, after.Value("peppercache_keyspace_hits_total") - before.Value("peppercache_keyspace_hits_total"));
        Assert.Equal(1, after.Value("peppercache_keyspace_misses_total") - before.Value("peppercache_keyspace_misses_total"));
        Assert.Equal(1, after.Value("peppercache_keys"));
        Assert.Equal(1, after.Value("peppercache_connected_clients"));
        // The one client's bytes, exactly: nothing else talks to the node's RESP port.
        Assert.Equal(Requests.Length, after.Value("peppercache_network_received_bytes_total") - before.Value("peppercache_network_received_bytes_total"));
        Assert.Equal(Replies.Length, after.Value("peppercache_network_sent_bytes_total") - before.Value("peppercache_network_sent_bytes_total"));
        Assert.Equal(0, after.Value("peppercache_blocked_clients"));
        Assert.Equal(1, after.Value("peppercache_cluster_members", "state=\"alive\""));
        Assert.Equal(16384, after.Value("peppercache_cluster_slots_owned"));
        Assert.Equal(1, after.Value("peppercache_aof_enabled"));
        Assert.True(after.Value("peppercache_aof_size_bytes") > 0);
        Assert.True(after.Value("peppercache_memory_used_bytes") > 0);
        Assert.True(after.Value("peppercache_memory_rss_bytes") > 0);

        await using var waiter = await node.ConnectRawAsync();
        await waiter.SendAsync("BLPOP metrics:list 0\r\n");
        await Eventually.UntilAsync(() => TestCluster.Server(node).Blocking.BlockedCount == 1, TimeSpan.FromSeconds(10), "one client blocked");
        Assert.Equal(1, (await ScrapeAsync(http)).Value("peppercache_blocked_clients"));

        // CONFIG RESETSTAT is for INFO: Prometheus's counters never go back.
        await client.AssertReplyAsync("CONFIG RESETSTAT\r\n", "+OK\r\n");
        var reset = await ScrapeAsync(http);
        Assert.Equal(after.Value("peppercache_commands_total", "command=\"get\""), reset.Value("peppercache_commands_total", "command=\"get\""));
        Assert.Equal(1, reset.Value("peppercache_error_replies_total", "code=\"WRONGTYPE\""));
        Assert.True(reset.Value("peppercache_network_received_bytes_total") > after.Value("peppercache_network_received_bytes_total"));
    }

    /// <summary>Under appendfsync no the disk trails the file more and more; under always every reply waits for it.</summary>
    [Fact]
    public async Task TheFsyncLagGrowsUnderNoAndIsZeroUnderAlways()
    {
        await using var node = new PepperCacheApplication();
        using var http = node.CreateAdminClient();
        await using var client = await node.ConnectRawAsync();
        await client.AssertReplyAsync("CONFIG SET appendfsync no\r\n", "+OK\r\n");
        await client.AssertReplyAsync("SET metrics:lag v\r\n", "+OK\r\n");
        await Eventually.UntilAsync(
            async () => (await ScrapeAsync(http)).Value("peppercache_aof_fsync_lag_seconds") >= 0.2,
            TimeSpan.FromSeconds(10), "the fsync lag passes 0.2 s with no fsync");

        await client.AssertReplyAsync("CONFIG SET appendfsync always\r\n", "+OK\r\n");
        await client.AssertReplyAsync("SET metrics:lag w\r\n", "+OK\r\n");
        Assert.Equal(0, (await ScrapeAsync(http)).Value("peppercache_aof_fsync_lag_seconds"));
    }

    [Fact]
    public async Task WithAPasswordMetricsNeedAdminCredentials()
    {
        await using var node = new PepperCacheApplication(new Dictionary<string, string?> { ["PepperCache:RequirePass"] = "s3cret" });
        using var http = node.CreateAdminClient();

        using var refused = await http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        using var allowed = await http.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    private static async Task<Scrape> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var scrape = new Scrape();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                scrape.Types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            scrape.Samples[(match.Groups["name"].Value, match.Groups["labels"].Value)] =
                double.Parse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return scrape;
    }

    private sealed class Scrape
    {
        public Dictionary<string, string> Types { get; } = [];

        public Dictionary<(string Name, string Labels), double> Samples { get; } = [];

        /// <summary>A sample's value; 0 when the series does not exist yet (a labelled counter before its first count).</summary>
        public double Value(string name, string labels = "") => Samples.GetValueOrDefault((name, labels));
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+]?([0-9.eE+-]+|Inf|NaN))$")]
    private static partial Regex SampleLine();
}
