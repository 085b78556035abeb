using System.Text.RegularExpressions;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>INFO: section layout (as Redis: "# Section", CRLF lines, blank line between) and the fields tools read.</summary>
public sealed class InfoCommandIntegrationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly string[] DefaultSections =
        ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"];

    private static readonly string[] AllSections =
        ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"];

    [Theory]
    [InlineData("")]
    [InlineData("default")]
    [InlineData("all")]
    [InlineData("EVERYTHING")]
    public async Task InfoListsEverySectionInRedisLayout(string selector)
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("PING"), "+PONG\r\n");
        var info = await InfoAsync(client, selector);

        var expected = selector is "" or "default" ? DefaultSections : AllSections;
        Assert.Equal(expected, Regex.Matches(info, @"^# (\w+)\r$", RegexOptions.Multiline).Select(m => m.Groups[1].Value));
        Assert.DoesNotMatch(@"[^\r]\n", info);
        Assert.EndsWith("\r\n", info, StringComparison.Ordinal);
        foreach (var section in info.Split("\r\n\r\n"))
        {
            var lines = section.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("# ", lines[0], StringComparison.Ordinal);
            // Command names carry '|' (config|get), '.' (pepper.auth) and '-' (client|no-evict), as in Redis's field names.
            Assert.All(lines.Skip(1), line => Assert.Matches(@"^[a-z0-9_|.-]+:\S*( \S+)*$", line));
        }
    }

    [Fact]
    public async Task SelectedSectionsComeInRedisOrder()
    {
        await using var client = await node.App.ConnectRawAsync();
        var info = await InfoAsync(client, "cpu", "REPLICATION");
        Assert.StartsWith("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n", info, StringComparison.Ordinal);
        Assert.Contains("\r\n\r\n# CPU\r\nused_cpu_sys:", info, StringComparison.Ordinal);
        Assert.Matches(@"\r\nused_cpu_user:\d+\.\d{6}\r\n", info);
    }

    [Fact]
    public async Task UnknownSectionIsEmpty()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("INFO", "nosuchsection"), "$0\r\n\r\n");
    }

    [Fact]
    public async Task KeyspaceListsDatabaseZeroOnlyWhenItHasKeys()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("FLUSHALL"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("INFO", "keyspace"), "$12\r\n# Keyspace\r\n\r\n");
        await client.AssertReplyAsync(Encode("SET", "info:keyspace", "v"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("INFO", "keyspace"), "$44\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n");
        await client.AssertReplyAsync(Encode("FLUSHALL"), "+OK\r\n");
    }

    [Fact]
    public async Task ServerSectionIdentifiesTheNode()
    {
        await using var client = await node.App.ConnectRawAsync();
        var info = await InfoAsync(client, "server");
        Assert.StartsWith("# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n", info, StringComparison.Ordinal);
        Assert.Contains($"\r\ntcp_port:{node.App.RespEndPoint.Port}\r\n", info, StringComparison.Ordinal);
        Assert.Contains($"\r\nprocess_id:{Environment.ProcessId}\r\n", info, StringComparison.Ordinal);
        Assert.Matches(@"\r\nrun_id:[0-9a-f]{40}\r\n", info);
        Assert.Matches(@"\r\narch_bits:(32|64)\r\n", info);
        Assert.Contains("\r\nhz:10\r\n", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryPersistenceAndReplicationCarryTheFieldsToolsRead()
    {
        await using var client = await node.App.ConnectRawAsync();
        var info = await InfoAsync(client);
        Assert.Matches(@"\r\nused_memory:[1-9]\d*\r\nused_memory_human:\d+(\.\d\d)?[BKMGTP]\r\n", info);
        Assert.Matches(@"\r\nused_memory_rss:[1-9]\d*\r\n", info);
        Assert.Contains("\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n", info, StringComparison.Ordinal);
        Assert.Contains("# Persistence\r\nloading:0\r\n", info, StringComparison.Ordinal);
        Assert.Contains("\r\nrdb_bgsave_in_progress:0\r\n", info, StringComparison.Ordinal);
        // The append-only file is on by default (the test node writes it to a temporary directory).
        Assert.Contains("\r\naof_enabled:1\r\n", info, StringComparison.Ordinal);
        Assert.Matches(@"\r\naof_current_size:\d+\r\naof_base_size:\d+\r\n", info);
        Assert.Contains("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n", info, StringComparison.Ordinal);
        Assert.Contains("# Cluster\r\ncluster_enabled:0\r\n", info, StringComparison.Ordinal);
        Assert.Matches(@"# Clients\r\nconnected_clients:[1-9]\d*\r\n", info);
    }

    [Fact]
    public async Task StatsCountCommandsHitsAndMissesSinceResetStat()
    {
        await using var client = await node.App.ConnectRawAsync();
        await client.AssertReplyAsync(Encode("SET", "info:stats", "v"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("CONFIG", "RESETSTAT"), "+OK\r\n");
        await client.AssertReplyAsync(Encode("GET", "info:stats"), "$1\r\nv\r\n");
        await client.AssertReplyAsync(Encode("GET", "info:stats:missing"), "$-1\r\n");
        await client.AssertReplyAsync(Encode("GET", "info:stats:missing"), "$-1\r\n");

        var stats = await InfoAsync(client, "stats");
        Assert.StartsWith("# Stats\r\ntotal_connections_received:0\r\n", stats, StringComparison.Ordinal);
        // GET x3 and this INFO; other test classes use other nodes.
        Assert.Contains("\r\ntotal_commands_processed:4\r\n", stats, StringComparison.Ordinal);
        Assert.Contains("\r\nkeyspace_hits:1\r\nkeyspace_misses:2\r\n", stats, StringComparison.Ordinal);
        Assert.Contains("\r\nexpired_keys:0\r\nevicted_keys:0\r\n", stats, StringComparison.Ordinal);
        Assert.Matches(@"\r\ninstantaneous_ops_per_sec:\d+\r\n", stats);
    }

    [Fact]
    public void BytesToHumanMatchesRedis()
    {
        Assert.Equal("0B", Commands.InfoCommand.BytesToHuman(0));
        Assert.Equal("1023B", Commands.InfoCommand.BytesToHuman(1023));
        Assert.Equal("1.00K", Commands.InfoCommand.BytesToHuman(1024));
        Assert.Equal("1.04M", Commands.InfoCommand.BytesToHuman(1089416));
        Assert.Equal("23.54G", Commands.InfoCommand.BytesToHuman(25276063744));
    }

    private static async Task<string> InfoAsync(RawRespClient client, params string[] sections) =>
        Assert.IsType<string>(await client.CommandAsync(["INFO", .. sections.Where(s => s.Length > 0)]));
}
