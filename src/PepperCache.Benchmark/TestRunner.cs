using System.Diagnostics;
using System.Net.Sockets;

namespace PepperCache.Benchmark;

/// <summary>Runs one test against one target with -c clients, shows progress, and watches for a stalled server.</summary>
/// <remarks>
/// Client i's keys come from a random stream seeded from (--seed, i). The stream continues from the warm-up through
/// every round of a test on a target (it is not restarted per run), so a round never replays keys the warm-up or an
/// earlier round already drew; each target is given the same streams. With -c 1 a test's keys are exactly the
/// single-stream trace that --simulate-lru replays.
/// </remarks>
internal sealed class TestRunner
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly BenchmarkOptions _options;
    private readonly IProgressSink? _progress;
    private readonly Dictionary<(string Target, TestKind Test), ulong[]> _streams = [];

    public TestRunner(BenchmarkOptions options, IProgressSink? progress)
    {
        _options = options;
        _progress = progress;
    }

    public async Task<RunResult> RunAsync(Target target, TestKind test, int round, TimeSpan? duration, long requests)
    {
        SlotRouter? router = null;
        if (_options.Cluster)
        {
            using var routerTimeout = new CancellationTokenSource(_options.Timeout);
            router = await Guard(target, () => SlotRouter.LoadAsync(target, routerTimeout.Token)).ConfigureAwait(false);
        }

        var builder = new CommandBuilder(test, _options.DataSize, _options.Keyspace, _options.ReadPercent, _options.Cluster, _options.KeyDistribution);
        if (!_streams.TryGetValue((target.Name, test), out var streams))
        {
            streams = [.. Enumerable.Range(0, _options.Clients).Select(i => CommandBuilder.SeedFor(_options.Seed, i))];
            _streams.Add((target.Name, test), streams);
        }

        var workers = new LoadWorker[_options.Clients];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new LoadWorker(target, builder, router, _options.Pipeline, streams[i], test == TestKind.CacheAside);
        }

        try
        {
            using (var connectTimeout = new CancellationTokenSource(_options.Timeout))
            {
                await Guard(target, () => Task.WhenAll(workers.Select(w => w.ConnectAsync(connectTimeout.Token)))).ConfigureAwait(false);
            }

            var control = new RunControl(requests, duration);
            var started = Stopwatch.GetTimestamp();
            var all = Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(control))));
            await WatchAsync(target, test, all, workers, control, started, duration, requests).ConfigureAwait(false);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            await Guard(target, () => all).ConfigureAwait(false);
            for (var i = 0; i < workers.Length; i++)
            {
                streams[i] = workers[i].RandomState;
            }

            var latency = Latency.Create();
            foreach (var worker in workers)
            {
                latency.Add(worker.Histogram);
            }

            return new RunResult(
                target.Name,
                test,
                round,
                workers.Sum(w => w.Requests),
                workers.Sum(w => w.Reads),
                workers.Sum(w => w.Hits),
                workers.Sum(w => w.Misses),
                workers.Sum(w => w.Errors),
                workers.Sum(w => w.Redirects),
                seconds,
                latency);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    // Bounded: it ends when every client has finished, or when nothing has been answered for --timeout (then the
    // sockets are closed, which ends the clients' pending receives).
    private async Task WatchAsync(Target target, TestKind test, Task all, LoadWorker[] workers, RunControl control, long started, TimeSpan? duration, long requests)
    {
        long lastCompleted = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(Tick)).ConfigureAwait(false);
            var completed = workers.Sum(w => w.Completed);
            if (completed != lastCompleted)
            {
                lastCompleted = completed;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > _options.Timeout && !all.IsCompleted)
            {
                control.Stop();
                foreach (var worker in workers)
                {
                    worker.Dispose();
                }

                await Task.WhenAny(all, Task.Delay(_options.Timeout)).ConfigureAwait(false);
                throw new BenchmarkException(
                    $"target {target.Name} ({target.EndPoint}) stopped answering during {test.ToString().ToUpperInvariant()}: no reply for {_options.Timeout.TotalSeconds:0.#} s");
            }

            if (_progress is not null && !all.IsCompleted)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                var fraction = duration is { } d ? elapsed / d : (double)completed / requests;
                _progress.Report(target.Name, test, completed / Math.Max(elapsed.TotalSeconds, 1e-3), Math.Clamp(fraction, 0, 1),
                    duration is { } total ? total - elapsed : null);
            }
        }

        _progress?.Clear();
    }

    private static async Task<T> Guard<T>(Target target, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException
                                      or PepperCache.Client.RespConnectionException or PepperCache.Protocol.RespProtocolException)
        {
            throw new BenchmarkException($"target {target.Name} ({target.EndPoint}): {Describe(e)}", e);
        }
    }

    private static Task<bool> Guard(Target target, Func<Task> action) =>
        Guard(target, async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        });

    private static string Describe(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused (is the server running?)",
        SocketException { SocketErrorCode: SocketError.HostNotFound } => "host not found",
        OperationCanceledException => "timed out connecting",
        _ => e.Message,
    };
}

/// <summary>Where live progress goes (a terminal line); absent when output is not a terminal or -q is given.</summary>
internal interface IProgressSink
{
    void Report(string target, TestKind test, double opsPerSecond, double fraction, TimeSpan? left);

    void Clear();
}
