using System.Threading.Tasks.Sources;

namespace PepperCache.Server.Persistence;

/// <summary>
/// One connection's wait for its records to reach the file, reused batch after batch. The writer completes it after
/// the write (and fsync) that covered the records, and the connection's continuation (flushing its replies) runs on
/// the writer at once, for every connection that write covered, as Redis sends the replies from the thread that
/// wrote the AOF. A task shared by those connections ran the first continuation there and queued the others to the
/// thread pool: under appendfsync always about one thread wake-up and half a futex call per request.
/// </summary>
/// <remarks>A connection waits for one batch at a time, so one waiter serves it.</remarks>
internal sealed class AofWaiter : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };

    /// <summary>The LSN this wait is for: every record up to it must have reached the file.</summary>
    public long Lsn { get; private set; }

    /// <summary>Starts a wait for the records up to <paramref name="lsn"/>.</summary>
    public ValueTask Begin(long lsn)
    {
        _core.Reset();
        Lsn = lsn;
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Ends the wait; the connection's continuation runs on the calling thread.</summary>
    public void Complete() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
