using PepperCache.Core.Storage;
using PepperCache.Server.Logging;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Active expiry, as Redis's cycle: <c>hz</c> times a second, sample keys with a TTL and reclaim the expired ones,
/// going on while more than a quarter of a sample had expired, within a small time budget per tick.
/// </summary>
internal sealed class ExpiryService(
    KeyValueStore store,
    ServerState server,
    TimeProvider time,
    ILogger<ExpiryService> logger) : BackgroundService
{
    private const int SampleSize = 200;

    private long _cycles;

    /// <summary>How many ticks have run their cycle; a test that moves a fake clock waits for this to pass a value.</summary>
    internal long Cycles => Interlocked.Read(ref _cycles);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hz = server.Config.Hz;
        using var timer = new PeriodicTimer(Period(hz), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                // CONFIG SET hz takes effect on the next tick.
                if (server.Config.Hz != hz)
                {
                    hz = server.Config.Hz;
                    timer.Period = Period(hz);
                }

                // A quarter of a tick at most, as Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC.
                // As Redis: no key expires or is evicted in the background while clients are paused.
                if (!server.Pause.IsActive)
                {
                    RunCycle(Period(hz) / 4);
                }

                Interlocked.Increment(ref _cycles);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static TimeSpan Period(int hz) => TimeSpan.FromMilliseconds(1000.0 / Math.Clamp(hz, 1, 500));

    internal int RunCycle(TimeSpan budget)
    {
        var started = time.GetTimestamp();
        var total = 0;
        while (true)
        {
            var removed = store.RemoveExpired(SampleSize);
            total += removed;
            if (removed <= SampleSize / 4 || time.GetElapsedTime(started) >= budget)
            {
                break;
            }

            // Redis runs this cycle in its one thread; here it is a thread beside the event loops, and when every core
            // is busy the kernel lets it run a whole slice (milliseconds) before a loop that just woke gets its core.
            // Yielding after each sample hands the core over at once: GET p99 while a million keys expired went from
            // 1.18-1.43x of without to 0.76-1.20x, for a reclaim of 3-9 s instead of 2-3 s (docs/benchmarks.md "Memory").
            Thread.Yield();
        }

        if (total > 0)
        {
            Log.ExpiredKeysRemoved(logger, total);
        }

        // Writes evict before they run; this catches up when they stopped over the limit or the limit was lowered.
        if (store.IsOverMemoryLimit)
        {
            MemoryGuard.MakeRoom(server, MemoryGuard.KeysPerBackgroundRound);
            KeyValueStore.ReleaseKeptEntries();
        }

        store.ReviewMemoryMeter();
        MemoryGuard.CollectEvictedGarbage(store);

        return total;
    }
}
