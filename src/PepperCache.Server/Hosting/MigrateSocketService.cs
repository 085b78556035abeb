using PepperCache.Server.Commands;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Closes MIGRATE's cached connections idle too long, once a second as Redis's serverCron calls
/// migrateCloseTimedoutSockets, and all of them when the node stops.
/// </summary>
internal sealed class MigrateSocketService(MigrateSocketCache sockets, TimeProvider time) : BackgroundService
{
    private long _sweeps;

    /// <summary>How many sweeps have run; a test that moves a fake clock waits for this to pass a value.</summary>
    internal long Sweeps => Interlocked.Read(ref _sweeps);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await sockets.CloseIdleAsync().ConfigureAwait(false);
                Interlocked.Increment(ref _sweeps);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await sockets.DisposeAsync().ConfigureAwait(false);
    }
}
