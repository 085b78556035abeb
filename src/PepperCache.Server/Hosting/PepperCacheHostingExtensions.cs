using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Server.Acl;
using PepperCache.Server.Cluster;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;
using Serilog;
using Log = PepperCache.Server.Logging.Log;

namespace PepperCache.Server.Hosting;

internal static class PepperCacheHostingExtensions
{
    // {LogNode} is empty unless Serilog:Properties:LogNode is set: several nodes logging to one console (the cluster tests) name themselves.
    private const string ConsoleTemplate = "{Timestamp:yyyy/MM/dd HH:mm:ss} [{Level:u3}] {LogNode}{Message:lj}{NewLine}{Exception}";

    /// <summary>Registers the node: options, store, command table, both Kestrel endpoints, logging, background services.</summary>
    public static WebApplicationBuilder AddPepperCache(this WebApplicationBuilder builder, ServerArguments arguments)
    {
        // Flags and PEPPER_* variables win over appsettings.json.
        builder.Configuration.AddInMemoryCollection(arguments.Settings);

        builder.Services.AddOptions<PepperCacheOptions>()
            .BindConfiguration(PepperCacheOptions.SectionName)
            .Validate(o => o.Port is >= 0 and <= 65535, "PepperCache:Port must be 0-65535")
            .Validate(o => o.AdminPort is >= 0 and <= 65535, "PepperCache:AdminPort must be 0-65535")
            .Validate(o => o.Port == 0 || o.Port != o.AdminPort, "PepperCache:Port and PepperCache:AdminPort must differ")
            .Validate(o => o.ProtoMaxBulkLen > 0, "PepperCache:ProtoMaxBulkLen must be positive")
            .Validate(o => o.Hz is >= 1 and <= 500, "PepperCache:Hz must be 1-500")
            .Validate(o => o.NodeTimeout >= 100, "PepperCache:NodeTimeout must be at least 100 ms")
            .Validate(o => o.LeaveTimeout >= 0, "PepperCache:LeaveTimeout must not be negative")
            .Validate(o => o.ForgetAfter >= 0, "PepperCache:ForgetAfter must not be negative")
            .Validate(o => AofSettings.TryParseFsync(o.AppendFsync, out _), "PepperCache:AppendFsync must be always, everysec or no")
            .Validate(o => o.Transport.ToLowerInvariant() is "sockets" || (o.EpollTransportEnabled && Transport.EpollTransport.IsSupported),
                "PepperCache:Transport must be epoll (Linux on x64 or arm64) or sockets")
            .Validate(o => o.IoThreads is >= 0 and <= PepperCacheOptions.MaxIoThreads, $"PepperCache:IoThreads must be 0-{PepperCacheOptions.MaxIoThreads} (0 = one per core)")
            .Validate(o => o.IoThreads == 0 || o.EpollTransportEnabled, "PepperCache:IoThreads sets the epoll transport's loops; with --transport sockets leave it 0")
            .Validate(o => o.AutoAofRewritePercentage >= 0, "PepperCache:AutoAofRewritePercentage must not be negative")
            .Validate(o => o.ClusterMoveMaxKeysPerSec >= 0, "PepperCache:ClusterMoveMaxKeysPerSec must not be negative")
            .Validate(o => o.ClusterMoveMinClientPercent is >= 0 and <= 100, "PepperCache:ClusterMoveMinClientPercent must be 0-100")
            .Validate(o => o.MaxMemory >= 0, "PepperCache:MaxMemory must not be negative")
            .Validate(o => EvictionPolicies.TryParse(o.MaxMemoryPolicy, out _), "PepperCache:MaxMemoryPolicy must be one of Redis's eight policies")
            .Validate(o => o.MaxMemorySamples >= 1, "PepperCache:MaxMemorySamples must be at least 1")
            .Validate(o => o.LfuLogFactor >= 0 && o.LfuDecayTime >= 0, "PepperCache:LfuLogFactor and LfuDecayTime must not be negative")
            .Validate(o => o.MaxClients is >= 1 and <= uint.MaxValue, "PepperCache:MaxClients must be 1-4294967295")
            .Validate(o => o.Timeout is >= 0 and <= int.MaxValue, "PepperCache:Timeout must be 0-2147483647 (seconds)")
            .Validate(o => o.TcpKeepAlive is >= 0 and <= int.MaxValue, "PepperCache:TcpKeepAlive must be 0-2147483647 (seconds)")
            .Validate(o => OutputBufferLimits.TryParse(o.ClientOutputBufferLimit, OutputBufferLimits.Default, out _) is null,
                "PepperCache:ClientOutputBufferLimit must be groups of <class> <hard> <soft> <soft seconds>")
            .Validate(o => IPAddress.TryParse(o.BindAddress, out _) || o.BindAddress == "localhost", "PepperCache:Bind (or Node) must be an IP address")
            .Validate(
                o => !string.IsNullOrEmpty(o.ClusterSecret) || Http.MembershipAccess.IsLoopbackBind(o.BindAddress),
                "listening on a non-loopback address needs a cluster secret: set --cluster-secret (or PEPPER_CLUSTER_SECRET), the same on every member")
            .Validate(o => o.ProtectedMode.ToLowerInvariant() is "yes" or "no", "PepperCache:ProtectedMode must be yes or no")
            .Validate(o => o.AclLogMaxLen >= 0, "PepperCache:AclLogMaxLen must not be negative")
            .Validate(o => o.TlsPort is >= 0 and <= 65535, "PepperCache:TlsPort must be 0-65535")
            .Validate(o => o.TlsPort == 0 || (o.TlsPort != o.Port && o.TlsPort != o.AdminPort), "PepperCache:TlsPort must differ from Port and AdminPort")
            .Validate(o => Tls.NodeTls.TryParseAuthClients(o.TlsAuthClients, out _), "PepperCache:TlsAuthClients must be yes, no or optional")
            .Validate(o => o.TlsCluster.ToLowerInvariant() is "yes" or "no" && o.TlsAdmin.ToLowerInvariant() is "yes" or "no",
                "PepperCache:TlsCluster and PepperCache:TlsAdmin must be yes or no")
            .Validate(o => !o.TlsClusterEnabled || o.TlsPort != 0, "--tls-cluster yes needs a --tls-port: peers move slots to this node over TLS")
            .ValidateOnStart();

        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            // The node reports its own start-up failures in one line; the host would add a full stack trace.
            .Filter.ByExcluding(e => StartupFailure.IsExpected(e.Exception))
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: ConsoleTemplate));

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => CreateStore(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<PepperCacheOptions>>().Value));
        // ClusterState reads nodes.json and writes it back with a new incarnation as it is made: the ports come first,
        // so a node that cannot have them leaves the file alone (NodeEndpoints), then the data directory's lock, so a
        // second node on the same --dir leaves it alone too (DataDirectoryLock).
        builder.Services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>().Acquire();
            return ActivatorUtilities.CreateInstance<ClusterState>(sp);
        });
        builder.Services.AddSingleton<IClusterView>(sp => sp.GetRequiredService<ClusterState>());
        builder.Services.AddSingleton<PeerClient>();
        builder.Services.AddSingleton<GossipService>();
        builder.Services.AddSingleton<ViewPush>();
        builder.Services.AddSingleton(sp => new CommandDispatcher(CommandTable.CreateDefault(), sp.GetRequiredService<ClusterState>()));
        builder.Services.AddSingleton<ClientRegistry>();
        // Users and passwords; loading --aclfile here fails start-up on a bad file, as in Redis.
        builder.Services.AddSingleton(sp => new AclState(
            sp.GetRequiredService<CommandDispatcher>().Table, sp.GetRequiredService<ClientRegistry>(), sp.GetRequiredService<IOptions<PepperCacheOptions>>().Value));
        builder.Services.TryAddSingleton<AofStorage>();
        builder.Services.AddSingleton<AppendOnlyLog>();
        builder.Services.AddSingleton<ServerState>();
        builder.Services.AddSingleton<NodeEndpoints>();
        builder.Services.AddSingleton<DataDirectoryLock>();
        builder.Services.AddSingleton<RespConnectionHandler>();
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddSingleton<NodeMetrics>();
        // Certificates read once; a missing file or a key that is not the certificate's stops start-up (one line).
        builder.Services.AddSingleton<Tls.NodeTls>();
        // Admin and membership calls refused: at most 10 warnings a minute, then a count (see LogRateLimiter).
        builder.Services.AddKeyedSingleton(Http.AdminAuth.RefusalLogKey, (sp, _) => new Logging.LogRateLimiter(
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Http.AdminAuth)), "refused admin call", 10,
            TimeSpan.FromMinutes(1), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<AofService>();
        builder.Services.AddHostedService<StartupReporter>();
        builder.Services.AddHostedService<ExpiryService>();
        builder.Services.AddHostedService<ClientLimitsService>();
        // MIGRATE's connections to its targets: swept once a second, closed when the node stops.
        builder.Services.AddSingleton<Commands.MigrateSocketCache>();
        builder.Services.AddHostedService<MigrateSocketService>();
        // Hosted services stop in reverse order: the rebalancer must outlive the gossip service's graceful leave.
        builder.Services.AddSingleton<RebalanceService>();
        builder.Services.AddSingleton<IRebalancer>(sp => sp.GetRequiredService<RebalanceService>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RebalanceService>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GossipService>());
        // A graceful leave waits up to LeaveTimeout for the slots to move; the host must wait at least as long.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<PepperCacheOptions>>((host, node) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(node.Value.LeaveTimeout));

        builder.WebHost.UseSockets(sockets =>
        {
            // Run handlers on the socket thread: together with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 this
            // cut CPU per request by 41-76% (shared/PERFORMANCE.md). The price: handlers must never block.
            sockets.UnsafePreferInlineScheduling = true;
            // The transport stops reading a client's socket once this much of its input waits unparsed: commands past
            // 256 KB are taken out of the pipe as they arrive, so only a client that sends without reading replies
            // is held here (TCP then holds it back), instead of the node buffering its input without bound.
            sockets.MaxReadBufferSize = RespConnectionHandler.MaxReadBufferSize;
            // Receive straight into a buffer instead of a zero-byte "wait for data" receive first. It does not save a
            // syscall (perf stat: 2.0 recvfrom per -P 1 GET either way, one of them the EAGAIN .NET takes before it
            // waits for epoll; an strace count showing 1.0 was strace slowing the node), but measured the same or a
            // little less CPU per request (18.8-19.1 against 18.8-20.2 us), for a 4 KB buffer per idle connection.
            sockets.WaitForDataBeforeAllocatingBuffer = false;
        });
        // Accepts that wait instead of spinning when descriptors run out; last registered, so Kestrel uses it.
        builder.Services.AddSingleton<DescriptorHeadroom>();
        builder.Services.AddSingleton<EventLoopStatus>();
        builder.Services.AddSingleton<IConnectionListenerFactory, BackoffSocketTransportFactory>();
        // Kestrel listens on the sockets NodeEndpoints bound before any data was read (see there).
        builder.Services.AddOptions<SocketTransportOptions>().Configure<NodeEndpoints>((sockets, endpoints) =>
            sockets.CreateBoundListenSocket = endpoints.CreateBoundListenSocket);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            var endpoints = kestrel.ApplicationServices.GetRequiredService<NodeEndpoints>();
            var node = kestrel.ApplicationServices.GetRequiredService<IOptions<PepperCacheOptions>>().Value;
            // Read here, as the host is built, so a bad certificate stops the node before it touches its data.
            var tls = kestrel.ApplicationServices.GetRequiredService<Tls.NodeTls>();
            // The handler is resolved at each connection rather than here: building the host configures Kestrel, and
            // the handler's services (ServerState, ClusterState) read the node's data, which waits for the ports.
            if (node.PlainPortEnabled)
            {
                kestrel.Listen(endpoints.ListenEndPoint(NodeEndpoints.NodePort.Cache), listen => listen.Run(connection =>
                    listen.ApplicationServices.GetRequiredService<RespConnectionHandler>().OnConnectedAsync(connection)));
            }

            if (node.TlsPort != 0)
            {
                // Kestrel's own TLS (its HTTPS connection middleware) in front of the same RESP handler.
                kestrel.Listen(endpoints.ListenEndPoint(NodeEndpoints.NodePort.Tls), listen => listen
                    .UseHttps(tls.ServerOptions())
                    .Run(connection => listen.ApplicationServices.GetRequiredService<RespConnectionHandler>().OnConnectedAsync(connection)));
            }

            kestrel.Listen(endpoints.ListenEndPoint(NodeEndpoints.NodePort.Admin), listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (tls.AdminHttps)
                {
                    listen.UseHttps(tls.ServerOptions());
                }
            });
        });
        return builder;
    }

    /// <summary>The keyspace, with the memory limit and eviction parameters the settings give.</summary>
    internal static KeyValueStore CreateStore(TimeProvider time, PepperCacheOptions options)
    {
        var store = new KeyValueStore(time);
        var memory = store.Memory;
        memory.MaxMemory = options.MaxMemory;
        memory.Policy = EvictionPolicies.TryParse(options.MaxMemoryPolicy, out var policy) ? policy : EvictionPolicy.NoEviction;
        memory.Samples = options.MaxMemorySamples;
        memory.LfuLogFactor = options.LfuLogFactor;
        memory.LfuDecayTime = options.LfuDecayTime;
        return store;
    }

    /// <summary>
    /// Builds and runs the node until SIGTERM/Ctrl-C, then exits 0. A node that cannot start (bad settings, a port
    /// in use) logs one short line, writes one line to stderr and exits 1, instead of an unhandled-exception dump.
    /// </summary>
    public static async Task<int> RunNodeAsync(this WebApplicationBuilder builder, Action<WebApplication> configure)
    {
        WebApplication app;
        try
        {
            // Kestrel's options (and so PepperCacheOptions) are resolved while the application is built, and with them
            // the connection handler's state: a bad --aclfile fails here.
            app = builder.Build();
        }
        catch (Exception ex) when (StartupFailure.IsExpected(ex))
        {
            return await ReportStartFailureAsync(null, StartupFailure.Describe(ex)).ConfigureAwait(false);
        }

        await using (app.ConfigureAwait(false))
        {
            var options = app.Services.GetRequiredService<IOptions<PepperCacheOptions>>().Value;
            if (options.AofFix)
            {
                return await FixAofAsync(options).ConfigureAwait(false);
            }

            configure(app);
            InterruptSignal.StopIgnoring();
            try
            {
                // The ports first: a node that cannot have them exits before it reads or writes any data. Then the
                // data directory's lock: a node whose directory another holds exits before it reads or writes it.
                app.Services.GetRequiredService<DataDirectoryLock>().Acquire();
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (StartupFailure.IsExpected(ex))
            {
                var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PepperCacheHostingExtensions));
                return await ReportStartFailureAsync(logger, StartupFailure.Describe(ex)).ConfigureAwait(false);
            }

            // Returns after SIGTERM/Ctrl-C once the host has stopped: listeners closed, connections drained.
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// <c>--aof-fix</c>: truncates the file only while holding the directory's lock, so never under a running node
    /// (whose writer would go on appending at its old offset). A directory that does not exist is not made.
    /// </summary>
    private static async Task<int> FixAofAsync(PepperCacheOptions options)
    {
        var path = Path.Combine(options.AofDirectory, AofSettings.FileName);
        FileStream? claim = null;
        try
        {
            if (Directory.Exists(options.AofDirectory))
            {
                claim = DataDirectoryLock.Take(options.AofDirectory, $"pid {Environment.ProcessId}, --aof-fix");
            }

            return await AofCheck.FixAsync(path, Console.Out).ConfigureAwait(false);
        }
        catch (DataDirectoryInUseException ex)
        {
            return await ReportStartFailureAsync(null, ex.Message).ConfigureAwait(false);
        }
        finally
        {
            if (claim is not null)
            {
                await claim.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> ReportStartFailureAsync(Microsoft.Extensions.Logging.ILogger? logger, string reason)
    {
        if (logger is not null)
        {
            Log.CannotStart(logger, reason);
        }

        await Console.Error.WriteLineAsync("error: " + reason).ConfigureAwait(false);
        return 1;
    }
}
