using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PepperCache.Server.Tests.Migrate;

/// <summary>A MIGRATE target a test scripts by hand: a loopback listener, and reads bounded in time.</summary>
internal static class ScriptedTarget
{
    /// <summary>A listener on a free loopback port, and that port as MIGRATE's argument.</summary>
    public static TcpListener Listen(out string port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return listener;
    }

    /// <summary>Reads from <paramref name="socket"/> until <paramref name="needle"/> has come <paramref name="count"/> times; what came.</summary>
    public static async Task<byte[]> ReceiveUntilAsync(Socket socket, byte[] needle, int count, TimeSpan bound)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        var deadline = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(bound);
        while (CountOf(received, needle) < count)
        {
            var n = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(n > 0, $"the node closed the connection after {deadline.ElapsedMilliseconds} ms, before sending {count} of {System.Text.Encoding.ASCII.GetString(needle)}");
            received.AddRange(buffer.AsSpan(0, n));
        }

        return [.. received];
    }

    public static int CountOf(List<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(haystack);
        for (var at = span.IndexOf(needle); at >= 0; at = span.IndexOf(needle))
        {
            count++;
            span = span[(at + needle.Length)..];
        }

        return count;
    }
}
