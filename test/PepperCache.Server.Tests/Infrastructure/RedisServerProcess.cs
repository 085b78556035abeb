using System.Net;
using PepperCache.Testing;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A real redis-server (<see cref="RedisServer"/>) for replaying a script against it and a node; usable as a class
/// fixture. <c>--latency-tracking no</c>: otherwise Redis 7 allocates a 24 KB histogram the first time each command
/// runs, which moves used_memory by more than a memory-limit scenario's keys do.
/// </summary>
public sealed class RedisServerProcess : IAsyncLifetime
{
    private RedisServer? _server;

    public IPEndPoint EndPoint => _server?.EndPoint ?? throw new InvalidOperationException("not started");

    /// <summary>More redis-server arguments (<c>--aclfile</c>...), for a server a test starts itself.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    public async ValueTask InitializeAsync() => _server = await RedisServer.StartAsync(["--latency-tracking", "no", .. ExtraArguments]);

    public Task<RawRespClient> ConnectRawAsync() => RawRespClient.ConnectAsync(EndPoint);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
