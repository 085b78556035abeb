using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Active expiry, as Redis's cycle: <c>hz</c> times a second, sample keys with a TTL and reclaim the expired ones,
/// going on while more than a quarter of a sample had expired, within a small time budget per tick.
/// </summary>
internal sealed class ExpiryService(
    KeyValueStore store,
    IOptions<PepperCacheOptions> options,
    TimeProvider time,
    ILogger<ExpiryService> logger) : BackgroundService
{
    private const int SampleSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMilliseconds(1000.0 / Math.Clamp(options.Value.Hz, 1, 500));
        // A quarter of a tick at most, as Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC.
        var budget = period / 4;
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                RunCycle(budget);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    internal int RunCycle(TimeSpan budget)
    {
        var started = time.GetTimestamp();
        var total = 0;
        int removed;
        do
        {
            removed = store.RemoveExpired(SampleSize);
            total += removed;
        }
        while (removed > SampleSize / 4 && time.GetElapsedTime(started) < budget);

        if (total > 0)
        {
            Log.ExpiredKeysRemoved(logger, total);
        }

        return total;
    }
}
