using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// Sends exact bytes (optionally in fragments) and reads exact reply bytes, as Garnet's LightClientRequest does,
/// so tests pin the wire format rather than a client library's reading of it.
/// </summary>
public sealed class RawRespClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;

    private RawRespClient(Socket socket) => _socket = socket;

    public static async Task<RawRespClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new RawRespClient(socket);
    }

    /// <summary>Reply bytes received and not read yet (checked at once, without waiting).</summary>
    public int Available => _socket.Available;

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes, int fragmentSize = int.MaxValue)
    {
        for (var offset = 0; offset < bytes.Length; offset += fragmentSize)
        {
            var length = Math.Min(fragmentSize, bytes.Length - offset);
            await _socket.SendAsync(bytes.AsMemory(offset, length));
            if (fragmentSize != int.MaxValue)
            {
                await Task.Delay(1);
            }
        }
    }

    /// <summary>Reads exactly as many bytes as <paramref name="expected"/> has and returns them as text.</summary>
    public async Task<string> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        using var cts = new CancellationTokenSource(Timeout);
        var read = 0;
        while (read < count)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>Sends <paramref name="request"/> and asserts the reply is exactly <paramref name="expectedReply"/>.</summary>
    public async Task AssertReplyAsync(string request, string expectedReply)
    {
        await SendAsync(request);
        var reply = await ReadExactlyAsync(Encoding.UTF8.GetByteCount(expectedReply));
        Assert.Equal(expectedReply, reply);
    }

    /// <summary>Reads until the server closes the connection; returns what arrived.</summary>
    public async Task<string> ReadUntilClosedAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                return text.ToString();
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
