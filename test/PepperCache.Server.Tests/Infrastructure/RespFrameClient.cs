using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// Sends a command and returns its whole reply as the exact bytes that arrived, however long (RESP2 frames, nested
/// arrays included), so the same command's replies from two servers can be compared byte for byte.
/// </summary>
public sealed class RespFrameClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private RespFrameClient(Socket socket) => _socket = socket;

    public static async Task<RespFrameClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, TestContext.Current.CancellationToken);
        return new RespFrameClient(socket);
    }

    public Task<byte[]> ExecuteAsync(params string[] arguments) =>
        ExecuteAsync(arguments.Select(Encoding.UTF8.GetBytes).ToList());

    public async Task<byte[]> ExecuteAsync(IReadOnlyList<byte[]> arguments)
    {
        await _socket.SendAsync(RespTranscript.EncodeCommand(arguments), SocketFlags.None, TestContext.Current.CancellationToken);
        return await ReadFrameAsync();
    }

    /// <summary>Sends commands in one write without reading replies (a blocking command's, read later by <see cref="ReadReplyAsync"/>).</summary>
    public async Task SendAsync(params string[][] commands)
    {
        var bytes = commands.SelectMany(c => RespTranscript.EncodeCommand(c.Select(Encoding.UTF8.GetBytes).ToList())).ToArray();
        await _socket.SendAsync(bytes, SocketFlags.None, TestContext.Current.CancellationToken);
    }

    /// <summary>The next reply (waiting up to the client's timeout).</summary>
    public Task<byte[]> ReadReplyAsync() => ReadFrameAsync();

    /// <summary>Sends every command in one write (a pipeline) and returns their replies in order.</summary>
    public async Task<List<byte[]>> ExecuteManyAsync(IEnumerable<string[]> commands)
    {
        var bytes = new List<byte>();
        var count = 0;
        foreach (var command in commands)
        {
            bytes.AddRange(RespTranscript.EncodeCommand(command.Select(Encoding.UTF8.GetBytes).ToList()));
            count++;
        }

        await _socket.SendAsync(bytes.ToArray(), SocketFlags.None, TestContext.Current.CancellationToken);
        var replies = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            replies.Add(await ReadFrameAsync());
        }

        return replies;
    }

    /// <summary>The reply as text (UTF-8), for assertions on replies known to be text.</summary>
    public async Task<string> ExecuteTextAsync(params string[] arguments) => Encoding.UTF8.GetString(await ExecuteAsync(arguments));

    private async Task<byte[]> ReadFrameAsync()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        while (true)
        {
            var length = FrameLength(_buffer.AsSpan(_start, _end - _start));
            if (length > 0)
            {
                var frame = _buffer.AsSpan(_start, length).ToArray();
                _start += length;
                return frame;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"Connection closed with {_end - _start} bytes of an unfinished reply");
            }

            _end += read;
        }
    }

    /// <summary>Bytes of the first whole frame in <paramref name="data"/>, or 0 when it is not all there yet.</summary>
    private static int FrameLength(ReadOnlySpan<byte> data)
    {
        var lineEnd = data.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return 0;
        }

        var headerLength = lineEnd + 2;
        switch (data[0])
        {
            // RESP3's null, double, boolean and big number are one line too.
            case (byte)'+' or (byte)'-' or (byte)':' or (byte)'_' or (byte)',' or (byte)'#' or (byte)'(':
                return headerLength;
            case (byte)'$' or (byte)'=' or (byte)'!':
            {
                var size = long.Parse(data[1..lineEnd], CultureInfo.InvariantCulture);
                if (size < 0)
                {
                    return headerLength;
                }

                var total = headerLength + (int)size + 2;
                return data.Length >= total ? total : 0;
            }

            case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%':
            {
                var count = long.Parse(data[1..lineEnd], CultureInfo.InvariantCulture);
                if (data[0] == (byte)'%')
                {
                    count *= 2;
                }

                var offset = headerLength;
                for (var i = 0; i < count; i++)
                {
                    var item = FrameLength(data[offset..]);
                    if (item == 0)
                    {
                        return 0;
                    }

                    offset += item;
                }

                return offset;
            }

            default:
                throw new InvalidDataException($"Not a RESP reply: {RespTranscript.Show(data[..headerLength].ToArray())}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
