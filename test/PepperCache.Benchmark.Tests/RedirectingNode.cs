using System.Net;
using System.Net.Sockets;
using System.Text;
using PepperCache.Benchmark;

namespace PepperCache.Benchmark.Tests;

/// <summary>
/// A fake cluster node that claims every slot in CLUSTER SLOTS but answers every keyed command with
/// <c>-MOVED slot host:port</c> pointing at another server: a slot map gone stale, as after a rebalance.
/// </summary>
public sealed class RedirectingNode : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly int _movedTo;
    private int _moved;

    public RedirectingNode(int movedTo)
    {
        _movedTo = movedTo;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many -MOVED replies were sent.</summary>
    public int Moved => Volatile.Read(ref _moved);

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        try
        {
            // Bounded by the client: every iteration consumes one request, and the loop ends when it disconnects.
            while (await reader.ReadLineAsync(_stop.Token) is { } header && header.StartsWith('*'))
            {
                var arguments = new List<string>();
                for (var i = 0; i < int.Parse(header.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    await reader.ReadLineAsync(_stop.Token);
                    arguments.Add(await reader.ReadLineAsync(_stop.Token) ?? "");
                }

                var reply = arguments[0].ToUpperInvariant() switch
                {
                    "PING" => "+PONG\r\n",
                    "CLUSTER" => $"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$9\r\n127.0.0.1\r\n:{Port}\r\n",
                    _ => Move(arguments[1]),
                };
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private string Move(string key)
    {
        Interlocked.Increment(ref _moved);
        return $"-MOVED {SlotRouter.SlotOf(Encoding.ASCII.GetBytes(key))} 127.0.0.1:{_movedTo}\r\n";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
