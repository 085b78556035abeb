using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A real redis-server (7.0.15 from /usr/bin) on a free loopback port, for replaying a script against it and a node.
/// No persistence (<c>--save ''</c>, no AOF) and a scratch <c>--dir</c> of its own, deleted with it; killed by its
/// process id when disposed. Usable as a class fixture.
/// <c>--latency-tracking no</c>: otherwise Redis 7 allocates a 24 KB histogram the first time each command runs,
/// which moves used_memory by more than a memory-limit scenario's keys do.
/// </summary>
public sealed class RedisServerProcess : IAsyncLifetime
{
    private Process? _process;
    private string? _dir;

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>More redis-server arguments (<c>--aclfile</c>...), for a server a test starts itself.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Starts on a free port; should another test take the same port first, on another one (3 tries).</summary>
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
                await DisposeAsync();
            }
        }
    }

    public Task<RawRespClient> ConnectRawAsync() => RawRespClient.ConnectAsync(EndPoint);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartAsync(int port)
    {
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        _dir = Directory.CreateTempSubdirectory("peppercache-redis-").FullName;
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _dir,
            "--save", "", "--appendonly", "no", "--latency-tracking", "no",
        ];
        foreach (var argument in arguments.Concat(ExtraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Up when it answers, and it must be this process answering (another test may have been handed the same
        // port). At most 100 tries, 10 s.
        for (var attempt = 0; attempt < 100 && !_process.HasExited; attempt++)
        {
            try
            {
                await using var probe = await ConnectRawAsync();
                var info = await probe.CommandAsync("INFO", "server") as string ?? "";
                if (info.Contains($"process_id:{_process.Id}\r\n", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"redis-server did not start on {port} (is the port taken?)");
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
        if (_dir is not null)
        {
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }

            _dir = null;
        }
    }
}
