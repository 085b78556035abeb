using System.Net.Sockets;

namespace PepperCache.Server.Tests.Transport;

/// <summary>A test client's reads from a transport's connection over loopback, each bounded in time.</summary>
internal static class LoopbackReads
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Exactly <paramref name="length"/> bytes; each receive bounded by <paramref name="bound"/>.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length, TimeSpan bound)
    {
        var buffer = new byte[length];
        var offset = 0;
        while (offset < length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(offset), Token).AsTask().WaitAsync(bound, Token);
            Assert.True(n > 0, $"the stream ended after {offset} of {length} bytes");
            offset += n;
        }

        return buffer;
    }

    /// <summary>Reads and drops until the server closes (or resets) the connection.</summary>
    public static async Task DrainUntilClosedAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, Token) > 0)
            {
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // An abort may reset the connection instead of closing it.
        }
    }
}
