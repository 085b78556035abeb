using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Hosting;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real PepperCache node in-process on a free loopback port (the same idea as the server tests'
/// PepperCacheApplication), shared by a test class as a class fixture.
/// </summary>
public sealed class PepperCacheNode : WebApplicationFactory<Program>, IAsyncLifetime
{
    public PepperCacheNode() => UseKestrel();

    public IPEndPoint RespEndPoint
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<NodeEndpoints>().RespEndPoint
                   ?? throw new InvalidOperationException("RESP endpoint not bound");
        }
    }

    public int Port => RespEndPoint.Port;

    /// <summary>More node settings (<c>PepperCache:RequirePass</c>...), for a node a test starts itself.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public ValueTask InitializeAsync()
    {
        _ = RespEndPoint;
        return ValueTask.CompletedTask;
    }

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        builder.UseSetting("PepperCache:Port", "0");
        builder.UseSetting("PepperCache:AdminPort", "0");
        builder.UseSetting("PepperCache:Node", "127.0.0.1");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        // Client tests do not exercise persistence; with it on, nodes on port 0 would share ./data/127.0.0.1-0.
        builder.UseSetting("PepperCache:AppendOnly", "no");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
