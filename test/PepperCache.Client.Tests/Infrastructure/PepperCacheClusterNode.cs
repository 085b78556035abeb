using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Client.Cluster;
using PepperCache.Server.Hosting;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// One member of a <see cref="PepperCacheCluster"/>: a real node in-process on free loopback ports, joining through
/// <paramref name="join"/> (the admin <c>host:port</c> of a member; null founds a cluster). Disposing it stops the
/// host, which leaves the cluster gracefully: the node's slots and keys are handed over before it exits.
/// </summary>
public sealed class PepperCacheClusterNode : WebApplicationFactory<Program>
{
    private readonly string? _join;

    public PepperCacheClusterNode(string? join)
    {
        _join = join;
        UseKestrel();
    }

    /// <summary>The RESP endpoint (starts the node on first use).</summary>
    public IPEndPoint RespEndPoint
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<NodeEndpoints>().RespEndPoint
                   ?? throw new InvalidOperationException("RESP endpoint not bound");
        }
    }

    public IPEndPoint AdminEndPoint
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<NodeEndpoints>().AdminEndPoint
                   ?? throw new InvalidOperationException("Admin endpoint not bound");
        }
    }

    /// <summary>The node as CLUSTER SLOTS and MOVED name it.</summary>
    public ClusterNode Node => new("127.0.0.1", RespEndPoint.Port);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("PepperCache:Port", "0");
        builder.UseSetting("PepperCache:AdminPort", "0");
        builder.UseSetting("PepperCache:Node", "127.0.0.1");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");

        // No --dir and port 0: the node keeps no files (nodes.json, AOF), so members cannot share a directory.
        builder.UseSetting("PepperCache:AppendOnly", "no");
        if (_join is not null)
        {
            builder.UseSetting("PepperCache:Cluster", _join);
        }
    }
}
