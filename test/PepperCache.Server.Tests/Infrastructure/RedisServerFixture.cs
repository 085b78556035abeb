using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A real redis-server (the reference for differential tests) on a free loopback port, without persistence, ended by
/// its pid when disposed; beside it a PepperCache node, so one class fixture gives a test both ends to compare.
/// </summary>
/// <remarks>The same as PepperCache.Client.Tests' RedisServerProcess: the two test projects share no helper project.</remarks>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _process;

    public IPEndPoint RedisEndPoint { get; private set; } = null!;

    public PepperCacheApplication Node { get; } = new();

    public async ValueTask InitializeAsync()
    {
        _ = Node.RespEndPoint;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync(FreePort());
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                Stop();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await Node.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartAsync(int port)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        RedisEndPoint = new IPEndPoint(IPAddress.Loopback, port);

        // Up when it answers, and it must be this process answering (two tests may be handed one free port). 10 s.
        for (var attempt = 0; attempt < 100 && !_process.HasExited; attempt++)
        {
            try
            {
                await using var probe = await RespSocket.ConnectAsync(RedisEndPoint);
                var info = await probe.CommandAsync("INFO", "server");
                if (info.Text.Contains($"process_id:{_process.Id}\r\n", StringComparison.Ordinal))
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

    private void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }
}
