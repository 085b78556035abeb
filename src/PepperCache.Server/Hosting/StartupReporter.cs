using Microsoft.Extensions.Options;
using PepperCache.Server.Logging;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Hosting;

/// <summary>Logs the original tool's start-up lines once the ports are bound, and the shutdown.</summary>
internal sealed class StartupReporter(
    IHostApplicationLifetime lifetime,
    IOptions<PepperCacheOptions> options,
    NodeEndpoints endpoints,
    ClientRegistry clients,
    ILogger<StartupReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(ReportStarted);
        lifetime.ApplicationStopping.Register(() => Log.ShuttingDown(logger, clients.ConnectedCount));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void ReportStarted()
    {
        var node = options.Value;
        Log.NodeIs(logger, node.Node);
        Log.ClusterIs(logger, string.IsNullOrEmpty(node.Cluster) ? node.Node : node.Cluster);
        Log.ServerRuns(logger);
        // With --tls-port and --port 0 there is no plain port, and no "Cache Port" line.
        if (node.PlainPortEnabled)
        {
            Log.CachePort(logger, endpoints.RespEndPoint?.Port ?? node.Port);
        }

        if (endpoints.TlsEndPoint is { } tls)
        {
            Log.TlsPort(logger, tls.Port);
        }

        Log.AdminPort(logger, endpoints.AdminEndPoint?.Port ?? node.AdminPort);
        if (node.AdminHttps)
        {
            Log.AdminHttps(logger);
        }

        Log.CachePid(logger, Environment.ProcessId);
        Log.Ready(logger);
    }
}
