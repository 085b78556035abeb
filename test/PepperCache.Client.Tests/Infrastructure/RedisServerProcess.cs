using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, without persistence, ended when disposed. Also usable as a class
/// fixture. A port can be given to bring a server up where a client already expects one. Its working directory
/// (<c>--dir</c>, where a SHUTDOWN or SAVE would write dump.rdb) is a scratch directory deleted on dispose, never
/// the test's or the repository's.
/// </summary>
public sealed class RedisServerProcess : IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pepper-redis-server-").FullName;
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>Starts on a free port; should another test take the same port first, on another one.</summary>
    public async ValueTask InitializeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync(FreePort());
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await StopAsync();
            }
        }
    }

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
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Up when it answers, and it must be this process answering: two tests can be handed the same free port, and
        // then the second server fails to bind while the probe reaches the first. At most 100 tries, 10 s.
        for (var attempt = 0; attempt < 100 && !_process.HasExited; attempt++)
        {
            try
            {
                await using var probe = await PepperCache.Client.RespConnection.ConnectAsync("127.0.0.1", port);
                var info = (await probe.ExecuteAsync("INFO", "server")).Text ?? "";
                if (info.Contains($"process_id:{_process.Id}\r\n", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (PepperCache.Client.RespConnectionException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"redis-server did not start on {port} (is the port taken?)");
    }

    /// <summary>Ends the server and deletes its scratch directory; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async ValueTask StopAsync()
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
