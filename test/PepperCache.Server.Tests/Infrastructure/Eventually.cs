namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// Waits for what another thread, connection or process brings about: asks again every <c>interval</c> (25 ms unless
/// given) until the answer is the one awaited, at most <c>timeout</c> long and at most as many times as fit in it
/// (so a slow probe cannot make the loop unbounded), then fails the test saying what was awaited, how long and how
/// many times it was asked, and how things last stood.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(25);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? state = null)
    {
        Func<bool, string>? describe = state is null ? null : _ => state();
        return UntilAsync(() => Task.FromResult(condition()), done => done, timeout, what, describe);
    }

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null) =>
        UntilAsync(condition, done => done, timeout, what, interval: interval);

    /// <summary>Asks <paramref name="probe"/> until <paramref name="done"/> holds for its answer, and returns that answer.</summary>
    /// <param name="describe">How the last answer is shown when the wait fails; its ToString() when not given (nothing for a bool).</param>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, Func<T, string>? describe = null, TimeSpan? interval = null)
    {
        var every = interval ?? DefaultInterval;
        var attempts = (int)Math.Min(int.MaxValue, Math.Ceiling(timeout / every) + 1);
        var started = TimeProvider.System.GetTimestamp();
        var last = default(T)!;
        var attempt = 0;
        while (attempt < attempts)
        {
            attempt++;
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (TimeProvider.System.GetElapsedTime(started) >= timeout)
            {
                break;
            }

            await Task.Delay(every, TestContext.Current.CancellationToken);
        }

        // A condition's false says nothing; a probe's answer (a reply, a status) is worth showing.
        var shown = describe is not null ? describe(last) : last is bool ? null : last?.ToString();
        Assert.Fail($"Waited {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.#} s ({attempt} tries) until {what}"
            + (shown is null ? "" : $"; last: {shown}"));
        return last;
    }
}
