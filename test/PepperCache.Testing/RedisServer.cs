using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PepperCache.Client;

namespace PepperCache.Testing;

/// <summary>
/// The one way the tests start a real redis-server (7.0.15 from Debian's package): on loopback, without persistence
/// (<c>--save ''</c>, no AOF), with a scratch <c>--dir</c> of its own (where a SHUTDOWN, SAVE or cluster config would
/// write) deleted with it, and ended by its process id when disposed. Started means answering: the probe asks
/// <c>INFO server</c> until this process's id answers, since two tests may be handed the same free port.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Tries of the probe, 100 ms apart: at most 10 s for the server to answer.</summary>
    private const int ProbeAttempts = 100;

    private readonly Process _process;
    private bool _disposed;

    private RedisServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>The server's working directory, deleted on dispose.</summary>
    public string Directory { get; }

    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts a server with <paramref name="arguments"/> after the defaults (a later one wins, as in redis.conf).
    /// On a free port, trying another one twice should another test take it first; or on <paramref name="port"/>,
    /// once, where a client already expects a server.
    /// </summary>
    public static async Task<RedisServer> StartAsync(IEnumerable<string>? arguments = null, int? port = null)
    {
        string[] extra = [.. arguments ?? []];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnAsync(port ?? FreePort(), extra).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (port is null && attempt < 3)
            {
                // The port was taken meanwhile: another one.
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

    private static async Task<RedisServer> StartOnAsync(int port, string[] extra)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("peppercache-redis-").FullName;
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        string[] defaults = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no"];
        foreach (var argument in defaults.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (Win32Exception e)
        {
            DeleteDirectory(directory);
            throw new InvalidOperationException($"redis-server is not installed (test.sh installs Debian's redis-server): {e.Message}", e);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port, directory);
        if (await server.AnswersAsync().ConfigureAwait(false))
        {
            return server;
        }

        await server.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"redis-server did not start on {port} (is the port taken?)");
    }

    private async Task<bool> AnswersAsync()
    {
        for (var attempt = 0; attempt < ProbeAttempts && !_process.HasExited; attempt++)
        {
            try
            {
                await using var probe = await RespConnection.ConnectAsync("127.0.0.1", Port).ConfigureAwait(false);
                var info = (await probe.ExecuteAsync("INFO", "server").ConfigureAwait(false)).Text ?? "";
                if (info.Contains($"process_id:{_process.Id}\r\n", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (RespConnectionException)
            {
                // Not listening yet.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Ends the server and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        DeleteDirectory(Directory);
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }
}
