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
using PepperCache.Server.Tests.Infrastructure;

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

    private readonly HandlerHarness _harness = new(manualInput: false);

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
        Assert.Equal(0, _harness.PendingReplyBytes());
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
        await using var test = new HandlerHarness(manualInput: true);
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

    /// <summary>Kestrel's shutdown signal to a connection, raised by hand.</summary>
    private sealed class CloseRequestFeature : IConnectionLifetimeNotificationFeature, IDisposable
    {
        private readonly CancellationTokenSource _requested = new();

        public CloseRequestFeature() => ConnectionClosedRequested = _requested.Token;

        public CancellationToken ConnectionClosedRequested { get; set; }

        public void RequestClose() => _requested.Cancel();

        public void Dispose() => _requested.Dispose();
    }
}
