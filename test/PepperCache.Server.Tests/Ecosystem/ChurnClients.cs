using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Server.Tests.Packaging;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>
/// One run of every client across one cluster change: a directory holding the stop file (made once the change is
/// over) and each client's ready file (made after its first pass), which the scripts poll as the C# clients do.
/// </summary>
internal sealed class ChurnRun : IDisposable
{
    /// <summary>No client runs longer than this, stop file or not (then it makes its final passes).</summary>
    public const int MaxSeconds = 60;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("pepper-churn-");

    public ChurnRun(string phase, int keysPerClient)
    {
        Phase = phase;
        KeysPerClient = keysPerClient;
    }

    public string Phase { get; }

    public int KeysPerClient { get; }

    public string StopFile => Path.Combine(_folder.FullName, "stop");

    public bool Stopped => File.Exists(StopFile);

    public string ReadyFile(string client) => Path.Combine(_folder.FullName, client + ".ready");

    public void Stop() => File.WriteAllText(StopFile, "");

    /// <summary>Waits (at most 60 s: interpreters start slowly on a loaded machine) until every client has made its first pass.</summary>
    public async Task WhenReadyAsync(IEnumerable<string> clients, IEnumerable<Task> running)
    {
        await Eventually.UntilAsync(
            async () =>
            {
                var waiting = clients.FirstOrDefault(c => !File.Exists(ReadyFile(c)));
                if (waiting is not null && running.FirstOrDefault(t => t.IsCompleted) is { } ended)
                {
                    await ended; // a client that died before its first pass fails here, with its error
                    Assert.Fail($"A client ended before {waiting} was ready");
                }

                return waiting;
            },
            waiting => waiting is null,
            TimeSpan.FromSeconds(60),
            "every client makes its first pass",
            waiting => $"{waiting} is not ready");
    }

    public void Dispose() => _folder.Delete(recursive: true);
}

/// <summary>
/// The five clients of issue 15, each reading and writing its own keys through the cluster as an application would:
/// redis-py's RedisCluster and ioredis's Cluster (scripts, long-lived processes with their own slot maps),
/// StackExchange.Redis (in this process), <c>redis-cli -c</c> (a process per pass: it follows MOVED but keeps no slot
/// map), and <c>redis-benchmark --cluster</c> (runs of SET/GET over a random keyspace).
/// </summary>
internal static class ChurnClients
{
    public static readonly string[] Names = ["redis-py", "ioredis", "StackExchange.Redis", "redis-cli", "redis-benchmark"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Starts every client against <paramref name="seed"/> (a member that stays up), each with its own key prefix.</summary>
    public static Dictionary<string, Task<ChurnReport>> Start(ChurnRun run, ProcessCluster.Member seed) => new()
    {
        ["redis-py"] = ScriptAsync(run, seed, "redis-py", "/usr/bin/python3", Path.Combine(RepositoryPaths.Root, "test", "clients", "cluster_churn.py")),
        ["ioredis"] = ScriptAsync(run, seed, "ioredis", "node", Path.Combine(NodeJs.Folder, "cluster-churn.mjs")),
        ["StackExchange.Redis"] = Task.Run(() => StackExchangeAsync(run, seed)),
        ["redis-cli"] = Task.Run(() => RedisCliAsync(run, seed)),
        ["redis-benchmark"] = Task.Run(() => RedisBenchmarkAsync(run, seed)),
    };

    private static string Prefix(ChurnRun run, string client) => $"{run.Phase}:{client}";

    private static string Port(ProcessCluster.Member node) => node.Resp.Port.ToString(CultureInfo.InvariantCulture);

    private static async Task<ChurnReport> ScriptAsync(ChurnRun run, ProcessCluster.Member seed, string client, string runtime, string script)
    {
        if (runtime == "node")
        {
            await NodeJs.EnsurePackagesAsync();
        }

        var result = await ToolProcess.RunAsync(
            runtime,
            [script, "127.0.0.1", Port(seed), Prefix(run, client), run.KeysPerClient.ToString(CultureInfo.InvariantCulture),
             run.StopFile, run.ReadyFile(client), ChurnRun.MaxSeconds.ToString(CultureInfo.InvariantCulture)],
            timeout: TimeSpan.FromSeconds(ChurnRun.MaxSeconds + 60));
        Assert.True(result.ExitCode == 0, $"{client} exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
        return JsonSerializer.Deserialize<ChurnReport>(result.Output.Trim().Split('\n')[^1], Json)
               ?? throw new InvalidOperationException($"{client} printed no report: {result.Output}");
    }

    /// <summary>
    /// Passes until the stop file, then passes until one is clean (at most 15 s), as the scripts do.
    /// <paramref name="pass"/> runs one pass at the generation it is given, telling <paramref name="ledger"/> what it saw.
    /// </summary>
    private static async Task<ChurnReport> PassesAsync(ChurnRun run, ChurnLedger ledger, Func<long, Task> pass)
    {
        var clock = Stopwatch.StartNew();
        long generation = 0;
        while (!run.Stopped && clock.Elapsed < TimeSpan.FromSeconds(ChurnRun.MaxSeconds))
        {
            ledger.BeginPass();
            await pass(++generation);
            ledger.EndPass();
            if (generation == 1)
            {
                await File.WriteAllTextAsync(run.ReadyFile(ledger.Client), "");
            }

            await Task.Delay(100);
        }

        var final = Stopwatch.StartNew();
        for (var attempt = 0; attempt < 50 && final.Elapsed < TimeSpan.FromSeconds(15); attempt++)
        {
            ledger.BeginPass();
            await pass(++generation);
            if (ledger.EndPass())
            {
                return ledger.Report(finalClean: true);
            }

            await Task.Delay(200);
        }

        return ledger.Report(finalClean: false);
    }

    private static async Task<ChurnReport> StackExchangeAsync(ChurnRun run, ProcessCluster.Member seed)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { seed.Resp },
            AbortOnConnectFail = false,
            ConnectTimeout = 2000,
            AsyncTimeout = 2000,
            SyncTimeout = 2000,
            // A command for a killed node fails at once instead of waiting in the backlog for a reconnect.
            BacklogPolicy = BacklogPolicy.FailFast,
        };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var db = redis.GetDatabase();
        var ledger = new ChurnLedger("StackExchange.Redis", Prefix(run, "se"), run.KeysPerClient);
        return await PassesAsync(run, ledger, async generation =>
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < ledger.Keys.Length && !Cut(ledger, clock); i++)
            {
                ledger.Attempted(i, generation);
                try
                {
                    if (await db.StringSetAsync(ledger.Keys[i], ChurnLedger.ValueOf(ledger.Keys[i], generation)))
                    {
                        ledger.Acknowledged(i, generation);
                    }
                    else
                    {
                        ledger.Error("SET answered no");
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    ledger.Error(Shorten(e));
                }
            }

            for (var i = 0; i < ledger.Keys.Length && !Cut(ledger, clock); i++)
            {
                try
                {
                    var value = await db.StringGetAsync(ledger.Keys[i]);
                    ledger.Read(i, value.IsNull ? null : value.ToString());
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    ledger.Error(Shorten(e));
                }
            }
        });
    }

    /// <summary>
    /// One <c>redis-cli -c</c> per pass, its commands on stdin (how scripts use it), replies in the standard format
    /// (<c>--no-raw</c>: <c>OK</c>, <c>"value"</c>, <c>(nil)</c>, <c>(error) ...</c>). When it does not print one reply
    /// per command (it lost its connection to a killed node) the pass is an error: the keys' SETs count as attempted.
    /// </summary>
    private static async Task<ChurnReport> RedisCliAsync(ChurnRun run, ProcessCluster.Member seed)
    {
        var ledger = new ChurnLedger("redis-cli", Prefix(run, "cli"), run.KeysPerClient);
        return await PassesAsync(run, ledger, async generation =>
        {
            var input = string.Concat(ledger.Keys.Select(k => $"SET {k} {ChurnLedger.ValueOf(k, generation)}\n")) +
                        string.Concat(ledger.Keys.Select(k => $"GET {k}\n"));
            for (var i = 0; i < ledger.Keys.Length; i++)
            {
                ledger.Attempted(i, generation);
            }

            ledger.DateFrom(ChurnLedger.Now);
            var result = await ToolProcess.RunAsync("redis-cli", ["-c", "--no-raw", "-h", "127.0.0.1", "-p", Port(seed)], input, timeout: TimeSpan.FromSeconds(30));
            var replies = result.Output.Split('\n')
                .Select(l => l.TrimEnd('\r'))
                .Where(l => l.Length > 0 && !l.StartsWith("-> Redirected", StringComparison.Ordinal) && !IsLatency(l))
                .ToList();
            var count = ledger.Keys.Length;
            if (replies.Count != 2 * count)
            {
                ledger.Error($"redis-cli printed {replies.Count} replies for {2 * count} commands: {replies.FirstOrDefault(r => r != "OK" && !r.StartsWith('"'))} {result.Error.Trim()}".Trim());
                return;
            }

            for (var i = 0; i < count; i++)
            {
                if (replies[i] == "OK")
                {
                    ledger.Acknowledged(i, generation);
                }
                else
                {
                    ledger.Error(replies[i]);
                }
            }

            for (var i = 0; i < count; i++)
            {
                var reply = replies[count + i];
                if (reply == "(nil)")
                {
                    ledger.Read(i, null);
                }
                else if (reply.Length >= 2 && reply[0] == '"' && reply[^1] == '"')
                {
                    ledger.Read(i, reply[1..^1]);
                }
                else
                {
                    ledger.Error(reply);
                }
            }
        });
    }

    /// <summary>
    /// Runs of <c>redis-benchmark --cluster -t set,get</c> over a 1,000-key random keyspace, one after another. A run
    /// is bad when it exits non-zero or prints an error. It cannot check values itself: every SET writes the same
    /// value, so afterwards the test reads every <c>key:*</c> key on every node and expects that one value.
    /// </summary>
    private static async Task<ChurnReport> RedisBenchmarkAsync(ChurnRun run, ProcessCluster.Member seed)
    {
        var ledger = new ChurnLedger("redis-benchmark", Prefix(run, "bench"), 0);
        return await PassesAsync(run, ledger, async _ =>
        {
            ledger.DateFrom(ChurnLedger.Now);
            var result = await RunBoundedAsync(
                "redis-benchmark", ["--cluster", "-h", "127.0.0.1", "-p", Port(seed), "-t", "set,get", "-n", "1000", "-r", "1000", "-d", "8", "-c", "4", "-q"]);
            var text = result.Output + result.Error;
            if (result.ExitCode != 0 || text.Contains("error", StringComparison.OrdinalIgnoreCase))
            {
                ledger.Error($"exit {result.ExitCode}: {string.Join(" / ", text.Split('\n').Where(l => l.Contains("rror", StringComparison.Ordinal) || l.Contains("Could not", StringComparison.Ordinal)).Take(2))}");
            }
        });
    }

    /// <summary>The <c>(0.79s)</c> line redis-cli prints after a reply that took longer than half a second.</summary>
    private static bool IsLatency(string line) =>
        line is ['(', .., 's', ')'] && double.TryParse(line[1..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// A pass stops after 10 s (a client stuck on timeouts): what it did not reach is neither written nor read. The cut
    /// is dated by the pass's start, as a tool's failed run is: the errors that slowed the pass are dated as they came.
    /// </summary>
    private static bool Cut(ChurnLedger ledger, Stopwatch clock)
    {
        if (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            return false;
        }

        ledger.DateFrom(ChurnLedger.Now - (long)clock.Elapsed.TotalMilliseconds);
        ledger.Error("pass cut after 10 s");
        return true;
    }

    /// <summary>
    /// Runs a tool for at most 8 s (a clean run takes 1-3 s); past that (redis-benchmark waits forever on a connection
    /// to a killed node: it never recovers by itself) it is killed by its pid and the run counts as failed (exit -1).
    /// </summary>
    private static async Task<ToolResult> RunBoundedAsync(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new ToolResult(-1, "", "Error: still running after 8 s, killed");
        }

        return new ToolResult(process.ExitCode, await output, await error);
    }

    private static string Shorten(Exception e)
    {
        var text = $"{e.GetType().Name}: {e.Message}";
        return text.Length <= 200 ? text : text[..200];
    }
}
