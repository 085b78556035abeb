using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Pipelines.Sockets.Unofficial;
using PepperCache.Protocol;

namespace PepperCache.Client;

/// <summary>
/// One connection to a RESP server. Commands are pipelined: any number may be in flight, each caller's task completes
/// with its own reply because the server answers in the order commands were sent (FIFO). Error replies are replies,
/// not exceptions; a lost connection fails every command in flight with <see cref="RespConnectionException"/>.
/// </summary>
public sealed partial class RespConnection : IAsyncDisposable
{
    // The socket itself (Pipelines.Sockets.Unofficial) or, over TLS, pipes over an SslStream; _owner closes either.
    private readonly IDuplexPipe _socket;
    private readonly IDisposable _owner;
    private readonly string _endpointText;

    // Serialises writers so that the order of commands on the wire is the order of _pending.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _pendingLock = new();
    private readonly Queue<TaskCompletionSource<RespReply>> _pending = new();
    private readonly Task _readLoop;
    private Exception? _failure;

    private RespConnection(IDuplexPipe socket, IDisposable owner, string endpointText)
    {
        _socket = socket;
        _owner = owner;
        _endpointText = endpointText;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Whether the connection still works: false once the server closed it or the stream broke.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_pendingLock)
            {
                return _failure is null;
            }
        }
    }

    /// <summary>Connects to <paramref name="host"/> (an address or a name) on <paramref name="port"/>.</summary>
    /// <exception cref="RespConnectionException">The server cannot be reached; the message says why.</exception>
    public static Task<RespConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken = default) =>
        ConnectAsync(host, port, null, cancellationToken);

    /// <summary>Connects to <paramref name="host"/> on <paramref name="port"/>, over TLS when <paramref name="tls"/> is given.</summary>
    /// <exception cref="RespConnectionException">The server cannot be reached, or the TLS handshake failed; the message says why.</exception>
    public static async Task<RespConnection> ConnectAsync(string host, int port, SslClientAuthenticationOptions? tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var endpointText = $"{host}:{port}";
        try
        {
            var address = IPAddress.TryParse(host, out var parsed)
                ? parsed
                : await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
            if (tls is null)
            {
                var socket = await SocketConnection.ConnectAsync(new IPEndPoint(address, port))
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                return new RespConnection(socket, socket, endpointText);
            }

            return await ConnectTlsAsync(new IPEndPoint(address, port), tls, endpointText, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new RespConnectionException($"Could not connect to {endpointText}: {Describe(e)}", e);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            throw new RespConnectionException($"TLS handshake with {endpointText} failed: {e.Message}", e);
        }
    }

    private static async Task<RespConnection> ConnectTlsAsync(IPEndPoint endpoint, SslClientAuthenticationOptions tls, string endpointText, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? stream = null;
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
            await stream.AuthenticateAsClientAsync(tls, cancellationToken).ConfigureAwait(false);
            var pipe = new StreamPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
            return new RespConnection(pipe, stream, endpointText);
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw;
        }
    }

    // Nodes listen on IPv4 by default, and "localhost" often resolves to ::1 first: prefer an IPv4 address.
    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
               ?? addresses.FirstOrDefault()
               ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Sends a command; the task completes with its reply (which may be an error reply).</summary>
    public Task<RespReply> ExecuteAsync(params string[] arguments) =>
        ExecuteAsync(RespCommandWriter.ToBytes(arguments));

    /// <summary>
    /// Sends a command; the task completes with its reply (which may be an error reply). Calls may overlap: commands
    /// are pipelined on the one connection and replies are matched to them in order.
    /// </summary>
    /// <param name="arguments">The command name, then its arguments, sent as they are (binary-safe).</param>
    /// <param name="cancellationToken">Stops waiting for the reply; the command may still have been sent and run.</param>
    /// <exception cref="RespConnectionException">The connection was lost or closed before the reply came.</exception>
    public async Task<RespReply> ExecuteAsync(IReadOnlyList<byte[]> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("A command needs at least one argument.", nameof(arguments));
        }

        var reply = new TaskCompletionSource<RespReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_pendingLock)
            {
                if (_failure is not null)
                {
                    throw _failure;
                }

                _pending.Enqueue(reply);
            }

            _socket.Output.WriteCommand(arguments);
            var flushed = await _socket.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                Fail(Lost());
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or ObjectDisposedException)
        {
            Fail(Lost(e));
        }
        finally
        {
            _writeLock.Release();
        }

        return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="count"/> commands that <paramref name="write"/> encodes straight into the connection's
    /// buffer (called with the buffer and the command's index, it must write exactly one whole RESP command, say with
    /// <see cref="RespCommandWriter"/> or <c>RespWriter</c>), flushed together rather than one by one. Returns a task
    /// per command, in order, that completes with its reply. For bulk senders (slot migration): no argument array per
    /// command and one write to the socket for many commands.
    /// </summary>
    /// <param name="count">How many commands <paramref name="write"/> writes, one per call.</param>
    /// <param name="write">Writes command <c>i</c> to the buffer; an exception from it closes the connection (the stream
    /// may hold half a command) and fails every command in flight.</param>
    /// <param name="cancellationToken">Stops waiting for the replies; the commands may still have been sent and run.</param>
    /// <exception cref="RespConnectionException">The connection was lost or closed before a reply came (from the tasks).</exception>
    public async Task<Task<RespReply>[]> ExecuteManyAsync(int count, Action<IBufferWriter<byte>, int> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var replies = new TaskCompletionSource<RespReply>[count];
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var output = _socket.Output;
            for (var i = 0; i < count; i++)
            {
                replies[i] = new TaskCompletionSource<RespReply>(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_pendingLock)
                {
                    if (_failure is not null)
                    {
                        replies[i].TrySetException(_failure);
                        continue;
                    }

                    _pending.Enqueue(replies[i]);
                }

                try
                {
                    write(output, i);
                }
                catch (Exception e)
                {
                    Fail(new RespConnectionException($"A command for {_endpointText} could not be written: {e.Message}", e));
                    throw;
                }

                // Big batches go out in pieces, so the server starts on the first commands while the rest are written.
                if (output.CanGetUnflushedBytes && output.UnflushedBytes >= FlushEvery && await output.FlushAsync(CancellationToken.None).ConfigureAwait(false) is { IsCompleted: true })
                {
                    Fail(Lost());
                }
            }

            if ((await output.FlushAsync(CancellationToken.None).ConfigureAwait(false)).IsCompleted)
            {
                Fail(Lost());
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or ObjectDisposedException)
        {
            Fail(Lost(e));
        }
        finally
        {
            _writeLock.Release();
        }

        var tasks = new Task<RespReply>[count];
        for (var i = 0; i < count; i++)
        {
            // A command never queued (the connection failed first) fails like the rest.
            replies[i] ??= new TaskCompletionSource<RespReply>();
            if (!replies[i].Task.IsCompleted && !IsConnected)
            {
                replies[i].TrySetException(Lost());
            }

            tasks[i] = replies[i].Task.WaitAsync(cancellationToken);
        }

        return tasks;
    }

    /// <summary>Unflushed bytes after which <see cref="ExecuteManyAsync"/> flushes before writing more.</summary>
    private const int FlushEvery = 64 * 1024;

    /// <summary>Closes the connection; commands still waiting for a reply fail with <see cref="RespConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Fail(new RespConnectionException($"Connection to {_endpointText} was closed"));
        await _socket.Output.CompleteAsync().ConfigureAwait(false);
        _owner.Dispose();
        await _readLoop.ConfigureAwait(false);
        _writeLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var input = _socket.Input;
        var framer = new RespReplyFramer();
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);

                // Parse only whole replies: a big one (CLUSTER SLOTS) arrives over many reads, and the parser would
                // build it again from its first byte on every one of them.
                while (framer.TryFrame(reader.UnreadSequence, out _) && RespReplyParser.TryRead(ref reader, out var reply))
                {
                    TaskCompletionSource<RespReply>? waiter;
                    lock (_pendingLock)
                    {
                        _pending.TryDequeue(out waiter);
                    }

                    // A reply nobody asked for means the stream is out of step; nothing after it can be trusted.
                    if (waiter is null)
                    {
                        throw new RespProtocolException("reply without a command");
                    }

                    waiter.TrySetResult(reply);
                }

                input.AdvanceTo(reader.Position, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            Fail(Lost());
        }
        catch (RespProtocolException e)
        {
            Fail(new RespConnectionException($"Protocol error from {_endpointText}: {e.Message}", e));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or ConnectionResetException or ConnectionAbortedException)
        {
            Fail(Lost(e));
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private RespConnectionException Lost(Exception? inner = null) =>
        inner is null
            ? new RespConnectionException($"Server {_endpointText} closed the connection")
            : new RespConnectionException($"Server {_endpointText} closed the connection", inner);

    private void Fail(Exception failure)
    {
        TaskCompletionSource<RespReply>[] waiters;
        lock (_pendingLock)
        {
            _failure ??= failure;
            waiters = [.. _pending];
            _pending.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetException(_failure);
        }
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.TimedOut => "Connection timed out",
        SocketError.HostUnreachable => "No route to host",
        SocketError.NetworkUnreachable => "Network is unreachable",
        SocketError.HostNotFound => "Name or service not known",
        _ => e.Message,
    };

    private sealed class StreamPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
