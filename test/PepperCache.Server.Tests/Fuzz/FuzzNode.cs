using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Fuzz;

/// <summary>
/// A node without a host, as production wires it (store with a memory limit, a one-member cluster, ACL users, a
/// closed append-only log), on a fake clock, whose <see cref="RespConnectionHandler"/> serves connections over
/// in-memory pipes. No socket and no file: CONFIG cannot move the data directory or switch the log on at run time,
/// and with no aclfile ACL SAVE and LOAD only answer errors.
/// </summary>
internal sealed class FuzzNode
{
    /// <summary>The keyspace's maxmemory: a 512 MB SETRANGE can pass once, then writes answer OOM until keys go.</summary>
    private const long MaxMemory = 64L * 1024 * 1024;

    private readonly RespConnectionHandler _handler;
    private readonly FaultLogger _log = new();

    // Port 0: no data directory, so the cluster state writes no nodes.json.
    private static readonly IOptions<PepperCacheOptions> NodeOptions =
        Options.Create(new PepperCacheOptions { Port = 0, AdminPort = 0, AppendOnly = "no", MaxMemory = MaxMemory });

    // Shared by every node: building a cluster state (its slot table) takes a third of a second, and a table per
    // node would take new command ids each time. CLUSTER SETSLOT on a cluster of one can only name this node.
    private static readonly Lazy<CommandDispatcher> Dispatcher = new(() =>
        new CommandDispatcher(CommandTable.CreateDefault(), new ClusterState(NodeOptions, NullLogger<ClusterState>.Instance)));

    public FuzzNode()
    {
        Clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        Server = new ServerState(
            PepperCacheHostingExtensions.CreateStore(Clock, NodeOptions.Value),
            NodeOptions,
            new ClientRegistry(),
            Dispatcher.Value);
        _handler = new RespConnectionHandler(Server, _log);
    }

    /// <summary>The command table every node serves.</summary>
    public static CommandTable Table => Dispatcher.Value.Table;

    public ServerState Server { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>Set when the handler logged a fault: an exception escaped a command or the read loop.</summary>
    public string? Fault => _log.Fault;

    /// <summary>
    /// Opens a connection, sends <paramref name="frames"/> (cut into writes at <paramref name="cuts"/>), reads and
    /// checks the replies, and closes the connection. Throws <see cref="FuzzPropertyException"/> on any broken
    /// property and <see cref="FuzzHangException"/> when the handler stops answering within <paramref name="bound"/>.
    /// </summary>
    public async Task<BatchResult> RunAsync(IReadOnlyList<FuzzInvocation> batch, IReadOnlyList<int> cuts, TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        var connection = new PipeConnection();
        var running = RunHandlerAsync(connection);
        var bytes = batch.SelectMany(c => c.Encode()).ToArray();
        var replies = new ReplyReader(connection.ToClient.Reader);
        var blocking = batch.Count > 0 && batch[^1].Command.IsBlocking;
        var closedByServer = false;
        var quit = batch.Any(c => c.Command.FullName == "quit");
        try
        {
            // Writes go on while replies are read: a reply larger than the output pipe's pause threshold must be read
            // before the handler goes on, and the input pipe pauses its writer too.
            var writing = WriteAsync(connection.ToServer.Writer, bytes, cuts, deadline.Token);
            var expected = blocking ? batch.Count - 1 : batch.Count;
            var received = await replies.ReadAsync(expected, batch, deadline.Token).ConfigureAwait(false);
            if (received == expected && blocking)
            {
                received += await WaitForBlockedAsync(replies, batch, deadline.Token).ConfigureAwait(false);
            }

            await writing.ConfigureAwait(false);
            Check(batch, replies, received);
            if (quit && !replies.Closed && await replies.DrainAsync(deadline.Token).ConfigureAwait(false) is > 0 and var after)
            {
                // A connection that stays open after QUIT shows up as a hang (the drain waits for the close).
                throw new FuzzPropertyException($"{after} bytes sent after QUIT's reply");
            }

            closedByServer = replies.Closed;
            if (!replies.Closed)
            {
                // The client leaves; the handler must end by itself, with nothing more sent.
                await connection.ToServer.Writer.CompleteAsync().ConfigureAwait(false);
                connection.Abort();
                var extra = await replies.DrainAsync(deadline.Token).ConfigureAwait(false);
                if (extra > 0)
                {
                    throw new FuzzPropertyException($"{extra} bytes sent after the {received} replies expected");
                }
            }

            await running.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            connection.Abort();
            throw new FuzzHangException(
                $"no progress within {bound.TotalSeconds:F0} s: {replies.Count} replies of {batch.Count} read, handler " +
                (running.IsCompleted ? "ended" : "still running"));
        }

        if (_log.Fault is { } fault)
        {
            throw new FuzzPropertyException("the handler logged a fault: " + fault);
        }

        return new BatchResult(replies.Count, replies.Errors, closedByServer);
    }

    private async Task RunHandlerAsync(PipeConnection connection)
    {
        try
        {
            await _handler.OnConnectedAsync(connection.Context).ConfigureAwait(false);
        }
        finally
        {
            // As Kestrel when the application returns: both transport ends complete, so a writer waiting on a full
            // input pipe wakes up.
            await connection.ToClient.Writer.CompleteAsync().ConfigureAwait(false);
            await connection.ToServer.Reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(PipeWriter writer, byte[] bytes, IReadOnlyList<int> cuts, CancellationToken token)
    {
        var start = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < bytes.Length).Order().Append(bytes.Length))
        {
            if (cut <= start)
            {
                continue;
            }

            var result = await writer.WriteAsync(bytes.AsMemory(start, cut - start), token).ConfigureAwait(false);
            start = cut;
            if (result.IsCompleted)
            {
                // The handler stopped reading (QUIT, a kill, a limit): the rest is not for it.
                return;
            }
        }
    }

    /// <summary>
    /// The batch ends with a blocking command. Time runs on (a year at a time, the fake clock's timers fire) so a
    /// timeout can expire; one that waits forever (timeout 0) is left blocked, and the client leaves: the handler
    /// must then end as for any client that goes away.
    /// </summary>
    private async Task<int> WaitForBlockedAsync(ReplyReader replies, IReadOnlyList<FuzzInvocation> batch, CancellationToken token)
    {
        for (var i = 0; i < 3; i++)
        {
            if (await replies.TryReadOneAsync(batch, TimeSpan.FromMilliseconds(20), token).ConfigureAwait(false))
            {
                return 1;
            }

            Clock.Advance(TimeSpan.FromDays(366));
        }

        return await replies.TryReadOneAsync(batch, TimeSpan.FromMilliseconds(20), token).ConfigureAwait(false) ? 1 : 0;
    }

    /// <summary>
    /// Every command got one reply, or the connection was closed where that is the answer: after QUIT (whatever
    /// follows it is not run), or once a command that can end connections had its reply (CLIENT KILL, CONFIG SET
    /// of a limit, ACL changes to users), or a blocking command was still waiting when the client left.
    /// </summary>
    private static void Check(IReadOnlyList<FuzzInvocation> batch, ReplyReader replies, int received)
    {
        var quit = batch.ToList().FindIndex(c => c.Command.FullName == "quit");
        var expected = quit >= 0 ? quit + 1 : batch.Count;
        if (received == expected || (received == expected - 1 && batch[^1].Command.IsBlocking && quit < 0))
        {
            return;
        }

        if (received > expected)
        {
            throw new FuzzPropertyException($"{received} replies to {expected} commands");
        }

        var closer = batch.Take(received).Any(c => c.Command.FullName is "client|kill" or "config|set" or "acl|deluser" or "acl|setuser" or "acl|load");
        if (!replies.Closed || !closer)
        {
            throw new FuzzPropertyException(
                $"{received} replies to {expected} commands, connection {(replies.Closed ? "closed" : "open")}; next unanswered: {batch[received]}");
        }
    }

    private sealed class PipeConnection
    {
        public PipeConnection()
        {
            // The handler runs on the thread pool, so the driver can give up on it (a hang) without being stuck inside it.
            ToServer = new Pipe(new PipeOptions(
                readerScheduler: PipeScheduler.ThreadPool,
                pauseWriterThreshold: RespConnectionHandler.MaxReadBufferSize,
                resumeWriterThreshold: RespConnectionHandler.MaxReadBufferSize / 2,
                useSynchronizationContext: false));
            ToClient = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.ThreadPool, useSynchronizationContext: false));
            Context = new DefaultConnectionContext(
                "fuzz-" + Guid.NewGuid().ToString("N"),
                new DuplexPipe(ToServer.Reader, ToClient.Writer),
                new DuplexPipe(ToClient.Reader, ToServer.Writer));
            Context.ConnectionClosed.UnsafeRegister(static state => ((PipeWriter)state!).CancelPendingFlush(), ToClient.Writer);
        }

        public Pipe ToServer { get; }

        public Pipe ToClient { get; }

        public DefaultConnectionContext Context { get; }

        public void Abort() => Context.Abort();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Reads whole RESP2 replies off the client's pipe, checking each is well formed.</summary>
    private sealed class ReplyReader(PipeReader reader)
    {
        private readonly RespReplyFramer _framer = new();

        public int Count { get; private set; }

        public int Errors { get; private set; }

        public bool Closed { get; private set; }

        /// <summary>Reads until <paramref name="count"/> replies in all have arrived or the handler closed the connection.</summary>
        public async Task<int> ReadAsync(int count, IReadOnlyList<FuzzInvocation> batch, CancellationToken token)
        {
            while (Count < count && !Closed)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                Consume(result, batch, count);
            }

            return Count;
        }

        public async Task<bool> TryReadOneAsync(IReadOnlyList<FuzzInvocation> batch, TimeSpan wait, CancellationToken token)
        {
            var before = Count;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(wait);
            try
            {
                await ReadAsync(before + 1, batch, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // Still blocked.
            }

            return Count > before;
        }

        /// <summary>After the client left: bytes still sent until the handler closes its side.</summary>
        public async Task<long> DrainAsync(CancellationToken token)
        {
            long extra = 0;
            while (true)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                extra += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    Closed = true;
                    return extra;
                }
            }
        }

        private void Consume(ReadResult result, IReadOnlyList<FuzzInvocation> batch, int count)
        {
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            while (Count < count && _framer.TryFrame(buffer.Slice(consumed), out var length))
            {
                var frame = buffer.Slice(consumed, length);
                var replyReader = new SequenceReader<byte>(frame);
                try
                {
                    if (!RespReplyParser.TryRead(ref replyReader, out var reply) || replyReader.Remaining != 0)
                    {
                        throw new RespProtocolException("the framer and the parser disagree on the reply's length");
                    }

                    Errors += reply.IsError ? 1 : 0;
                }
                catch (RespProtocolException ex)
                {
                    throw new FuzzPropertyException(
                        $"malformed reply {Count} ({ex.Message}) to {(Count < batch.Count ? batch[Count] : "nothing")}: " +
                        Printable(frame));
                }

                consumed = frame.End;
                Count++;
            }

            if (result.IsCompleted && Count < count)
            {
                var rest = buffer.Slice(consumed);
                if (rest.Length > 0)
                {
                    throw new FuzzPropertyException($"the connection closed inside reply {Count}: {Printable(rest)}");
                }

                Closed = true;
            }

            reader.AdvanceTo(consumed, Count < count ? buffer.End : consumed);
        }

        private static string Printable(ReadOnlySequence<byte> bytes)
        {
            var slice = bytes.Slice(0, Math.Min(bytes.Length, 300)).ToArray();
            return "\"" + string.Concat(slice.Select(b => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}")) + "\"";
        }
    }

    /// <summary>Records the first warning with an exception (a connection fault: something escaped the command path).</summary>
    private sealed class FaultLogger : ILogger<RespConnectionHandler>
    {
        private string? _fault;

        public string? Fault => Volatile.Read(ref _fault);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null || eventId.Id == 1003)
            {
                Interlocked.CompareExchange(ref _fault, $"{formatter(state, exception)}: {exception}", null);
            }
        }
    }
}

/// <summary>What one batch got: replies read, how many were errors, whether the server closed the connection.</summary>
internal readonly record struct BatchResult(int Replies, int Errors, bool Closed);

/// <summary>A fuzz property did not hold.</summary>
internal sealed class FuzzPropertyException(string message) : Exception(message);

/// <summary>The handler stopped answering: a hang.</summary>
internal sealed class FuzzHangException(string message) : Exception(message);
