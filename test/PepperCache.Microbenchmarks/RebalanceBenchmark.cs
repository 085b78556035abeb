using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Core.Cluster;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Microbenchmarks;

/// <summary>
/// Not a BenchmarkDotNet benchmark: times moving keys when a 4th node joins a 3-node cluster of in-process nodes on
/// loopback, and client GET throughput before and during the move. Run: <c>dotnet run -c Release --project
/// test/PepperCache.Microbenchmarks -- rebalance [keys]</c>. Uses the test membership (shared in-memory slot table)
/// until membership is merged; the moves themselves are the production code path (RESP, PEPPER.IMPORT, SETSLOT).
/// </summary>
internal static class RebalanceBenchmark
{
    private const int Readers = 4;
    private const int Pipeline = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        var keyCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var membership = new TestMembership();
        var nodes = new List<(WebApplication App, ServerState Server, RebalanceService Rebalancer, ClusterNode Node)>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await StartNodeAsync(membership));
        }

        membership.Bootstrap([.. nodes.Select(n => n.Node)]);
        var byId = nodes.ToDictionary(n => n.Node.Id);
        var value = new byte[32];
        Array.Fill(value, (byte)'v');
        var keys = new string[keyCount];
        for (var i = 0; i < keyCount; i++)
        {
            keys[i] = "key:" + i.ToString(CultureInfo.InvariantCulture);
            var bytes = Encoding.ASCII.GetBytes(keys[i]);
            byId[membership.OwnerOf(HashSlot.Of(bytes)).Id].Server.Store.Set(bytes, value);
        }

        Console.WriteLine($"loaded {keyCount:N0} keys on 3 nodes");
        long ops = 0;
        long misses = 0;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
        {
            await using var client = new SlotRoutingClient(membership);
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var batch = Enumerable.Range(0, Pipeline).Select(_ => keys[random.Next(keys.Length)]).Select(k => client.ExecuteAsync(k, "GET", k));
                var replies = await Task.WhenAll(batch);
                Interlocked.Add(ref ops, replies.Length);
                Interlocked.Add(ref misses, replies.Count(x => x.IsNull));
            }
        })).ToArray();

        await Task.Delay(1000);
        var before = Interlocked.Read(ref ops);
        await Task.Delay(3000);
        var baseline = (Interlocked.Read(ref ops) - before) / 3.0;
        Console.WriteLine($"GET throughput before: {baseline:N0}/s");

        var joining = await StartNodeAsync(membership);
        nodes.Add(joining);
        var opsAtJoin = Interlocked.Read(ref ops);
        var clock = Stopwatch.StartNew();
        membership.Add(joining.Node);
        foreach (var node in nodes)
        {
            await node.Rebalancer.WhenSettledAsync(CancellationToken.None);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var during = (Interlocked.Read(ref ops) - opsAtJoin) / seconds;
        var moved = nodes.Sum(n => n.Rebalancer.Progress.KeysMoved);
        var slots = nodes.Sum(n => n.Rebalancer.Progress.SlotsMoved);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Console.WriteLine($"join: {slots:N0} slots, {moved:N0} keys moved in {seconds:F2} s = {moved / seconds:N0} keys/s");
        Console.WriteLine($"GET throughput during the move: {during:N0}/s ({during / baseline:P0} of before); misses: {Interlocked.Read(ref misses)}");
        Console.WriteLine($"keys per node after: {string.Join(", ", nodes.Select(n => n.Server.Store.Count.ToString("N0", CultureInfo.InvariantCulture)))}; total {nodes.Sum(n => n.Server.Store.Count):N0}");
        foreach (var node in nodes)
        {
            await node.App.StopAsync();
            await node.App.DisposeAsync();
        }

        return 0;
    }

    private static async Task<(WebApplication App, ServerState Server, RebalanceService Rebalancer, ClusterNode Node)> StartNodeAsync(TestMembership membership)
    {
        var id = TestMembership.NewNodeId();
        var view = membership.CreateView(id);
        var builder = WebApplication.CreateBuilder();
        builder.AddPepperCache(ServerArguments.Parse(["--port=0", "--admin-port=0"]));
        builder.Services.AddSingleton<IClusterView>(view);
        builder.Services.AddSingleton(_ => new CommandDispatcher(TestClusterCommand.CreateTable()));
        var app = builder.Build();
        await app.StartAsync();
        var endpoints = app.Services.GetRequiredService<NodeEndpoints>();
        var node = view.Bind("127.0.0.1", endpoints.RespEndPoint!.Port, endpoints.AdminEndPoint!.Port);
        return (app, app.Services.GetRequiredService<ServerState>(), app.Services.GetRequiredService<RebalanceService>(), node);
    }
}
