using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// One connection to <see cref="RespConnectionHandler"/> over in-memory pipes: the handler with a hand-built
/// <see cref="ServerState"/> (on a fake clock, shareable between harnesses), the client's ends of both pipes, and a
/// flush counter on the handler's output. The input pipe pauses its writer where Kestrel's does for the node
/// (<see cref="RespConnectionHandler.MaxReadBufferSize"/>), and an abort ends a waiting flush as Kestrel's transport does.
/// </summary>
internal sealed class HandlerHarness : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private Task? _running;

    public HandlerHarness(bool manualInput, ServerState? server = null)
    {
        Server = server ?? CreateServer(out _);
        Clock = (FakeTimeProvider)Server.Store.TimeProvider;
        ToServer = new Pipe(new PipeOptions(
            readerScheduler: manualInput ? Scheduler : PipeScheduler.Inline,
            pauseWriterThreshold: RespConnectionHandler.MaxReadBufferSize,
            resumeWriterThreshold: RespConnectionHandler.MaxReadBufferSize / 2,
            useSynchronizationContext: false));
        ServerOutput = new CountingPipeWriter(ToClient.Writer);
        var transport = new DuplexPipe(ToServer.Reader, ServerOutput);
        var application = new DuplexPipe(ToClient.Reader, ToServer.Writer);
        Connection = new DefaultConnectionContext("test-connection", transport, application);
        Connection.ConnectionClosed.UnsafeRegister(static state => ((PipeWriter)state!).CancelPendingFlush(), ToClient.Writer);
    }

    /// <summary>A node's shared state over a fake clock, without hosting.</summary>
    public static ServerState CreateServer(out FakeTimeProvider clock)
    {
        clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        return new ServerState(
            new KeyValueStore(clock),
            Options.Create(new PepperCacheOptions()),
            new ClientRegistry(),
            new CommandDispatcher(CommandTable.CreateDefault()));
    }

    public ServerState Server { get; }

    public FakeTimeProvider Clock { get; }

    public ManualScheduler Scheduler { get; } = new();

    public Pipe ToServer { get; }

    public Pipe ToClient { get; } = new(new PipeOptions(readerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));

    public CountingPipeWriter ServerOutput { get; }

    public DefaultConnectionContext Connection { get; }

    /// <summary>The handler's <c>OnConnectedAsync</c>, started on first use; its output is completed when it returns, as Kestrel does.</summary>
    public Task Running => _running ??= RunAsync();

    public async Task SendAsync(string text)
    {
        var result = await ToServer.Writer.WriteAsync(Encoding.ASCII.GetBytes(text), TestContext.Current.CancellationToken);
        Assert.False(result.IsCompleted, "the handler stopped reading");
    }

    /// <summary>Writes without waiting for the handler to make room: the returned task is the flush.</summary>
    public ValueTask<FlushResult> SendWithoutWaitingAsync(byte[] bytes) => ToServer.Writer.WriteAsync(bytes, TestContext.Current.CancellationToken);

    /// <summary>Reads exactly <paramref name="count"/> reply bytes (bounded in time).</summary>
    public async Task<string> ReadAsync(int count) => Encoding.ASCII.GetString(await ReadBytesAsync(count));

    public async Task<byte[]> ReadBytesAsync(long count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Bound);
        var reader = ToClient.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(timeout.Token);
            if (result.Buffer.Length >= count || result.IsCompleted)
            {
                var take = result.Buffer.Slice(0, Math.Min(count, result.Buffer.Length));
                var bytes = take.ToArray();
                reader.AdvanceTo(take.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Reply bytes waiting for the client, left unread.</summary>
    public long PendingReplyBytes()
    {
        if (!ToClient.Reader.TryRead(out var result))
        {
            return 0;
        }

        var length = result.Buffer.Length;
        ToClient.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        return length;
    }

    public async ValueTask DisposeAsync()
    {
        if (_running is { } running)
        {
            Connection.Abort();
            // With the manual scheduler the aborted read only completes when its continuation is run.
            Scheduler.RunAll();
            await running.WaitAsync(Bound);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await new RespConnectionHandler(Server, NullLogger<RespConnectionHandler>.Instance).OnConnectedAsync(Connection);
        }
        finally
        {
            await ToClient.Writer.CompleteAsync();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Passes everything through and counts flushes, to observe the one-flush-per-batch rule.</summary>
    internal sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        private int _flushes;
        private long _flushedBytes;

        public int Flushes => Volatile.Read(ref _flushes);

        /// <summary>Bytes handed on by flushes: what a socket would have sent (completing the pipe commits the rest).</summary>
        public long FlushedBytes => Interlocked.Read(ref _flushedBytes);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _flushes);
            Interlocked.Add(ref _flushedBytes, inner.UnflushedBytes);
            return inner.FlushAsync(cancellationToken);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }

    /// <summary>Holds the handler's read continuations until <see cref="RunAll"/>, so a test can line up events first.</summary>
    internal sealed class ManualScheduler : PipeScheduler
    {
        private readonly Queue<(Action<object?> Action, object? State)> _queue = new();

        public override void Schedule(Action<object?> action, object? state)
        {
            lock (_queue)
            {
                _queue.Enqueue((action, state));
            }
        }

        public void RunAll()
        {
            for (var i = 0; i < 1000; i++)
            {
                (Action<object?> Action, object? State) next;
                lock (_queue)
                {
                    if (!_queue.TryDequeue(out next))
                    {
                        return;
                    }
                }

                next.Action(next.State);
            }
        }
    }
}
