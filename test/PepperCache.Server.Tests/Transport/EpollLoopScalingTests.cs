using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using PepperCache.Server.Transport;

namespace PepperCache.Server.Tests.Transport;

/// <summary>
/// The loops beyond the first start asleep, their sets served by the first loop's thread, and take their sets back
/// when that thread is busy (<see cref="EpollLoopScaling"/>): whichever thread serves a set, and however often it
/// changes hands, every byte arrives once and in order, and a stopping transport ends every connection.
/// </summary>
public sealed class EpollLoopScalingTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // Wakes a sleeping loop after two windows of 1 ms with any work on the first loop, and never merges.
    private static readonly EpollLoopScaling WakeAtOnce = new(1, 0, -1, -1, -1, 1, long.MaxValue);

    // Wakes as above, and a woken loop hands its set back after 1 ms: the sets change hands all the time.
    private static readonly EpollLoopScaling Flapping = new(1, 0, int.MaxValue, int.MaxValue, int.MaxValue, 1, 1);

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<IDisposable> _owned = [];
    private readonly List<ConnectionContext> _connections = [];

    public EpollLoopScalingTests()
    {
        Assert.SkipUnless(EpollTransport.IsSupported, "epoll: Linux on x64 or arm64 only");
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALightLoadRunsOnTheFirstLoopsThreadWhicheverLoopItsConnectionsAreOn()
    {
        var transport = NewTransport(loops: 4, EpollLoopScaling.Default);
        var threads = new ConcurrentDictionary<int, byte>();
        var pairs = await ConnectManyAsync(transport, 8);
        var echoes = pairs.Select(pair => EchoAsync(pair.Server, threads)).ToArray();

        foreach (var (client, _) in pairs)
        {
            for (var i = 0; i < 5; i++)
            {
                await RoundTripAsync(client, $"ping {i}");
            }
        }

        Assert.Equal(1, transport.ActiveThreads);
        Assert.Single(threads);
        Assert.Equal(0, transport.HandOvers);
        await EndAsync(pairs, echoes);
    }

    /// <summary>
    /// The first loop polls for events between batches while it serves alone; that polling is not load. Polling up to
    /// 5 ms after each batch of one round trip at a time keeps its thread busy (63-99 % of a core here, against
    /// 30-47 % of work), and counted as load it would wake the other loop at 60 % (the machine's idle CPU is not asked
    /// for here) after two windows of 50 ms.
    /// </summary>
    [Fact]
    public async Task PollingBetweenBatchesIsNotLoad()
    {
        var polling = EpollLoopScaling.Default with { WakeAtPermille = 600, WakeIdleAtPermille = 0, IdlePollMicroseconds = 5000 };
        var transport = NewTransport(loops: 2, polling);
        var pairs = await ConnectManyAsync(transport, 2);
        var echoes = pairs.Select(pair => EchoAsync(pair.Server, threads: null)).ToArray();

        // Six of the first loop's windows, bounded in count too.
        var running = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 20_000 && running.ElapsedMilliseconds < 300; i++)
        {
            await RoundTripAsync(pairs[i % pairs.Length].Client, "ping");
        }

        Assert.Equal(0, transport.HandOvers);
        Assert.Equal(1, transport.ActiveThreads);
        await EndAsync(pairs, echoes);
    }

    [Fact]
    public async Task ABusyFirstLoopWakesTheOthersAndEachThenServesItsOwnConnections()
    {
        var transport = NewTransport(loops: 3, WakeAtOnce);
        var pairs = await ConnectManyAsync(transport, 6);
        var echoes = pairs.Select(pair => EchoAsync(pair.Server, threads: null)).ToArray();

        // Traffic until both other loops are awake: two windows of 1 ms each, one loop at a time.
        var deadline = DateTime.UtcNow + Bound;
        for (var i = 0; transport.ActiveThreads < 3; i++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{transport.ActiveThreads} of 3 loops awake after {i} rounds");
            await RoundTripAsync(pairs[i % pairs.Length].Client, $"round {i}");
        }

        Assert.Equal(2, transport.HandOvers);

        // Now each connection's application runs on its own loop's thread: three threads for three loops.
        var threads = new ConcurrentDictionary<int, byte>();
        var probes = pairs.Select(pair => ProbeThreadAsync(pair.Server, threads)).ToArray();
        foreach (var (client, _) in pairs)
        {
            await RoundTripAsync(client, "which thread");
        }

        await OffTheLoopsAsync(Task.WhenAll(probes));
        Assert.Equal(3, threads.Count);
        await EndAsync(pairs, echoes);
    }

    [Fact]
    public async Task SetsHandedBackAndForthAllTheTimeLoseNoByteAndKeepTheOrder()
    {
        var transport = NewTransport(loops: 3, Flapping);
        var pairs = await ConnectManyAsync(transport, 12);
        var echoes = pairs.Select(pair => EchoAsync(pair.Server, threads: null)).ToArray();

        // 64 KB at a time in 1 KB sends, until the sets have changed hands 30 times (windows of a coarse 1 ms clock).
        var deadline = DateTime.UtcNow + Bound;
        await OffTheLoopsAsync(Task.WhenAll(pairs.Select(async (pair, n) =>
        {
            var random = new Random(n);
            var payload = new byte[64 * 1024];
            for (var round = 0; transport.HandOvers < 30 && DateTime.UtcNow < deadline; round++)
            {
                random.NextBytes(payload);
                var receiving = LoopbackReads.ReceiveExactlyAsync(pair.Client, payload.Length, Bound);
                for (var offset = 0; offset < payload.Length; offset += 1024)
                {
                    await pair.Client.SendAsync(payload.AsMemory(offset, 1024), Token);
                }

                Assert.Equal(payload, await receiving);
            }
        })));

        Assert.True(transport.HandOvers >= 30, $"only {transport.HandOvers} hand-overs");

        // Stopping while the sets change hands still ends every connection, and every client sees the close.
        var ends = pairs.Select(pair => LoopbackReads.DrainUntilClosedAsync(pair.Client)).ToArray();
        transport.Dispose();
        await OffTheLoopsAsync(Task.WhenAll(echoes));
        await OffTheLoopsAsync(Task.WhenAll(ends));
    }

    [Fact]
    public async Task StoppingWithLoopsAsleepEndsTheirConnectionsToo()
    {
        var transport = NewTransport(loops: 3, EpollLoopScaling.OneThread);
        var pairs = await ConnectManyAsync(transport, 6);
        var echoes = pairs.Select(pair => EchoAsync(pair.Server, threads: null)).ToArray();
        foreach (var (client, _) in pairs)
        {
            await RoundTripAsync(client, "hello");
        }

        Assert.Equal(1, transport.ActiveThreads);
        var ends = pairs.Select(pair => LoopbackReads.DrainUntilClosedAsync(pair.Client)).ToArray();
        transport.Dispose();

        await OffTheLoopsAsync(Task.WhenAll(echoes));
        await OffTheLoopsAsync(Task.WhenAll(ends));
        Assert.Equal(3, transport.ActiveThreads);
    }

    [Theory]
    [InlineData("cpu  2772034 302966 879033 2080476 6050 0 311529 2688 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n", 2086526)]
    [InlineData("cpu  1 2 3 4 5", 9)]
    [InlineData("cpu0 1 2 3 4 5 6", -1)]
    [InlineData("cpu  1 2 3 4", -1)]
    [InlineData("cpu  1 2 3 x 5 6", -1)]
    [InlineData("", -1)]
    public void TheMachinesIdleTicksAreIdlePlusIowait(string stat, long ticks) =>
        Assert.Equal(ticks, MachineIdleMeter.ParseIdleTicks(Encoding.ASCII.GetBytes(stat)));

    [Theory]
    [InlineData(50, 1000, 500)]
    [InlineData(10, 50, 2000)]
    [InlineData(0, 50, 0)]
    [InlineData(-3, 50, 0)]
    public void TheMachinesIdleCpuIsInThousandthsOfACore(long idleTicks, long elapsedMilliseconds, int permille) =>
        // 100 ticks a second: 50 idle ticks in 1 s is half a core; 10 in 50 ms, two cores; a counter that went back, none.
        Assert.Equal(permille, MachineIdleMeter.IdlePermille(idleTicks, elapsedMilliseconds));

    [Fact]
    public void ThisMachinesProcStatParses() =>
        Assert.True(MachineIdleMeter.ParseIdleTicks(File.ReadAllBytes("/proc/stat")) > 0);

    private EpollTransport NewTransport(int loops, EpollLoopScaling scaling)
    {
        var transport = new EpollTransport(loops, 1024 * 1024, 64 * 1024, NullLogger.Instance, scaling);
        _owned.Add(transport);
        return transport;
    }

    private async Task<(Socket Client, ConnectionContext Server)[]> ConnectManyAsync(EpollTransport transport, int count)
    {
        var pairs = new (Socket, ConnectionContext)[count];
        for (var i = 0; i < count; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _owned.Add(client);
            var accepting = _listener.AcceptAsync(Token).AsTask();
            await client.ConnectAsync(_listener.LocalEndPoint!, Token);
            var connection = transport.Create(await accepting.WaitAsync(Bound, Token));
            _connections.Add(connection);
            pairs[i] = (client, connection);
        }

        return pairs;
    }

    /// <summary>Echoes until the input ends, noting the threads its continuations ran on (the loop's, inline), then ends the connection.</summary>
    private static async Task EchoAsync(ConnectionContext connection, ConcurrentDictionary<int, byte>? threads)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                threads?.TryAdd(Environment.CurrentManagedThreadId, 0);
                if (Probes.TryRemove(connection, out var probe))
                {
                    probe.TrySetResult(Environment.CurrentManagedThreadId);
                }

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
        catch (ConnectionAbortedException)
        {
            // The transport stopped under the connection.
        }
        finally
        {
            // As Kestrel does once a handler returns: the loop lets the connection go only after this.
            await connection.DisposeAsync();
        }
    }

    private static readonly ConcurrentDictionary<ConnectionContext, TaskCompletionSource<int>> Probes = new();

    /// <summary>The thread the echo's next read continues on.</summary>
    private static async Task ProbeThreadAsync(ConnectionContext connection, ConcurrentDictionary<int, byte> threads)
    {
        var probe = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Probes[connection] = probe;
        threads.TryAdd(await probe.Task, 0);
    }

    private static async Task RoundTripAsync(Socket client, string text)
    {
        var message = Encoding.ASCII.GetBytes(text);
        await client.SendAsync(message, Token);
        Assert.Equal(message, await LoopbackReads.ReceiveExactlyAsync(client, message.Length, Bound));
    }



    private static async Task EndAsync((Socket Client, ConnectionContext Server)[] pairs, Task[] echoes)
    {
        foreach (var (client, _) in pairs)
        {
            client.Shutdown(SocketShutdown.Send);
        }

        await OffTheLoopsAsync(Task.WhenAll(echoes));
    }

    /// <summary>
    /// Waits for tasks the applications complete, then continues on the thread pool: continued inline on a loop's
    /// thread, the test would stop the transport from the thread that has to exit for the stop to finish.
    /// </summary>
    private static async Task OffTheLoopsAsync(Task task) =>
        await task.WaitAsync(Bound, Token).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            // Bounded: a connection whose set nobody serves any more is never released.
            await connection.DisposeAsync().AsTask().WaitAsync(Bound);
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _listener.Dispose();
    }
}
