using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A scripted cluster node for unit tests of routing: it answers CLUSTER SLOTS with whatever map the test gives it
/// (see <see cref="Map"/>), GET with its own name, PING with PONG, and counts the commands it sees. <see
/// cref="StopAsync"/> closes the listener and every connection, as a node that went away.
/// </summary>
public sealed class FakeClusterNode : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _accepting;

    public FakeClusterNode(string name)
    {
        Name = name;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>The slot ranges this node reports in CLUSTER SLOTS: (start, end, owner's port).</summary>
    public IReadOnlyList<(int Start, int End, int Port)> Map { get; set; } = [];

    /// <summary>When set, GET answers <c>-MOVED &lt;slot&gt; 127.0.0.1:&lt;port&gt;</c> (its slots moved away).</summary>
    public int? MovedTo { get; set; }

    /// <summary>How long CLUSTER SLOTS takes to answer.</summary>
    public TimeSpan SlotsDelay { get; set; }

    // While not null, CLUSTER SLOTS replies (made when the command arrives) wait for it before they are sent.
    private TaskCompletionSource? _slotsHeld;

    /// <summary>From now on CLUSTER SLOTS is answered with the map as it is when asked, but sent only at <see cref="ReleaseSlots"/>.</summary>
    public void HoldSlots()
    {
        lock (_lock)
        {
            _slotsHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Sends the CLUSTER SLOTS replies held since <see cref="HoldSlots"/>, and answers at once again.</summary>
    public void ReleaseSlots()
    {
        lock (_lock)
        {
            _slotsHeld?.TrySetResult();
            _slotsHeld = null;
        }
    }

    /// <summary>How many commands named <paramref name="command"/> (CLUSTER counts as CLUSTER) this node answered.</summary>
    public int Count(string command)
    {
        lock (_lock)
        {
            return _counts.GetValueOrDefault(command);
        }
    }

    /// <summary>Waits (at most 10 s) until this node has seen <paramref name="count"/> commands named <paramref name="command"/>.</summary>
    public async Task WhenCountedAsync(string command, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Count(command) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} saw {Count(command)} {command}, not {count}, in 10 s");
            }

            await Task.Delay(10, _stop.Token);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_lock)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        // The accept loop ends with whichever the stop reached first: the token, the closed socket, or "Not listening"
        // (InvalidOperationException) when the listener stopped before the loop asked again.
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var serving = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_lock)
                {
                    _clients.Add(client);
                }

                serving.Add(ServeAsync(client));
            }
        }
        finally
        {
            await Task.WhenAll(serving);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var stream = client.GetStream();
            while (await ReadCommandAsync(reader) is { } command)
            {
                var answer = Answer(command);
                Task? held;
                lock (_lock)
                {
                    _counts[command[0]] = _counts.GetValueOrDefault(command[0]) + 1;
                    held = IsClusterSlots(command) ? _slotsHeld?.Task : null;
                }

                if (IsClusterSlots(command) && SlotsDelay > TimeSpan.Zero)
                {
                    await Task.Delay(SlotsDelay, _stop.Token);
                }

                if (held is not null)
                {
                    await held.WaitAsync(_stop.Token);
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Stopped, or the client went away.
        }
    }

    private static bool IsClusterSlots(string[] command) => command[0].Equals("CLUSTER", StringComparison.OrdinalIgnoreCase);

    private string Answer(string[] command) => command[0].ToUpperInvariant() switch
    {
        "CLUSTER" => SlotsReply(),
        "PING" => "+PONG\r\n",
        "GET" when MovedTo is { } port => $"-MOVED {PepperCache.Client.Cluster.KeySlot.Of(Encoding.UTF8.GetBytes(command[1]))} 127.0.0.1:{port}\r\n",
        "GET" => $"${Name.Length}\r\n{Name}\r\n",
        _ => "-ERR unknown command\r\n",
    };

    private string SlotsReply()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{Map.Count}\r\n");
        foreach (var (start, end, port) in Map)
        {
            text.Append(CultureInfo.InvariantCulture, $"*3\r\n:{start}\r\n:{end}\r\n*2\r\n$9\r\n127.0.0.1\r\n:{port}\r\n");
        }

        return text.ToString();
    }

    // Commands arrive as RESP arrays of bulk strings (the client library sends nothing else).
    private static async Task<string[]?> ReadCommandAsync(StreamReader reader)
    {
        var header = await reader.ReadLineAsync();
        if (header is null)
        {
            return null;
        }

        var count = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            _ = await reader.ReadLineAsync();
            parts[i] = await reader.ReadLineAsync() ?? "";
        }

        return parts;
    }
}
