using System.Diagnostics;
using System.Globalization;
using System.Text;
using PepperCache.Cli;
using PepperCache.Client.Cluster;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>pepper-cli -c against a cluster; the cluster is the only thing a subclass supplies.</summary>
public abstract class CliClusterContract
{
    protected abstract IClusterEndpoint Cluster { get; }

    [Fact]
    public async Task With_c_a_session_follows_redirects_and_says_where_it_went()
    {
        var (away, awayOwner, awaySlot) = await KeyAwayFromSeedAsync("cli-c");
        var (home, _, homeSlot) = await KeyOnSeedAsync("cli-c");
        var input = new StringReader($"set {away} there\nget {away}\nset {home} here\nget {away}\n");

        var (code, output, error) = await RunAsync(["-c", "-h", Cluster.Seed.Host, "-p", SeedPort], input);

        Assert.Equal(0, code);
        Assert.Equal(
            $"-> Redirected to slot [{awaySlot}] located at {awayOwner}\nOK\nthere\n" +
            $"-> Redirected to slot [{homeSlot}] located at {Cluster.Seed}\nOK\n" +
            $"-> Redirected to slot [{awaySlot}] located at {awayOwner}\nthere\n",
            output);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Without_c_a_redirect_is_shown_as_the_error_it_is()
    {
        var (away, awayOwner, awaySlot) = await KeyAwayFromSeedAsync("cli-moved");

        var session = await RunAsync(["--port", SeedPort], new StringReader($"get {away}\n"));
        var once = await RunAsync(["--port", SeedPort, "get", away], new StringReader(""));

        Assert.Equal((0, $"(error) MOVED {awaySlot} {awayOwner}\n", ""), session);
        Assert.Equal((1, $"(error) MOVED {awaySlot} {awayOwner}\n", ""), once);
    }

    [Fact]
    public async Task With_c_one_shot_mode_prints_only_the_reply_as_redis_cli_does()
    {
        var (away, _, _) = await KeyAwayFromSeedAsync("cli-once");

        var set = await RunAsync(["-c", "--port", SeedPort, "set", away, "v"], new StringReader(""));
        var get = await RunAsync(["-c", "--port", SeedPort, "-r", "2", "get", away], new StringReader(""));

        Assert.Equal((0, "OK\n", ""), set);
        Assert.Equal((0, "v\nv\n", ""), get);
    }

    [Fact]
    public async Task The_redirect_lines_are_redis_clis_own()
    {
        var (away, _, _) = await KeyAwayFromSeedAsync("cli-same");
        var (home, _, _) = await KeyOnSeedAsync("cli-same");
        var script = $"set {away} 1\nget {home}\nget {away}\n";

        var (_, ours, _) = await RunAsync(["-c", "--port", SeedPort], new StringReader(script));
        var theirs = await RunRedisCliAsync(["-c", "-h", Cluster.Seed.Host, "-p", SeedPort], script);

        var redirects = (string text) => text.Split('\n').Where(l => l.StartsWith("->", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, redirects(ours).Length);
        Assert.Equal(redirects(theirs), redirects(ours));
    }

    protected string SeedPort => Cluster.Seed.Port.ToString(CultureInfo.InvariantCulture);

    private Task<(string Key, ClusterNode Owner, int Slot)> KeyAwayFromSeedAsync(string prefix) =>
        FindKeyAsync(prefix, owner => owner != Cluster.Seed);

    protected Task<(string Key, ClusterNode Owner, int Slot)> KeyOnSeedAsync(string prefix) =>
        FindKeyAsync(prefix, owner => owner == Cluster.Seed);

    private async Task<(string Key, ClusterNode Owner, int Slot)> FindKeyAsync(string prefix, Func<ClusterNode, bool> wanted)
    {
        await using var client = await ClusterClient.ConnectAsync(Cluster.Seed.Host, Cluster.Seed.Port, cancellationToken: TestContext.Current.CancellationToken);
        for (var i = 0; i < 1000; i++)
        {
            var key = $"{prefix}:{i}";
            var slot = KeySlot.Of(Encoding.UTF8.GetBytes(key));
            if (client.Slots.OwnerOf(slot) is { } owner && wanted(owner))
            {
                return (key, owner, slot);
            }
        }

        throw new InvalidOperationException("no key found for the node wanted in 1000 tries");
    }

    protected static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, TextReader input)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await CliApp.RunAsync(args, input, output, error, interactive: false)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    protected static async Task<string> RunRedisCliAsync(string[] args, string input)
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return await output;
    }
}

[Collection("Redis Cluster")]
public sealed class CliRedisClusterTests(RedisCluster cluster) : CliClusterContract
{
    protected override IClusterEndpoint Cluster => cluster;

    [Fact]
    public async Task With_c_an_ASK_redirect_is_followed_with_ASKING_and_announced_like_MOVED()
    {
        var (key, _, slot) = await KeyOnSeedAsync("cli-ask");
        await using var client = await ClusterClient.ConnectAsync(cluster.Seed.Host, cluster.Seed.Port, cancellationToken: TestContext.Current.CancellationToken);
        var target = client.Slots.Nodes.First(n => n != cluster.Seed);
        var script = $"set {key} asked\ndel {key}\n";
        string output;
        string theirs;
        await using (await RedisCluster.MigratingAsync(slot, cluster.Seed, target))
        {
            (_, output, _) = await RunAsync(["-c", "-p", SeedPort], new StringReader(script));
            theirs = await RunRedisCliAsync(["-c", "-p", SeedPort], script);
        }

        // As redis-cli, the session stays on the node it was sent to. That node only imports the slot, so without
        // ASKING it sends the DEL back to the source with MOVED, and the source sends it on with ASK again.
        var toTarget = $"-> Redirected to slot [{slot}] located at {target}\n";
        Assert.Equal(
            $"{toTarget}OK\n-> Redirected to slot [{slot}] located at {cluster.Seed}\n{toTarget}(integer) 1\n",
            output);
        Assert.Equal(output.Replace("(integer) ", "", StringComparison.Ordinal), theirs);
    }
}
