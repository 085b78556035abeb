using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A broken cluster node that answers every command with <c>MOVED 1</c> to itself, to show that redirects are
/// bounded. Commands are counted by their <c>*</c> headers (the tests send none inside arguments).
/// </summary>
public sealed class RedirectLoopServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _commands;
    private int _gets;

    public RedirectLoopServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Commands => Volatile.Read(ref _commands);

    /// <summary>GET commands seen (a client may also send CLUSTER SLOTS between them).</summary>
    public int Gets => Volatile.Read(ref _gets);

    public string Moved => $"MOVED 1 127.0.0.1:{Port}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var clients = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                clients.Add(ServeAsync(client));
            }
        }
        finally
        {
            await Task.WhenAll(clients);
        }
    }

    private static int Occurrences(ReadOnlySpan<byte> data, ReadOnlySpan<byte> text)
    {
        var count = 0;
        for (var at = data.IndexOf(text); at >= 0; at = data.IndexOf(text))
        {
            count++;
            data = data[(at + text.Length)..];
        }

        return count;
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var reply = Encoding.ASCII.GetBytes($"-{Moved}\r\n");
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    var commands = buffer.AsSpan(0, read).Count((byte)'*');
                    Interlocked.Add(ref _commands, commands);
                    Interlocked.Add(ref _gets, Occurrences(buffer.AsSpan(0, read), "\r\nGET\r\n"u8));
                    for (var i = 0; i < commands; i++)
                    {
                        await stream.WriteAsync(reply, _stop.Token);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
        }
    }
}
