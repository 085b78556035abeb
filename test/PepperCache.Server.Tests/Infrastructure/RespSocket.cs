using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// One RESP2 or RESP3 reply: its exact bytes and its parsed form. A map's <see cref="Items"/> are its keys and values
/// in turn; RESP3's null is kind <c>_</c>, a double <c>,</c> (its text in <see cref="Text"/>), a verbatim string
/// <c>=</c> (its bytes, format prefix included, in <see cref="Bulk"/>).
/// </summary>
public sealed record RespValue(byte[] Raw, char Kind, string Text, long Integer, byte[]? Bulk, List<RespValue>? Items)
{
    public bool IsError => Kind == '-';

    public bool IsNull => Kind == '_' || (Kind == '$' && Bulk is null) || (Kind == '*' && Items is null);

    public override string ToString() => Show(Raw);

    /// <summary>Bytes as readable text (CR, LF and non-printable bytes escaped), cut to 2,000 characters.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                < 0x20 or >= 0x7f => $"\\x{b:x2}",
                _ => ((char)b).ToString(),
            });
            if (text.Length > 2000)
            {
                return text.Append("...").ToString();
            }
        }

        return text.ToString();
    }
}

/// <summary>
/// A raw RESP2 (or, after HELLO 3, RESP3) connection that sends commands and reads whole replies, keeping their exact bytes: what differential
/// tests compare between redis-server and PepperCache.
/// </summary>
public sealed class RespSocket : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespSocket(Socket socket) => _socket = socket;

    public static async Task<RespSocket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RespSocket(socket);
    }

    public Task<RespValue> CommandAsync(params string[] arguments) =>
        CommandAsync(arguments.Select(a => Encoding.UTF8.GetBytes(a)).ToList());

    public async Task<RespValue> CommandAsync(IReadOnlyList<byte[]> arguments)
    {
        await _socket.SendAsync(RespTranscript.EncodeCommand(arguments), SocketFlags.None);
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var position = _start;
            if (TryParse(ref position) is { } value)
            {
                var raw = _buffer[_start..position];
                _start = position;
                return value with { Raw = raw };
            }

            if (_end == _buffer.Length)
            {
                if (_start > 0)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                else
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token);
            if (read == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            _end += read;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A whole reply from <paramref name="position"/> (advanced past it), or null when more bytes are needed.</summary>
    private RespValue? TryParse(ref int position)
    {
        var lineEnd = _buffer.AsSpan(position, _end - position).IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return null;
        }

        var kind = (char)_buffer[position];
        var line = Encoding.UTF8.GetString(_buffer, position + 1, lineEnd - 1);
        var next = position + lineEnd + 2;
        switch (kind)
        {
            case '+' or '-' or '_' or ',' or '#' or '(':
                position = next;
                return new RespValue([], kind, line, 0, null, null);
            case ':':
                position = next;
                return new RespValue([], kind, line, long.Parse(line, System.Globalization.CultureInfo.InvariantCulture), null, null);
            case '$' or '=' or '!':
                var length = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    position = next;
                    return new RespValue([], kind, line, 0, null, null);
                }

                if (_end - next < length + 2)
                {
                    return null;
                }

                position = next + length + 2;
                var bulk = _buffer[next..(next + length)];
                return new RespValue([], kind, Encoding.UTF8.GetString(bulk), 0, bulk, null);
            case '*' or '~' or '%' or '>':
                var count = int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    position = next;
                    return new RespValue([], kind, line, 0, null, null);
                }

                count *= kind == '%' ? 2 : 1;

                var items = new List<RespValue>(count);
                var at = next;
                for (var i = 0; i < count; i++)
                {
                    var start = at;
                    if (TryParse(ref at) is not { } item)
                    {
                        return null;
                    }

                    items.Add(item with { Raw = _buffer[start..at] });
                }

                position = at;
                return new RespValue([], kind, line, 0, null, items);
            default:
                throw new InvalidDataException($"Not a RESP reply: {RespValue.Show(_buffer.AsSpan(position, Math.Min(40, _end - position)))}");
        }
    }
}
