namespace PepperCache.Server.Cluster;

/// <summary>Waits bounded by a <see cref="TimeProvider"/>'s clock, which <see cref="SemaphoreSlim"/> does not take.</summary>
internal static class TimedWait
{
    /// <summary>
    /// Waits for <paramref name="semaphore"/> at most <paramref name="timeout"/> on <paramref name="time"/>'s clock:
    /// true when it was entered, false when the time ran out.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<bool> WaitAsync(this SemaphoreSlim semaphore, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (time == TimeProvider.System)
        {
            return await semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }

        // Another clock (a test's fake one): its timer cancels the wait, and a cancelled wait takes no count.
        using var timer = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await semaphore.WaitAsync(either.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
