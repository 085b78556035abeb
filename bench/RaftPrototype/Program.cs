using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DotNext.Net.Cluster.Consensus.Raft;
using RaftPrototype;

// Issue 15, "Gossip or Raft": what DotNext's Raft (DotNext.Net.Cluster, TCP transport) costs for PepperCache's
// slot-table decisions, measured on loopback with three nodes in this one process. Each node's peers reach it
// through a counting relay, so the byte figures are what crosses the wire (Raft framing included).
//   dotnet run -c Release --project bench/RaftPrototype [rounds] [commits]
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var commits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;

// Two timeout settings: DotNext's defaults (elections after 150-300 ms of silence), and 1-2 s, the scale of
// PepperCache's --node-timeout (2 s in the tests): what a loaded shared machine needs to avoid false elections.
foreach (var (lower, upper) in new[] { (150, 300), (1000, 2000) })
{
    var elections = new List<double>();
    var failovers = new List<double>();
    var latencies = new List<double>();
    var bytesPerChange = new List<double>();
    var cpuPerChange = new List<double>();
    var idleBytesPerSecond = new List<double>();
    var idleCpuPerSecond = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        await using var cluster = await RaftTrio.StartAsync(lower, upper);
        elections.Add(cluster.ElectionMilliseconds);

        // Idle: heartbeats only.
        var (idleBytes, idleCpu, idleSeconds) = await Measure(cluster, () => Task.Delay(2000));
        idleBytesPerSecond.Add(idleBytes / idleSeconds);
        idleCpuPerSecond.Add(idleCpu.TotalMilliseconds / idleSeconds);

        // A slot-table change as PepperCache would log it: "slots 0-1364 and 5461-6825 go to member 4 at plan epoch
        // 17", a plan delta of ~40 bytes; padded to 64 bytes for ids and a header.
        var payload = new byte[64];
        Random.Shared.NextBytes(payload);
        var clock = new Stopwatch();
        var (changeBytes, changeCpu, changeSeconds) = await Measure(cluster, async () =>
        {
            for (var i = 0; i < commits; i++)
            {
                clock.Restart();
                // Returns once a majority has the entry and the leader has committed it.
                await cluster.Leader.ReplicateAsync(payload);

                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        });
        bytesPerChange.Add((changeBytes - idleBytes / idleSeconds * changeSeconds) / commits);
        // Heartbeats run meanwhile: their bytes and CPU (at the idle rate) are taken out.
        cpuPerChange.Add((changeCpu.TotalMilliseconds - idleCpu.TotalMilliseconds / idleSeconds * changeSeconds) * 1000 / commits);

        failovers.Add(await cluster.KillLeaderAndTimeNewLeaderAsync());
    }

    Console.WriteLine($"## Raft election timeout {lower}-{upper} ms, {rounds} fresh 3-node clusters, {commits} commits each");
    Console.WriteLine("| what | median | max |");
    Console.WriteLine("|---|---|---|");
    Row("leader elected after start (ms)", elections);
    Row("commit of a 64-byte entry, leader to majority (ms)", latencies);
    Row("bytes on the wire per committed change (all nodes)", bytesPerChange);
    Row("CPU per committed change, all 3 nodes (us)", cpuPerChange);
    Row("idle heartbeat bytes per second (all nodes)", idleBytesPerSecond);
    Row("idle CPU, all 3 nodes (ms per second)", idleCpuPerSecond);
    Row("leader killed -> survivors agree on a new leader (ms)", failovers);
    Console.WriteLine();
}

static async Task<(long Bytes, TimeSpan Cpu, double Seconds)> Measure(RaftTrio cluster, Func<Task> work)
{
    var process = Process.GetCurrentProcess();
    var bytes = cluster.Bytes;
    var cpu = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    await work();
    process.Refresh();
    return (cluster.Bytes - bytes, process.TotalProcessorTime - cpu, clock.Elapsed.TotalSeconds);
}

static void Row(string what, List<double> values)
{
    values.Sort();
    Console.WriteLine($"| {what} | {values[values.Count / 2]:F1} | {values[^1]:F1} |");
}

/// <summary>Three Raft nodes on loopback, each behind a <see cref="CountingProxy"/> that is its public address.</summary>
internal sealed class RaftTrio : IAsyncDisposable
{
    private readonly List<RaftCluster> _nodes = [];
    private readonly List<CountingProxy> _proxies = [];
    private readonly List<string> _folders = [];

    public double ElectionMilliseconds { get; private set; }

    public long Bytes => _proxies.Sum(p => p.Bytes);

    public RaftCluster Leader => _nodes.Single(n => n.Leader is { IsRemote: false });

    public static async Task<RaftTrio> StartAsync(int lowerElectionTimeout, int upperElectionTimeout)
    {
        var trio = new RaftTrio();
        var ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToList();
        trio._proxies.AddRange(ports.Select(p => new CountingProxy(new IPEndPoint(IPAddress.Loopback, p))));
        for (var i = 0; i < 3; i++)
        {
            var folder = Directory.CreateTempSubdirectory("raft-prototype-").FullName;
            trio._folders.Add(folder);
            trio._nodes.Add(RaftNode.Create(
                new IPEndPoint(IPAddress.Loopback, ports[i]), trio._proxies[i].EndPoint, trio._proxies.Select(p => p.EndPoint), folder,
                lowerElectionTimeout, upperElectionTimeout));
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(trio._nodes.Select(n => n.StartAsync(CancellationToken.None)));
        await UntilOneLeaderAsync(trio._nodes, TimeSpan.FromSeconds(30));
        trio.ElectionMilliseconds = clock.Elapsed.TotalMilliseconds;
        return trio;
    }

    /// <summary>
    /// Stops the leader as a crash would look from the network (its relay drops every connection and refuses new
    /// ones, then the node is disposed without a graceful stop) and times until the two others agree on a new leader.
    /// </summary>
    public async Task<double> KillLeaderAndTimeNewLeaderAsync()
    {
        var leader = Leader;
        var index = _nodes.IndexOf(leader);
        var clock = Stopwatch.StartNew();
        await _proxies[index].DisposeAsync();
        _proxies.RemoveAt(index);
        _nodes.RemoveAt(index);
        leader.Dispose();
        await RaftTrio.UntilOneLeaderAsync(_nodes, TimeSpan.FromSeconds(30));
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task UntilOneLeaderAsync(List<RaftCluster> nodes, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!HasOneLeader(nodes))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException("no single leader");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Exactly one node leads, and every node names it.</summary>
    private static bool HasOneLeader(List<RaftCluster> nodes)
    {
        var named = nodes.Select(n => n.Leader?.EndPoint).ToList();
        return nodes.Count(n => n.Leader is { IsRemote: false }) == 1 && named.All(e => e is not null && e.Equals(named[0]));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.StopAsync(CancellationToken.None);
            node.Dispose();
        }

        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
