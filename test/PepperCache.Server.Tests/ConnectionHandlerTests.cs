using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests;

/// <summary>
/// <see cref="RespConnectionHandler"/> over in-memory pipes (no socket), as Bedrock tests its protocols: the test
/// plays the client on one end of a pipe pair and reads the exact reply bytes on the other. The handler's input
/// pipe schedules its reader inline, so when a client write's flush returns, the handler has already dealt with
/// those bytes and is waiting for more: the tests can say what it did with a partial frame, without sleeping.
/// </summary>
public sealed class ConnectionHandlerTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly Harness _harness = new(manualInput: false);

    private Task Running => _harness.Running;

    [Fact]
    public async Task AnswersACommandWithTheExactReply()
    {
        _ = Running;

        await SendAsync("*1\r\n$4\r\nPING\r\n");

        Assert.Equal("+PONG\r\n", await ReadAsync(7));
        Assert.Equal(1, _harness.Server.Clients.ConnectedCount);
    }

    [Fact]
    public async Task FrameSplitAtEveryOffsetIsAnsweredOnceWhenComplete()
    {
        _ = Running;
        const string frame = "*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$5\r\nvalue\r\n";

        for (var cut = 1; cut < frame.Length; cut++)
        {
            var flushesBefore = _harness.ServerOutput.Flushes;

            await SendAsync(frame[..cut]);
            // The handler has read the partial frame and is waiting: nothing answered, nothing flushed.
            Assert.False(_harness.ToClient.Reader.TryRead(out _), $"replied to a partial frame cut at {cut}");
            Assert.Equal(flushesBefore, _harness.ServerOutput.Flushes);

            await SendAsync(frame[cut..]);
            Assert.Equal("+OK\r\n", await ReadAsync(5));
            Assert.Equal(flushesBefore + 1, _harness.ServerOutput.Flushes);
        }

        await SendAsync("GET split\r\n");
        Assert.Equal("$5\r\nvalue\r\n", await ReadAsync(11));
    }

    [Fact]
    public async Task PipelinedBatchGetsOneFlush()
    {
        _ = Running;
        var batch = string.Concat(Enumerable.Repeat("*1\r\n$4\r\nPING\r\n", 100)) + "SET batch 1\r\nGET batch\r\n";

        await SendAsync(batch);

        var expected = string.Concat(Enumerable.Repeat("+PONG\r\n", 100)) + "+OK\r\n$1\r\n1\r\n";
        Assert.Equal(expected, await ReadAsync(expected.Length));
        Assert.Equal(1, _harness.ServerOutput.Flushes);
    }

    [Fact]
    public async Task ProtocolErrorAnswersEarlierCommandsThenTheErrorAndEnds()
    {
        _ = Running;

        await SendAsync("PING\r\n*1\r\nfoo\r\nPING\r\n");

        const string expected = "+PONG\r\n-ERR Protocol error: expected '$', got 'f'\r\n";
        Assert.Equal(expected, await ReadAsync(expected.Length));
        await Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(0, _harness.Server.Clients.ConnectedCount);
    }

    [Fact]
    public async Task QuitAnswersOkAndEndsWithoutRunningTheRest()
    {
        _ = Running;

        await SendAsync("QUIT\r\nSET after-quit 1\r\n");

        Assert.Equal("+OK\r\n", await ReadAsync(5));
        await Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.False(_harness.Server.Store.Exists("after-quit"u8));
    }

    [Fact]
    public async Task ClientClosingItsSideEndsTheConnection()
    {
        _ = Running;
        await SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await ReadAsync(7));

        await _harness.ToServer.Writer.CompleteAsync();

        await Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(0, _harness.Server.Clients.ConnectedCount);
    }

    [Fact]
    public async Task AbortEndsTheConnectionQuietly()
    {
        _ = Running;
        await SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await ReadAsync(7));

        _harness.Connection.Abort();

        // The handler swallows the cancellation as a normal disconnect rather than faulting.
        await Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(0, _harness.Server.Clients.ConnectedCount);
    }

    [Fact]
    public async Task ClientPastTheQueryBufferLimitIsClosedWithoutAReply()
    {
        _harness.Server.Config.Limits = _harness.Server.Limits with { MaxQueryBufferLength = 1024 };
        _ = Running;
        await SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await ReadAsync(7));

        // A legal but incomplete frame: its claimed 5,000-byte bulk would take the buffer past the limit.
        await SendAsync("*2\r\n$4\r\nECHO\r\n$5000\r\n" + new string('x', 2000));

        await Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(0, _harness.Server.Clients.ConnectedCount);
        Assert.False(_harness.ToClient.Reader.TryRead(out _), "the server replied to a client it closed");
    }

    [Fact]
    public async Task CloseRequestedByTheServerEndsAnIdleConnection()
    {
        using var lifetime = new CloseRequestFeature();
        _harness.Connection.Features.Set<IConnectionLifetimeNotificationFeature>(lifetime);
        _ = Running;
        await SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await ReadAsync(7));

        // What Kestrel does to every connection when the host stops.
        lifetime.RequestClose();

        await Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(0, _harness.Server.Clients.ConnectedCount);
    }

    [Fact]
    public async Task CloseRequestedWithCommandsBufferedAnswersThemBeforeEnding()
    {
        await using var test = new Harness(manualInput: true);
        using var lifetime = new CloseRequestFeature();
        test.Connection.Features.Set<IConnectionLifetimeNotificationFeature>(lifetime);
        _ = test.Running;

        // The commands arrive, then shutdown is requested before the handler gets to run: it must still answer them.
        await test.SendAsync("SET in-flight 1\r\nGET in-flight\r\n");
        lifetime.RequestClose();
        test.Scheduler.RunAll();

        Assert.Equal("+OK\r\n$1\r\n1\r\n", await test.ReadAsync(12));
        await test.Running.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(1, test.ServerOutput.Flushes);
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private Task SendAsync(string text) => _harness.SendAsync(text);

    private Task<string> ReadAsync(int count) => _harness.ReadAsync(count);

    /// <summary>
    /// One connection: the handler with a hand-built <see cref="ServerState"/>, the client's ends of both pipes,
    /// and a flush counter on the handler's output.
    /// </summary>
    private sealed class Harness : IAsyncDisposable
    {
        private Task? _running;

        public Harness(bool manualInput)
        {
            ToServer = new Pipe(new PipeOptions(
                readerScheduler: manualInput ? Scheduler : PipeScheduler.Inline,
                useSynchronizationContext: false));
            ServerOutput = new CountingPipeWriter(ToClient.Writer);
            var transport = new DuplexPipe(ToServer.Reader, ServerOutput);
            var application = new DuplexPipe(ToClient.Reader, ToServer.Writer);
            Connection = new DefaultConnectionContext("test-connection", transport, application);
        }

        public ServerState Server { get; } = new(
            new KeyValueStore(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56))),
            Options.Create(new PepperCacheOptions()),
            new ClientRegistry(),
            new CommandDispatcher(CommandTable.CreateDefault()));

        public ManualScheduler Scheduler { get; } = new();

        public Pipe ToServer { get; }

        public Pipe ToClient { get; } = new(new PipeOptions(readerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));

        public CountingPipeWriter ServerOutput { get; }

        public DefaultConnectionContext Connection { get; }

        /// <summary>The handler's <c>OnConnectedAsync</c>, started on first use.</summary>
        public Task Running => _running ??= new RespConnectionHandler(Server, NullLogger<RespConnectionHandler>.Instance)
            .OnConnectedAsync(Connection);

        public async Task SendAsync(string text)
        {
            var result = await ToServer.Writer.WriteAsync(Encoding.ASCII.GetBytes(text), TestContext.Current.CancellationToken);
            Assert.False(result.IsCompleted, "the handler stopped reading");
        }

        /// <summary>Reads exactly <paramref name="count"/> reply bytes (bounded in time).</summary>
        public async Task<string> ReadAsync(int count)
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
                    var text = Encoding.ASCII.GetString(take);
                    reader.AdvanceTo(take.End);
                    return text;
                }

                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
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

        public int Flushes => Volatile.Read(ref _flushes);

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _flushes);
            return inner.FlushAsync(cancellationToken);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }

    /// <summary>Kestrel's shutdown signal to a connection, raised by hand.</summary>
    private sealed class CloseRequestFeature : IConnectionLifetimeNotificationFeature, IDisposable
    {
        private readonly CancellationTokenSource _requested = new();

        public CloseRequestFeature() => ConnectionClosedRequested = _requested.Token;

        public CancellationToken ConnectionClosedRequested { get; set; }

        public void RequestClose() => _requested.Cancel();

        public void Dispose() => _requested.Dispose();
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
