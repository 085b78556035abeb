using System.Diagnostics;
using PepperCache.Client;
using PepperCache.Client.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>
/// Readers doing pipelined GETs of random loaded keys, each through its own redirect-following
/// <see cref="ClusterClient"/>; counts GETs, misses (nil for a loaded key), wrong values and errors, and samples the
/// GET count once a second.
/// </summary>
internal sealed class ReaderPool : IAsyncDisposable
{
    /// <summary>Readers stop by themselves after this, whatever happens to the driver.</summary>
    private static readonly TimeSpan MaxRun = TimeSpan.FromMinutes(30);
    private static readonly byte[] GetWord = "GET"u8.ToArray();

    private readonly CancellationTokenSource _stop = new(MaxRun);
    private readonly List<long> _samples = [];
    private readonly Lock _lock = new();
    private Task[] _tasks = [];
    private long _ops;
    private long _misses;
    private long _wrong;
    private long _errors;

    private ReaderPool()
    {
    }

    public long Ops => Interlocked.Read(ref _ops);

    public long Misses => Interlocked.Read(ref _misses);

    public long Wrong => Interlocked.Read(ref _wrong);

    public long Errors => Interlocked.Read(ref _errors);

    /// <param name="fullClient">Read through <see cref="ClusterClient"/> (which refreshes the whole slot map after a MOVED) instead of <see cref="SlotPatchingRouter"/>.</param>
    /// <param name="window">Each of a reader's <paramref name="pipeline"/> GETs in flight is followed by the next as soon as it is answered, as
    /// concurrent callers of one multiplexed client would send them, instead of batches of <paramref name="pipeline"/> sent together and all awaited.</param>
    public static async Task<ReaderPool> StartAsync(byte[][] keys, byte[][] values, int readers, int pipeline, int seedPort, bool fullClient, bool window = false)
    {
        var pool = new ReaderPool();
        var clients = new List<(Func<byte[][], Task<RespReply>> Execute, IAsyncDisposable Owner)>();
        for (var r = 0; r < readers; r++)
        {
            if (fullClient)
            {
                var client = await ClusterClient.ConnectAsync("127.0.0.1", seedPort).ConfigureAwait(false);
                clients.Add((arguments => client.ExecuteAsync(arguments), client));
            }
            else
            {
                var router = await SlotPatchingRouter.ConnectAsync("127.0.0.1", seedPort).ConfigureAwait(false);
                clients.Add((router.ExecuteAsync, router));
            }
        }

        Func<Func<byte[][], Task<RespReply>>, IAsyncDisposable, byte[][], byte[][], int, int, Task> read = window ? pool.ReadWindowAsync : pool.ReadAsync;
        pool._tasks = [.. clients.Select((c, r) => Task.Run(() => read(c.Execute, c.Owner, keys, values, pipeline, r))), Task.Run(pool.SampleAsync)];
        return pool;
    }

    /// <summary>GETs completed in each whole second (between two samples) that began after the count was <paramref name="from"/>.</summary>
    public long[] PerSecondSince(long from)
    {
        lock (_lock)
        {
            var counts = new List<long>();
            for (var i = 1; i < _samples.Count; i++)
            {
                if (_samples[i - 1] >= from)
                {
                    counts.Add(_samples[i] - _samples[i - 1]);
                }
            }

            return [.. counts];
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_tasks).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task ReadWindowAsync(Func<byte[][], Task<RespReply>> execute, IAsyncDisposable client, byte[][] keys, byte[][] values, int pipeline, int seed)
    {
        await using (client.ConfigureAwait(false))
        {
            await Task.WhenAll(Enumerable.Range(0, pipeline).Select(lane => Task.Run(async () =>
            {
                var random = new Random((seed * 1000) + lane);
                while (!_stop.IsCancellationRequested)
                {
                    var picked = random.Next(keys.Length);
                    await CheckAsync(execute([GetWord, keys[picked]]), values[picked]).ConfigureAwait(false);
                    Interlocked.Increment(ref _ops);
                }
            }))).ConfigureAwait(false);
        }
    }

    private async Task CheckAsync(Task<RespReply> pending, byte[] expected)
    {
        try
        {
            var reply = await pending.ConfigureAwait(false);
            if (reply.IsNull)
            {
                Interlocked.Increment(ref _misses);
            }
            else if (reply.IsError)
            {
                Interlocked.Increment(ref _errors);
            }
            else if (!reply.Bytes.SequenceEqual(expected))
            {
                Interlocked.Increment(ref _wrong);
            }
        }
        catch (RespConnectionException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    private async Task ReadAsync(Func<byte[][], Task<RespReply>> execute, IAsyncDisposable client, byte[][] keys, byte[][] values, int pipeline, int seed)
    {
        await using (client.ConfigureAwait(false))
        {
            var random = new Random(seed);
            var picked = new int[pipeline];
            var replies = new Task<RespReply>[pipeline];
            while (!_stop.IsCancellationRequested)
            {
                for (var i = 0; i < pipeline; i++)
                {
                    picked[i] = random.Next(keys.Length);
                    replies[i] = execute([GetWord, keys[picked[i]]]);
                }

                for (var i = 0; i < pipeline; i++)
                {
                    await CheckAsync(replies[i], values[picked[i]]).ConfigureAwait(false);
                }

                Interlocked.Add(ref _ops, pipeline);
            }
        }
    }

    private async Task SampleAsync()
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    _samples.Add(Ops);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
