using PepperCache.Testing;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real redis-server (<see cref="RedisServer"/>) that a test starts and ends, also usable as a class fixture. A port
/// can be given to bring a server up where a client already expects one.
/// </summary>
public sealed class RedisServerProcess : IAsyncLifetime, IDisposable
{
    private RedisServer? _server;

    public int Port { get; private set; }

    /// <summary>Starts on a free port.</summary>
    public async ValueTask InitializeAsync() => Use(await RedisServer.StartAsync());

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort() => RedisServer.FreePort();

    public async ValueTask StartAsync(int port) => Use(await RedisServer.StartAsync(port: port));

    /// <summary>Ends the server and deletes its scratch directory; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Use(RedisServer server)
    {
        _server = server;
        Port = server.Port;
    }
}
