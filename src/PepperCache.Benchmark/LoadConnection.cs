using System.Net;
using System.Net.Sockets;
using PepperCache.Protocol;

namespace PepperCache.Benchmark;

/// <summary>
/// A lean connection for load: the whole pipeline batch goes out in one send, replies are counted by scanning the
/// receive buffer in place. No per-command task or reply object, so the generator stays out of the measurement.
/// </summary>
internal sealed class LoadConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly string _endPoint;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private LoadConnection(Socket socket, string endPoint)
    {
        _socket = socket;
        _endPoint = endPoint;
    }

    /// <summary>The bytes of the reply most recently returned by <see cref="TryNextReply"/>.</summary>
    public ReadOnlySpan<byte> LastReply => _buffer.AsSpan(_lastStart, _lastLength);

    private int _lastStart;
    private int _lastLength;

    public static async Task<LoadConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var address = IPAddress.TryParse(host, out var parsed)
            ? parsed
            : (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false))
                .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
            return new LoadConnection(socket, $"{host}:{port}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
            if (sent <= 0)
            {
                throw new IOException($"{_endPoint} closed the connection");
            }

            bytes = bytes[sent..];
        }
    }

    /// <summary>Takes the next complete reply from what has been received; false when more bytes are needed.</summary>
    public bool TryNextReply(out ReplyClass replyClass)
    {
        var length = ReplyScanner.Scan(_buffer.AsSpan(_start, _end - _start), out replyClass);
        if (length == 0)
        {
            return false;
        }

        _lastStart = _start;
        _lastLength = length;
        _start += length;
        return true;
    }

    /// <summary>Reads more bytes from the server (at least one), keeping any partial reply.</summary>
    public async ValueTask ReceiveAsync()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            // A partial reply at the end: move it to the front, or grow when it fills the buffer (a large value).
            var pending = _end - _start;
            if (pending > _buffer.Length / 2)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None).ConfigureAwait(false);
        if (received <= 0)
        {
            throw new IOException($"{_endPoint} closed the connection");
        }

        _end += received;
    }

    public void Dispose() => _socket.Dispose();
}
