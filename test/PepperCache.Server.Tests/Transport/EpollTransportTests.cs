using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Server.Transport;

namespace PepperCache.Server.Tests.Transport;

/// <summary>
/// The epoll transport on real loopback sockets, with the test as the application: what Kestrel's socket transport
/// promises a connection handler (input that stops at its limit, a flush that waits for a slow reader, a FIN, a reset,
/// an abort) holds here too.
/// </summary>
public sealed class EpollTransportTests : IAsyncDisposable
{
    private const long ReadLimit = 1024 * 1024;
    private const long WriteLimit = 64 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly EpollTransport _transport = NewTransport(loops: 2);
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<IDisposable> _owned = [];
    private readonly List<ConnectionContext> _connections = [];

    public EpollTransportTests()
    {
        Assert.SkipUnless(EpollTransport.IsSupported, "epoll: Linux on x64 or arm64 only");
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BytesSentEitherWayArriveWholeAndInOrderOnManyConnectionsAtOnce()
    {
        var pairs = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => ConnectAsync()));
        await Task.WhenAll(pairs.Select(async pair =>
        {
            var (client, server) = pair;
            var echo = EchoAsync(server);
            var payload = Pattern(100_000, seed: client.GetHashCode());
            var sending = client.SendAsync(payload, Token);
            var received = await LoopbackReads.ReceiveExactlyAsync(client, payload.Length, Bound);
            await sending;
            Assert.Equal(payload, received);
            client.Shutdown(SocketShutdown.Send);
            await echo.WaitAsync(Bound, Token);
        }));
    }

    [Fact]
    public async Task InputStopsAtItsLimitWhileTheApplicationDoesNotReadAndAllOfItArrivesWhenItDoes()
    {
        var (client, server) = await ConnectAsync();
        client.Blocking = false;
        var chunk = Pattern(64 * 1024, seed: 7);
        long sent = 0;
        long buffered = 0;
        // Send until the transport stops reading (its input at the limit) and the kernel takes no more.
        var deadline = DateTime.UtcNow + Bound;
        var connection = (EpollConnection)server;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the client could send {sent} bytes, {Peek(server.Transport.Input)} in the input");
            // The stream is the chunk repeated: a partial send goes on from where it stopped.
            var at = (int)(sent % chunk.Length);
            var n = client.Send(chunk, at, chunk.Length - at, SocketFlags.None, out var error);
            if (n > 0)
            {
                sent += n;
                continue;
            }

            Assert.Equal(SocketError.WouldBlock, error);
            if (connection.IsReadingPaused)
            {
                buffered = Peek(server.Transport.Input);
                break;
            }

            await Task.Yield();
        }

        // One readiness reads up to 260 KB before the pipe is told, so the input can pass its limit by that much.
        Assert.InRange(buffered, ReadLimit, ReadLimit + EpollConnection.MaxReceiveBytesPerEvent);
        Assert.True(sent > buffered, $"{sent} sent, all of it buffered: the kernel held nothing back");

        // The application reads: the transport reads again, and every byte arrives, in order.
        client.Blocking = true;
        var reading = ReadAllAsync(server.Transport.Input);
        client.Shutdown(SocketShutdown.Send);
        var received = await reading.WaitAsync(Bound, Token);
        Assert.Equal(sent, received.Length);
        for (long offset = 0; offset < received.Length; offset += chunk.Length)
        {
            var length = (int)Math.Min(chunk.Length, received.Length - offset);
            Assert.True(received.AsSpan((int)offset, length).SequenceEqual(chunk.AsSpan(0, length)), $"bytes differ at {offset}");
        }
    }

    [Fact]
    public async Task AFlushWaitsForAClientThatDoesNotReadAndEveryByteArrivesOnceItDoes()
    {
        var (client, server) = await ConnectAsync();
        client.ReceiveBufferSize = 16 * 1024;
        var reply = Pattern(8 * 1024 * 1024, seed: 3);
        var output = server.Transport.Output;

        // 8 MB is more than the kernel holds for a client that does not read: the send waits for room (EPOLLOUT),
        // and the application's flush waits past the output limit.
        var writing = WriteAsync(output, reply);
        await Eventually.UntilAsync(() => !writing.IsCompleted, Bound, "the application's flush to wait");
        await Eventually.UntilAsync(() => ((EpollConnection)server).IsWaitingToSend, Bound, "the send to wait for room");

        var received = await LoopbackReads.ReceiveExactlyAsync(client, reply.Length, Bound);
        await writing.WaitAsync(Bound, Token);
        Assert.True(received.AsSpan().SequenceEqual(reply), "the reply arrived changed");
    }

    [Fact]
    public async Task ManySmallFlushesToAClientThatReadsLateArriveWholeAndInOrder()
    {
        // Replies of every size, flushed in batches: while the client does not read they queue in several blocks behind
        // the one being sent, the flush waits past the limit, and the loop sends the rest as room comes.
        var (client, server) = await ConnectAsync();
        client.ReceiveBufferSize = 16 * 1024;
        var stream = Pattern(6 * 1024 * 1024, seed: 11);
        var output = server.Transport.Output;
        var writing = Task.Run(async () =>
        {
            var offset = 0;
            for (var i = 0; offset < stream.Length; i++)
            {
                // One to four replies a flush, as a pipelined batch writes them.
                for (var reply = 0; reply <= i % 4 && offset < stream.Length; reply++)
                {
                    var length = Math.Min(((i + reply) * 7919 % 5000) + 1, stream.Length - offset);
                    stream.AsSpan(offset, length).CopyTo(output.GetSpan(length));
                    output.Advance(length);
                    offset += length;
                }

                await output.FlushAsync();
            }
        }, Token);
        await Eventually.UntilAsync(() => ((EpollConnection)server).IsWaitingToSend, Bound, "the send to wait for room");

        var received = await LoopbackReads.ReceiveExactlyAsync(client, stream.Length, Bound);
        await writing.WaitAsync(Bound, Token);
        Assert.True(received.AsSpan().SequenceEqual(stream), "the replies arrived changed");
    }

    [Fact]
    public async Task AnOutputCompletedWhileItsRepliesWaitForRoomStillSendsThemThenTheFin()
    {
        var (client, server) = await ConnectAsync();
        client.ReceiveBufferSize = 16 * 1024;
        var stream = Pattern(16 * 1024 * 1024, seed: 5);
        var output = server.Transport.Output;

        // Replies to a client that does not read, until the kernel is full and the last of them waits for room
        // (below the write limit, so no flush waits).
        var written = 0;
        while (!((EpollConnection)server).IsWaitingToSend)
        {
            Assert.True(written < stream.Length, "the kernel took 16 MB from a client that does not read");
            await output.WriteAsync(stream.AsMemory(written, 1000), Token);
            written += 1000;
        }

        // The application is done: the replies still waiting go out, then the FIN.
        var disposing = server.DisposeAsync().AsTask();
        var received = await ReceiveToEndAsync(client);
        await disposing.WaitAsync(Bound, Token);
        Assert.Equal(written, received.Length);
        Assert.True(received.AsSpan().SequenceEqual(stream.AsSpan(0, written)), "the replies arrived changed");
    }

    [Fact]
    public async Task AClientsFinEndsTheInputFiresConnectionClosedAndRepliesStillGoOut()
    {
        var (client, server) = await ConnectAsync();
        var closed = new TaskCompletionSource();
        server.ConnectionClosed.Register(() => closed.TrySetResult());
        await client.SendAsync("PING\r\n"u8.ToArray(), Token);
        client.Shutdown(SocketShutdown.Send);

        var input = await ReadAllAsync(server.Transport.Input).WaitAsync(Bound, Token);
        Assert.Equal("PING\r\n"u8.ToArray(), input);
        await closed.Task.WaitAsync(Bound, Token);

        // Half-closed, as redis-cli < file leaves it: the replies are still delivered, then the FIN.
        await server.Transport.Output.WriteAsync("+PONG\r\n"u8.ToArray(), Token);
        await server.DisposeAsync().AsTask().WaitAsync(Bound, Token);
        Assert.Equal("+PONG\r\n"u8.ToArray(), await ReceiveToEndAsync(client));
    }

    [Fact]
    public async Task AResetByTheClientEndsTheInputAndTheConnectionIsReleased()
    {
        var (client, server) = await ConnectAsync();
        var closed = new TaskCompletionSource();
        server.ConnectionClosed.Register(() => closed.TrySetResult());
        client.LingerState = new LingerOption(true, 0);
        client.Close();

        var ended = await ReadUntilEndAsync(server.Transport.Input).WaitAsync(Bound, Token);
        Assert.True(ended is null or ConnectionResetException, $"the input ended with {ended}");
        await closed.Task.WaitAsync(Bound, Token);
        // Replies to a gone client are dropped, not an error the application must catch.
        await server.Transport.Output.WriteAsync(new byte[256 * 1024], Token);
        await server.DisposeAsync().AsTask().WaitAsync(Bound, Token);
    }

    [Fact]
    public async Task AnAbortClosesTheSocketEndsTheInputAndWakesAFlushWaitingForAClientThatDoesNotRead()
    {
        var (client, server) = await ConnectAsync();
        client.ReceiveBufferSize = 16 * 1024;
        var writing = WriteAsync(server.Transport.Output, new byte[8 * 1024 * 1024]);
        await Eventually.UntilAsync(() => ((EpollConnection)server).IsWaitingToSend, Bound, "the send to wait for room");

        server.Abort(new ConnectionAbortedException("closed by the test"));

        await writing.WaitAsync(Bound, Token);
        var ended = await ReadUntilEndAsync(server.Transport.Input).WaitAsync(Bound, Token);
        Assert.IsType<ConnectionAbortedException>(ended);
        await server.DisposeAsync().AsTask().WaitAsync(Bound, Token);
        // The client sees the end of the stream (what was sent before the abort, then EOF or a reset).
        await LoopbackReads.DrainUntilClosedAsync(client).WaitAsync(Bound, Token);
    }

    [Fact]
    public async Task ARoundTripAllocatesNothingOnTheLoopThread()
    {
        // The application runs inline on the loop's thread, as the RESP handler does: receive, the application's
        // read, its reply, the flush and the send all happen there, so that thread's allocations are the transport's.
        var (client, server) = await ConnectAsync();
        const int warmUp = 1_000;
        const int measured = 10_000;
        var counting = CountLoopAllocationsAsync(server, warmUp, measured);
        var message = new byte[32];
        var reply = new byte[32];
        for (var i = 0; i < warmUp + measured; i++)
        {
            await client.SendAsync(message, Token);
            var received = 0;
            while (received < reply.Length)
            {
                received += await client.ReceiveAsync(reply.AsMemory(received), Token);
            }
        }

        var (bytes, sameThread) = await counting.WaitAsync(Bound, Token);
        Assert.True(sameThread, "the application's continuations did not all run on one loop thread");
        // Room for one-time growth (a pool block, a lazily made object); one object per round trip would be 240 KB.
        Assert.InRange(bytes, 0, 16 * 1024);
    }

    private static async Task<(long Bytes, bool SameThread)> CountLoopAllocationsAsync(ConnectionContext connection, int warmUp, int measured)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        long start = 0;
        var thread = -1;
        var sameThread = true;
        for (var i = 0; i < warmUp + measured; i++)
        {
            var result = await input.ReadAsync();
            while (result.Buffer.Length < 32)
            {
                input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                result = await input.ReadAsync();
            }

            if (i == warmUp)
            {
                thread = Environment.CurrentManagedThreadId;
                start = GC.GetAllocatedBytesForCurrentThread();
            }
            else if (i > warmUp)
            {
                sameThread &= thread == Environment.CurrentManagedThreadId;
            }

            var request = result.Buffer.Slice(0, 32);
            request.CopyTo(output.GetSpan(32));
            output.Advance(32);
            input.AdvanceTo(request.End);
            await output.FlushAsync();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - start, sameThread);
    }

    [Fact]
    public async Task StoppingTheTransportEndsTheConnectionsStillOpenAndTheirClientsSeeTheClose()
    {
        using var transport = NewTransport(loops: 1);
        var (client, server) = await ConnectAsync(transport);
        var reading = ReadUntilEndAsync(server.Transport.Input);

        transport.Dispose();

        Assert.IsType<ConnectionAbortedException>(await reading.WaitAsync(Bound, Token));
        await server.DisposeAsync().AsTask().WaitAsync(Bound, Token);
        await LoopbackReads.DrainUntilClosedAsync(client).WaitAsync(Bound, Token);
    }

    [Fact]
    public async Task TheConnectionCarriesItsSocketAndEndpointsForTheHandler()
    {
        var (client, server) = await ConnectAsync();
        var socket = server.Features.Get<IConnectionSocketFeature>()?.Socket;
        Assert.NotNull(socket);
        Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
        Assert.Equal(client.RemoteEndPoint, server.LocalEndPoint);
        Assert.NotNull(server.Features.Get<IMemoryPoolFeature>()?.MemoryPool);
    }

    private static EpollTransport NewTransport(int loops) =>
        new(loops, ReadLimit, WriteLimit, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>A loopback client and its connection on <paramref name="transport"/> (the class's own unless given).</summary>
    private async Task<(Socket Client, ConnectionContext Server)> ConnectAsync(EpollTransport? transport = null)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _owned.Add(client);
        var accepting = _listener.AcceptAsync(Token).AsTask();
        await client.ConnectAsync(_listener.LocalEndPoint!, Token);
        var accepted = await accepting.WaitAsync(Bound, Token);
        var connection = (transport ?? _transport).Create(accepted);
        _connections.Add(connection);
        return (client, connection);
    }

    private static async Task EchoAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            var result = await input.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                await output.WriteAsync(segment);
            }

            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>How many bytes wait in the pipe, read without consuming them.</summary>
    private static long Peek(PipeReader input)
    {
        if (!input.TryRead(out var result))
        {
            return 0;
        }

        var length = result.Buffer.Length;
        input.AdvanceTo(result.Buffer.Start);
        return length;
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader input)
    {
        var all = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await input.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                all.Write(segment.Span);
            }

            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>Reads to the input's end: null for a clean end, else the exception it ended with.</summary>
    private static async Task<Exception?> ReadUntilEndAsync(PipeReader input)
    {
        try
        {
            await ReadAllAsync(input);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static async Task WriteAsync(PipeWriter output, byte[] bytes)
    {
        await Task.Yield();
        await output.WriteAsync(bytes);
    }


    private static async Task<byte[]> ReceiveToEndAsync(Socket socket)
    {
        var all = new ArrayBufferWriter<byte>();
        while (true)
        {
            var n = await socket.ReceiveAsync(all.GetMemory(4096), Token).AsTask().WaitAsync(Bound, Token);
            if (n == 0)
            {
                return all.WrittenSpan.ToArray();
            }

            all.Advance(n);
        }
    }


    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        foreach (var connection in _connections)
        {
            connection.Abort();
            await connection.DisposeAsync().AsTask().WaitAsync(Bound);
        }

        _listener.Dispose();
        _transport.Dispose();
    }
}
