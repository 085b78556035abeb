namespace PepperCache.Server.Resp;

/// <summary>What CLIENT PAUSE holds back: Redis's pause types, ordered so a later pause keeps the wider one.</summary>
internal enum PauseMode
{
    None,

    /// <summary>Write commands and those that may replicate (PUBLISH, EVAL, PFCOUNT).</summary>
    Write,

    /// <summary>Every command of every client, CLIENT UNPAUSE and the pausing client's own included.</summary>
    All,
}

/// <summary>
/// CLIENT PAUSE, as Redis 7.0's pauseClients: one pause for the node, whose mode and end only widen while it lasts
/// (a second PAUSE keeps the later end and the wider mode), ended by its timer or CLIENT UNPAUSE. A held command
/// costs no thread: its connection awaits <see cref="Released"/> and runs it (and what followed it) again, as a
/// command held for a slot freeze does. While nothing is paused, the dispatcher pays one volatile read.
/// </summary>
internal sealed class ClientPause(TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _mode;
    private long _end;
    private TaskCompletionSource? _released;
    private ITimer? _timer;

    /// <summary>Whether any pause is in force: the dispatcher's, the expiry cycle's and eviction's one check.</summary>
    public bool IsActive => Volatile.Read(ref _mode) != 0;

    public PauseMode Mode => (PauseMode)Volatile.Read(ref _mode);

    /// <summary>Completes when the pause in force ends; null when none is.</summary>
    public Task? Released
    {
        get
        {
            lock (_lock)
            {
                return _released?.Task;
            }
        }
    }

    private int _held;

    /// <summary>Commands waiting for the pause to end: Redis counts them in INFO blocked_clients.</summary>
    public int HeldCount => Volatile.Read(ref _held);

    /// <summary>
    /// The wait of a command held back: until the pause ends, or the client goes away (the wait then throws, which
    /// ends the connection as any disconnect does). While it waits the client shows flag b in CLIENT LIST, as in Redis.
    /// </summary>
    public async Task HoldAsync(Task released, ClientSession client)
    {
        Interlocked.Increment(ref _held);
        client.HeldByPause = true;
        try
        {
            await released.WaitAsync(client.ConnectionClosed).ConfigureAwait(false);
        }
        finally
        {
            client.HeldByPause = false;
            Interlocked.Decrement(ref _held);
        }
    }

    /// <summary>Whether <paramref name="command"/> waits under the pause in force (Redis's processCommand check).</summary>
    public bool Holds(CommandDefinition command) => !command.Protected && Mode switch
    {
        PauseMode.All => true,
        PauseMode.Write => command.IsWrite || command.MayReplicate,
        _ => false,
    };

    /// <summary>Pauses until Unix ms <paramref name="end"/>, or widens the pause in force.</summary>
    public void Pause(PauseMode mode, long end, long now)
    {
        lock (_lock)
        {
            if (_mode == 0)
            {
                _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _end = end;
                Volatile.Write(ref _mode, (int)mode);
            }
            else
            {
                _end = Math.Max(_end, end);
                Volatile.Write(ref _mode, Math.Max(_mode, (int)mode));
            }

            _timer ??= time.CreateTimer(static state => ((ClientPause)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            // Compared, not subtracted: an end that wrapped past LLONG_MAX is in the past.
            _timer.Change(Due(_end <= now ? 0 : _end - now), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Ends the pause in force (CLIENT UNPAUSE, or its end); the held commands run.</summary>
    public void Unpause()
    {
        TaskCompletionSource? released;
        lock (_lock)
        {
            released = EndLocked();
        }

        released?.TrySetResult();
    }

    // A timer waits at most about 49.7 days of ms; a later end is reached in steps.
    private static TimeSpan Due(long milliseconds) => TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 0, uint.MaxValue - 1));

    private TaskCompletionSource? EndLocked()
    {
        var released = _released;
        _released = null;
        Volatile.Write(ref _mode, 0);
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return released;
    }

    private void OnTimer()
    {
        TaskCompletionSource? released = null;
        lock (_lock)
        {
            if (_mode == 0)
            {
                return;
            }

            // Fired early: the end is past a timer's reach, or a later PAUSE moved it. (Compared first: a wrapped end
            // minus now would wrap again.)
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (_end > now)
            {
                _timer?.Change(Due(_end - now), Timeout.InfiniteTimeSpan);
                return;
            }

            released = EndLocked();
        }

        released?.TrySetResult();
    }
}
