using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A real node in-process: Kestrel on real loopback sockets, RESP and admin ports both picked free (port 0), read
/// back after start. Extra configuration (<c>PepperCache:Hz</c>...) can be passed in.
/// The append-only file (on by default) goes to a temporary directory of this node's own, deleted on dispose,
/// unless the settings name a <c>PepperCache:Dir</c> (restart tests), which the caller then owns.
/// </summary>
public sealed class PepperCacheApplication : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly bool _ownsDataDirectory;

    public PepperCacheApplication(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        _configureServices = configureServices;
        if (_settings.TryGetValue("PepperCache:Dir", out var dir) && dir is not null)
        {
            DataDirectory = dir;
        }
        else
        {
            DataDirectory = Directory.CreateTempSubdirectory("peppercache-test-").FullName;
            _ownsDataDirectory = true;
        }

        UseKestrel();
    }

    // Set when starting the server threw: disposing must not then stop what never started.
    private bool _startFailed;

    /// <summary>Starts the server (idempotent) and returns the bound RESP endpoint.</summary>
    public IPEndPoint RespEndPoint
    {
        get
        {
            Start();
            return Services.GetRequiredService<NodeEndpoints>().RespEndPoint
                   ?? throw new InvalidOperationException("RESP endpoint not bound");
        }
    }

    public IPEndPoint AdminEndPoint
    {
        get
        {
            Start();
            return Services.GetRequiredService<NodeEndpoints>().AdminEndPoint
                   ?? throw new InvalidOperationException("Admin endpoint not bound");
        }
    }

    /// <summary>The bound TLS cache endpoint (<c>PepperCache:TlsPort</c>); starts the server.</summary>
    public IPEndPoint TlsEndPoint
    {
        get
        {
            Start();
            return Services.GetRequiredService<NodeEndpoints>().TlsEndPoint
                   ?? throw new InvalidOperationException("TLS endpoint not bound");
        }
    }

    /// <summary>Where this node keeps appendonly.aof.</summary>
    public string DataDirectory { get; }

    public KeyValueStore Store => Services.GetRequiredService<KeyValueStore>();

    /// <summary>An HTTP client for the admin port.</summary>
    public HttpClient CreateAdminClient() => new() { BaseAddress = new Uri($"http://{AdminEndPoint}") };

    /// <summary>A StackExchange.Redis connection to this node (the caller disposes it).</summary>
    public Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { RespEndPoint },
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
        };
        configure?.Invoke(options);
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>A raw socket for exact-byte tests.</summary>
    public Task<RawRespClient> ConnectRawAsync() => RawRespClient.ConnectAsync(RespEndPoint);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("PepperCache:Port", "0");
        builder.UseSetting("PepperCache:AdminPort", "0");
        builder.UseSetting("PepperCache:Node", "127.0.0.1");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("PepperCache:Dir", DataDirectory);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
        }
    }

    private void Start()
    {
        try
        {
            StartServer();
        }
        catch
        {
            _startFailed = true;
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (ArgumentNullException) when (_startFailed)
        {
            // A host whose StartAsync threw before it listed its hosted services (tests of refused start-ups) has
            // nothing running, and the generic host's StopAsync trips over the missing list.
        }

        DeleteDataDirectory();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        DeleteDataDirectory();
    }

    private void DeleteDataDirectory()
    {
        if (!_ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone (disposed twice).
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
