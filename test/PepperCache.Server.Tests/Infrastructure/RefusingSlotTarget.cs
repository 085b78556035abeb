using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A stand-in move target on loopback that takes every PEPPER.IMPORT and refuses every CLUSTER SETSLOT with TRYAGAIN,
/// as a member on another slot plan does, and keeps what each slot would hold: what a mover leaves behind at a
/// target after a refused attempt. Anything else is answered +OK.
/// </summary>
internal sealed class RefusingSlotTarget : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;
    private readonly ConcurrentDictionary<int, int> _held = new();
    private int _refusedSetSlots;

    public RefusingSlotTarget()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Slots for which the target holds keys now, and how many.</summary>
    public IReadOnlyDictionary<int, int> SlotsHoldingKeys => _held.Where(p => p.Value > 0).ToDictionary();

    public int RefusedSetSlots => Volatile.Read(ref _refusedSetSlots);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _connections.Add(ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        using var input = new BufferedStream(stream);
        try
        {
            while (await ReadCommandAsync(input, _stop.Token) is { } command)
            {
                var reply = Answer(command);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The mover hung up, or the target stopped.
        }
    }

    private string Answer(List<byte[]> command)
    {
        var name = Encoding.ASCII.GetString(command[0]).ToUpperInvariant();
        if (name == "PEPPER.IMPORT")
        {
            var slot = int.Parse(Encoding.ASCII.GetString(command[1]), CultureInfo.InvariantCulture);
            var keys = (command.Count - 3) / 3;
            if (Encoding.ASCII.GetString(command[2]) == "RESET")
            {
                _held[slot] = keys;
            }
            else
            {
                _held.AddOrUpdate(slot, keys, (_, held) => held + keys);
            }

            return "+OK\r\n";
        }

        if (name == "CLUSTER" && command.Count > 2 && Encoding.ASCII.GetString(command[1]).Equals("SETSLOT", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _refusedSetSlots);
            // As a node does: the pre-copy of a slot it refuses is dropped.
            _held[int.Parse(Encoding.ASCII.GetString(command[2]), CultureInfo.InvariantCulture)] = 0;
            return $"-TRYAGAIN Slot {Encoding.ASCII.GetString(command[2])} is not planned to this node in the slot plan it holds (plan epoch 1)\r\n";
        }

        return "+OK\r\n";
    }

    /// <summary>One RESP array of bulk strings, or null at the end of the stream.</summary>
    private static async Task<List<byte[]>?> ReadCommandAsync(Stream input, CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(input, cancellationToken);
        if (header is null)
        {
            return null;
        }

        var count = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
        var parts = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var length = int.Parse((await ReadLineAsync(input, cancellationToken) ?? throw new IOException("cut")).AsSpan(1), CultureInfo.InvariantCulture);
            var bytes = new byte[length + 2];
            await input.ReadExactlyAsync(bytes, cancellationToken);
            parts.Add(bytes[..length]);
        }

        return parts;
    }

    private static async Task<string?> ReadLineAsync(Stream input, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await input.ReadAsync(one, cancellationToken) == 0)
            {
                return line.Length == 0 ? null : throw new IOException("cut mid-line");
            }

            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }
}
