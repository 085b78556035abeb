using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, without persistence, ended when disposed. Also usable as a class
/// fixture. A port can be given to bring a server up where a client already expects one.
/// </summary>
public sealed class RedisServerProcess : IAsyncLifetime, IDisposable
{
    private Process? _process;

    public int Port { get; private set; }

    public ValueTask InitializeAsync() => StartAsync(FreePort());

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask StartAsync(int port)
    {
        Port = port;
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Up when it accepts a connection: at most 100 tries, 10 s.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (!_process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on {port}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
