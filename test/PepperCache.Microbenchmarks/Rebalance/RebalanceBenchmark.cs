using System.Diagnostics;
using System.Globalization;
using System.Text;
using PepperCache.Client;
using PepperCache.Client.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>
/// Not a BenchmarkDotNet benchmark: times the slot migration when a 4th PepperCache.Server process joins a cluster of 3
/// on loopback holding N keys, with readers doing pipelined GETs through a redirect-following client throughout.
/// Run through <c>bench/rebalance.sh</c>, which builds Release and kills the processes this starts even if it fails.
/// </summary>
internal static class RebalanceBenchmark
{
    private const string Host = "127.0.0.1";
    private const int FirstPort = 19301;
    private const int FirstAdminPort = 19401;
    private const int LoadWindow = 4096;
    private const int ValueLength = 32;

    private static readonly int Readers = EnvironmentInt("READERS", 4);
    private static readonly int ReadPipeline = EnvironmentInt("READ_PIPELINE", 32);

    private static readonly TimeSpan BaselineWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LogPollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly byte[] SetWord = "SET"u8.ToArray();

    /// <summary><c>rebalance &lt;server-path&gt; &lt;work-dir&gt; &lt;pid-file&gt; [keys]</c>; exits 1 on a miss, a wrong value or a lost key.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 3 or > 4)
        {
            await Console.Error.WriteLineAsync("usage: rebalance <server-path> <work-dir> <pid-file> [keys]").ConfigureAwait(false);
            return 2;
        }

        var (serverPath, workDirectory, pidFile) = (args[0], args[1], args[2]);
        var keyCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1_000_000;
        var nodes = new List<ServerProcess>();
        using var probe = new ClusterProbe();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(StartNode(serverPath, workDirectory, pidFile, i));
            }

            var ids = await WaitForIdsAsync(probe, nodes).ConfigureAwait(false);
            await WaitSettledAsync(probe, nodes, ids, StartTimeout).ConfigureAwait(false);
            Report.Line($"3 nodes settled (pids {string.Join(", ", nodes.Select(n => n.Pid))})");

            var keys = new byte[keyCount][];
            var values = new byte[keyCount][];
            for (var i = 0; i < keyCount; i++)
            {
                keys[i] = Encoding.ASCII.GetBytes("key:" + i.ToString(CultureInfo.InvariantCulture));
                values[i] = Encoding.ASCII.GetBytes("v" + i.ToString(CultureInfo.InvariantCulture).PadLeft(ValueLength - 1, '0'));
            }

            var loadSeconds = await LoadAsync(keys, values).ConfigureAwait(false);
            var sizesBefore = await DbSizesAsync(nodes).ConfigureAwait(false);
            Report.Line($"loaded {keyCount:N0} keys in {loadSeconds:F1} s ({keyCount / loadSeconds:N0} SET/s); DBSIZE {string.Join(" + ", sizesBefore.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}");
            if (sizesBefore.Sum() != keyCount)
            {
                throw new InvalidOperationException($"DBSIZE sums to {sizesBefore.Sum():N0}, not {keyCount:N0}");
            }

            var fullClient = Environment.GetEnvironmentVariable("READER") == "client";
            var window = Environment.GetEnvironmentVariable("READ_MODE") == "window";
            await using var readers = await ReaderPool.StartAsync(keys, values, Readers, ReadPipeline, FirstPort, fullClient, window).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false); // warm-up: connections open, JIT done
            // Nodes seconds old still run much of their code (gossip, HTTP) at tier 0; a cluster's old owners have
            // usually been up for long. SETTLE_SECONDS lets them serve and gossip that long before the join.
            var settle = EnvironmentInt("SETTLE_SECONDS", 0);
            if (settle > 0)
            {
                Report.Line($"settling {settle} s with the readers running before the baseline");
                await Task.Delay(TimeSpan.FromSeconds(settle)).ConfigureAwait(false);
            }

            var cpuBase = nodes.Select(n => n.CpuSeconds()).ToArray();
            var driverCpuBase = Environment.CpuUsage.TotalTime.TotalSeconds;
            var gossipBase = await probe.GossipAsync(nodes, CancellationToken.None).ConfigureAwait(false);
            var (opsBase, clockBase) = (readers.Ops, Stopwatch.StartNew());
            await Task.Delay(BaselineWindow).ConfigureAwait(false);
            var baselineSeconds = clockBase.Elapsed.TotalSeconds;
            var gossipSteady = await probe.GossipAsync(nodes, CancellationToken.None).ConfigureAwait(false) - gossipBase;
            var getsBefore = (readers.Ops - opsBase) / baselineSeconds;
            var cpuBefore = nodes.Select((n, i) => (n.CpuSeconds() - cpuBase[i]) / baselineSeconds).ToArray();
            var driverCpuBefore = (Environment.CpuUsage.TotalTime.TotalSeconds - driverCpuBase) / baselineSeconds;
            Report.Line($"GET/s before: {getsBefore:N0}");

            var logs = nodes.Select(n => new RebalanceLog(n.LogPath)).ToList();
            logs.ForEach(log => log.Skip());
            var gossipAtJoin = await probe.GossipAsync(nodes, CancellationToken.None).ConfigureAwait(false);
            var joinClock = Stopwatch.StartNew();
            nodes.Add(StartNode(serverPath, workDirectory, pidFile, 3));
            await WaitForLogsAsync(nodes, logs, () => logs.Any(log => log.Started > 0), "no node started moving slots").ConfigureAwait(false);
            var startedAfter = joinClock.Elapsed;
            var cpuAtStart = nodes.Select(n => n.CpuSeconds()).ToArray();
            var gcAtStart = await CollectionsAsync(nodes).ConfigureAwait(false);
            var driverCpuAtStart = Environment.CpuUsage.TotalTime.TotalSeconds;
            var opsAtStart = readers.Ops;
            var missesAtStart = readers.Misses;
            var moveClock = Stopwatch.StartNew();
            Report.Line($"a node started moving slots {startedAfter.TotalSeconds:F2} s after the 4th process started");
            await WaitForLogsAsync(nodes, logs, () => logs.All(log => log.Done.Count > 0), "the old nodes did not finish moving").ConfigureAwait(false);
            var moveSeconds = moveClock.Elapsed.TotalSeconds;
            var getsDuring = (readers.Ops - opsAtStart) / moveSeconds;
            var cpuDuring = nodes.Select((n, i) => n.CpuSeconds() - cpuAtStart[i]).ToArray();
            var gcAtEnd = await CollectionsAsync(nodes).ConfigureAwait(false);
            var driverCpuDuring = (Environment.CpuUsage.TotalTime.TotalSeconds - driverCpuAtStart) / moveSeconds;
            var perSecond = readers.PerSecondSince(opsAtStart);
            // From before the 4th process started to the end of the move: the join, the plan and every hand-over.
            var gossipMove = await probe.GossipAsync(nodes, CancellationToken.None).ConfigureAwait(false) - gossipAtJoin;
            var newId = (await probe.TryReadAsync(nodes[^1], CancellationToken.None).ConfigureAwait(false))?.MyId
                ?? throw new InvalidOperationException("the 4th node does not answer GET /cluster/nodes");
            var views = await WaitSettledAsync(probe, nodes, [.. ids, newId], StartTimeout).ConfigureAwait(false);
            var settledAfter = joinClock.Elapsed;
            var longestLogged = logs.Max(log => log.Done.Max(d => d.DurationMs));
            // The same readers on the four settled nodes: what a move's share is measured against on a machine whose
            // cores the 4th process now shares too.
            var (opsSettled, clockSettled) = (readers.Ops, Stopwatch.StartNew());
            await Task.Delay(BaselineWindow).ConfigureAwait(false);
            var getsAfter = (readers.Ops - opsSettled) / clockSettled.Elapsed.TotalSeconds;
            await readers.StopAsync().ConfigureAwait(false);

            var sizesAfter = await DbSizesAsync(nodes).ConfigureAwait(false);
            var keysMoved = sizesAfter[3];
            var reportedMoved = views.Sum(v => v.KeysMoved);
            var slotsMoved = views.Sum(v => v.SlotsMoved);
            var rows = new List<(string, string)>
            {
                ("keys", keyCount.ToString("N0", CultureInfo.InvariantCulture)),
                ("slots moved (rebalance progress)", slotsMoved.ToString("N0", CultureInfo.InvariantCulture)),
                ("keys moved (new node's DBSIZE / progress)", $"{keysMoved:N0} / {reportedMoved:N0}"),
                ("4th process start -> first 4101 (rebalance started)", $"{startedAfter.TotalSeconds:F2} s"),
                ("move: first 4101 -> last 4102 (rebalance done)", $"{moveSeconds:F2} s (longest 4102 duration {longestLogged / 1000.0:F2} s)"),
                ("4th process start -> settled everywhere", $"{settledAfter.TotalSeconds:F2} s"),
                ("keys/s moved", $"{keysMoved / moveSeconds:N0}"),
                ("readers", $"{Readers} x {ReadPipeline} GETs in flight {(window ? "(a window: each answered GET followed by the next)" : "(batches: sent together, all awaited)")} through {(fullClient ? "ClusterClient" : "SlotPatchingRouter")}"),
                ("GET/s before", $"{getsBefore:N0}"),
                ("GET/s during the move", $"{getsDuring:N0} ({(getsBefore > 0 ? getsDuring / getsBefore : 0):P0} of before)"),
                ("GET/s after, 4 nodes settled", $"{getsAfter:N0} ({(getsBefore > 0 ? getsAfter / getsBefore : 0):P0} of before)"),
                ("GETs per whole second of the move", string.Join(" ", perSecond.Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))),
                ("misses / wrong values / errors", $"{readers.Misses} / {readers.Wrong} / {readers.Errors}"),
                ("misses during the move", $"{readers.Misses - missesAtStart}"),
                ("DBSIZE after", $"{string.Join(" + ", sizesAfter.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} = {sizesAfter.Sum():N0}"),
                ("CPU s during the move (node1..4)", string.Join(" / ", cpuDuring.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))),
                ("GC collections during the move, gen0/1/2 (node1..4)", string.Join(" | ", gcAtEnd.Select((end, i) => string.Join("/", end.Zip(gcAtStart[i], (e, b) => e - b))))),
                ("CPU s/s before, readers only (node1..3)", string.Join(" / ", cpuBefore.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))),
                ("CPU s/s of this driver (readers) before / during", $"{driverCpuBefore:F2} / {driverCpuDuring:F2}"),
                ("CPU µs per key moved (all nodes, move window)", $"{cpuDuring.Sum() * 1e6 / Math.Max(1, keysMoved):F1}"),
                ("gossip before the join (3 nodes, steady): exchanges, bytes per exchange, whole tables", GossipText(gossipSteady)),
                ("gossip from the join to the end of the move: exchanges, bytes per exchange, whole tables", GossipText(gossipMove)),
                ("load average (1/5/15 min)", File.ReadAllText("/proc/loadavg").Split(' ')[..3] is var load ? string.Join(" ", load) : ""),
            };
            Report.Table(rows);

            var failed = readers.Misses + readers.Wrong + readers.Errors > 0 || sizesAfter.Sum() != keyCount;
            if (failed)
            {
                Report.Line("FAILED: a reader saw a miss, a wrong value or an error, or keys were lost or duplicated");
            }

            return failed ? 1 : 0;
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    private static ServerProcess StartNode(string serverPath, string workDirectory, string pidFile, int index) =>
        ServerProcess.Start(
            serverPath, workDirectory, pidFile, $"node{index + 1}", FirstPort + index, FirstAdminPort + index,
            index == 0 ? null : $"{Host}:{FirstAdminPort}");

    private static async Task<List<string>> WaitForIdsAsync(ClusterProbe probe, List<ServerProcess> nodes)
    {
        var ids = new List<string>();
        foreach (var node in nodes)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                CheckAlive(nodes);
                if (await probe.TryReadAsync(node, CancellationToken.None).ConfigureAwait(false) is { } view)
                {
                    ids.Add(view.MyId);
                    break;
                }

                Deadline(deadline, StartTimeout, $"{node.Name} did not answer GET /cluster/nodes");
                await Task.Delay(PollInterval).ConfigureAwait(false);
            }
        }

        return ids;
    }

    /// <summary>Polls the logs (cheap, so often) until <paramref name="done"/> holds.</summary>
    private static async Task WaitForLogsAsync(List<ServerProcess> nodes, List<RebalanceLog> logs, Func<bool> done, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            CheckAlive(nodes);
            logs.ForEach(log => log.Poll());
            if (done())
            {
                return;
            }

            Deadline(clock, MoveTimeout, failure);
            await Task.Delay(LogPollInterval).ConfigureAwait(false);
        }
    }

    private static async Task<ClusterProbe.NodeView[]> WaitSettledAsync(ClusterProbe probe, List<ServerProcess> nodes, List<string> ids, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            CheckAlive(nodes);
            if (await probe.SettledAsync(nodes, ids, CancellationToken.None).ConfigureAwait(false) is { } views)
            {
                return views;
            }

            Deadline(clock, timeout, "the cluster did not settle");
            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>SETs every key through a slot-routing client, <see cref="LoadWindow"/> commands in flight.</summary>
    private static async Task<double> LoadAsync(byte[][] keys, byte[][] values)
    {
        await using var client = await ClusterClient.ConnectAsync(Host, FirstPort).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var window = new Task<RespReply>[LoadWindow];
        for (var start = 0; start < keys.Length; start += LoadWindow)
        {
            Deadline(clock, LoadTimeout, "loading the keys took too long");
            var count = Math.Min(LoadWindow, keys.Length - start);
            for (var i = 0; i < count; i++)
            {
                window[i] = client.ExecuteAsync([SetWord, keys[start + i], values[start + i]]);
            }

            for (var i = 0; i < count; i++)
            {
                if (await window[i].ConfigureAwait(false) is { IsError: true } error)
                {
                    throw new InvalidOperationException($"SET {Encoding.ASCII.GetString(keys[start + i])}: {error.Text}");
                }
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<long[]> DbSizesAsync(List<ServerProcess> nodes)
    {
        var sizes = new long[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            await using var connection = await RespConnection.ConnectAsync(Host, nodes[i].Port).ConfigureAwait(false);
            sizes[i] = (await connection.ExecuteAsync("DBSIZE").ConfigureAwait(false)).Integer;
        }

        return sizes;
    }

    /// <summary>Each node's gen0/1/2 collection counts so far, from <c>MEMORY MALLOC-STATS</c>.</summary>
    private static async Task<long[][]> CollectionsAsync(List<ServerProcess> nodes)
    {
        var counts = new long[nodes.Count][];
        for (var i = 0; i < nodes.Count; i++)
        {
            await using var connection = await RespConnection.ConnectAsync(Host, nodes[i].Port).ConfigureAwait(false);
            var text = (await connection.ExecuteAsync("MEMORY", "MALLOC-STATS").ConfigureAwait(false)).Text ?? "";
            var match = System.Text.RegularExpressions.Regex.Match(text, @"gen0/1/2 collections (\d+)/(\d+)/(\d+)");
            counts[i] = match.Success ? [.. match.Groups.Values.Skip(1).Select(g => long.Parse(g.Value, CultureInfo.InvariantCulture))] : [0, 0, 0];
        }

        return counts;
    }

    private static string GossipText(ClusterProbe.Gossip gossip) =>
        $"{gossip.Exchanges:N0}, {(gossip.Exchanges > 0 ? gossip.Bytes / gossip.Exchanges : 0):N0} B (request + reply), {gossip.WholeTables:N0}";

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static void CheckAlive(List<ServerProcess> nodes)
    {
        if (nodes.FirstOrDefault(n => n.HasExited) is { } dead)
        {
            throw new InvalidOperationException($"{dead.Name} (pid {dead.Pid}) exited; see {dead.LogPath}");
        }
    }

    private static void Deadline(Stopwatch clock, TimeSpan limit, string what)
    {
        if (clock.Elapsed > limit)
        {
            throw new TimeoutException($"{what} within {limit.TotalSeconds:F0} s");
        }
    }
}
