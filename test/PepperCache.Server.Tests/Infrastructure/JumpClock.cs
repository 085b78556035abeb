namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A fake clock for a whole node that moves only when a test says, and whose <see cref="Advance"/> runs each due timer
/// once, a periodic one then due a period after the new time, as after a machine's suspend. FakeTimeProvider instead
/// replays every period it skips: a node's 100 ms expiry tick made a one-day jump 864,000 callbacks, 3 to 5 minutes of
/// one core per test that jumped a day, at the tail of every CI run.
/// </summary>
/// <remarks>Timers fire on the thread that calls <see cref="Advance"/>, earliest first, before it returns.</remarks>
public sealed class JumpClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<JumpTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new JumpTimer(this, callback, state);
        timer.Change(dueTime, period);
        // A timer due now fires at once, as a real one would.
        Advance(TimeSpan.Zero);
        return timer;
    }

    /// <summary>Moves the clock by <paramref name="delta"/> and runs every timer due by then, each once.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_lock)
        {
            _now += delta;
        }

        var fired = new HashSet<JumpTimer>();
        while (NextDue(fired) is { } timer)
        {
            fired.Add(timer);
            timer.Fire();
        }
    }

    private JumpTimer? NextDue(HashSet<JumpTimer> fired)
    {
        lock (_lock)
        {
            JumpTimer? next = null;
            foreach (var timer in _timers)
            {
                if (timer.Due is { } due && due <= _now && !fired.Contains(timer) && (next is null || due < next.Due))
                {
                    next = timer;
                }
            }

            if (next is not null)
            {
                // A periodic timer is next due a period from now, however many periods the jump skipped.
                next.Due = next.Period is { } period ? _now + period : null;
            }

            return next;
        }
    }

    private sealed class JumpTimer(JumpClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                if (!clock._timers.Contains(this))
                {
                    clock._timers.Add(this);
                }

                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
