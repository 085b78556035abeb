using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Core.Cluster;
using PepperCache.Server.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// Several in-process nodes forming one cluster: the first founds it, the others start with <c>--cluster</c>
/// pointing at the first's admin port. With <c>spreadSlots</c>, each node runs <see cref="AssigningRebalancer"/>,
/// so slots end up where the slot map puts them.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _spreadSlots;

    private TestCluster(Dictionary<string, string?> settings, bool spreadSlots)
    {
        _settings = settings;
        _spreadSlots = spreadSlots;
    }

    public List<PepperCacheApplication> Nodes { get; } = [];

    public static async Task<TestCluster> StartAsync(int count, bool spreadSlots = true, int nodeTimeout = 5000, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["PepperCache:NodeTimeout"] = nodeTimeout.ToString(CultureInfo.InvariantCulture),
        };
        var cluster = new TestCluster(all, spreadSlots);
        for (var i = 0; i < count; i++)
        {
            cluster.AddNode();
        }

        await cluster.WaitUntilAsync(() => cluster.Nodes.All(n => ServingCount(n) == count), TimeSpan.FromSeconds(10), "every node sees every member");
        if (spreadSlots)
        {
            await cluster.WaitUntilAsync(() => cluster.Nodes.All(IsSpreadAsTheSlotMapSays), TimeSpan.FromSeconds(10), "slots spread as the slot map says");
        }

        return cluster;
    }

    /// <summary>Starts a node that joins through the first node (or founds the cluster when it is the first).</summary>
    public PepperCacheApplication AddNode(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(_settings);
        if (Nodes.Count > 0)
        {
            settings["PepperCache:Cluster"] = $"127.0.0.1:{Nodes[0].AdminEndPoint.Port}";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = new PepperCacheApplication(settings, _spreadSlots ? AssigningRebalancer.Register : null);
        _ = app.RespEndPoint;
        Nodes.Add(app);
        return app;
    }

    public static ClusterState State(PepperCacheApplication node) => node.Services.GetRequiredService<ClusterState>();

    public static int ServingCount(PepperCacheApplication node) => State(node).Members().Count(m => m.IsServing);

    public static bool IsSpreadAsTheSlotMapSays(PepperCacheApplication node)
    {
        var state = State(node);
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (state.OwnerOf(slot).Id != state.DesiredOwnerOf(slot).Id)
            {
                return false;
            }
        }

        return true;
    }

    public static async Task<string[]> GetClusterAsync(PepperCacheApplication node)
    {
        using var http = node.CreateAdminClient();
        return await http.GetFromJsonAsync<string[]>("/cluster", TestContext.Current.CancellationToken) ?? [];
    }

    /// <summary>Polls <paramref name="condition"/> every 25 ms until it holds, failing after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) => await Until(condition, timeout, what);

    public static async Task Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting until {what}");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Stops a node as a crash would: no graceful leave.</summary>
    public static async Task CrashAsync(PepperCacheApplication node)
    {
        node.Services.GetRequiredService<GossipService>().LeaveOnStop = false;
        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            try
            {
                node.Services.GetRequiredService<GossipService>().LeaveOnStop = false;
            }
            catch (ObjectDisposedException)
            {
                // Already stopped by the test.
            }
        }

        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
