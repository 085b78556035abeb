using System.Diagnostics;

namespace PepperCache.Server.Persistence;

// A connection writes its own records under everysec and no, as Redis's event loop does, when the file is free: the
// hand-off to the writer thread and back (two thread wake-ups per batch) cost more than the write(2) itself
// (docs/persistence.md: -P 1 SET 26.3 -> 21.8 us of CPU per request).
internal sealed partial class AppendOnlyLog
{
    // A write(2) into the page cache takes microseconds. One as slow as SlowInlineWrite means the disk holds writes back (dirty-page
    // throttling sleeps 10-200 ms, a journal commit): the socket threads then leave writing to the writer thread for a
    // while, so a slow disk stalls one batch of theirs, not every batch. Not lower: a thread preempted on a busy
    // 2-core machine took 2 ms over a write now and then, and a 2 ms bound paused most of a benchmark's writes.
    /// <summary>A write at least this long pauses connections' own writes (a test makes every write "slow" with zero).</summary>
    internal TimeSpan SlowInlineWrite { get; set; } = TimeSpan.FromMilliseconds(10);

    private long _inlinePausedUntil;
    private long _inlineWrites;

    /// <summary>Writes done by connections themselves rather than the writer thread (tests).</summary>
    internal long InlineWrites => Volatile.Read(ref _inlineWrites);

    /// <summary>How long connections leave writing to the writer thread after a slow write (a test lengthens it).</summary>
    internal TimeSpan InlinePauseAfterSlowWrite { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Writes everything appended so far on the caller's thread when nobody else is writing the file and a write cannot
    /// be expected to wait for the disk; true when the records up to <paramref name="lsn"/> are then in the file.
    /// False sends the caller to the writer thread as before: under always (an fsync would block the socket thread),
    /// while everysec's fsync runs (write(2) then waits for it on Linux, why Redis postpones its write too), during a
    /// rewrite's swap, after a failed write, after a slow one (for a while), and while the writer or another
    /// connection holds the file.
    /// </summary>
    private bool TryWriteInline(long lsn)
    {
        if (_policy == FsyncPolicy.Always || BackgroundSyncRunning || Volatile.Read(ref _switch) is not null ||
            Error is not null || Stopwatch.GetTimestamp() < Volatile.Read(ref _inlinePausedUntil))
        {
            return false;
        }

        if (!_fileGate.TryEnter())
        {
            // Someone is writing (about 5% of -P 1 batches at -c 50 on 2 cores). Spinning for it cost more CPU than
            // the hand-off it saved (its write rarely carried these records), so the writer thread takes them.
            return false;
        }

        try
        {
            // Again under the gate: the writer starts everysec's fsync and a rewrite's swap while it holds it, so one
            // may have begun between the checks above and this thread taking the gate.
            if (_drainPending || _stopping || _file is null || BackgroundSyncRunning || Volatile.Read(ref _switch) is not null)
            {
                return false;
            }

            if (!TakeBuffer(out var end))
            {
                return Volatile.Read(ref _writtenLsn) >= lsn;
            }

            var started = Stopwatch.GetTimestamp();
            if (!TryWrite(_draining.Written.Span))
            {
                // The writer thread retries it; the caller then waits for it as every connection did before.
                _drainPending = true;
                _drainEnd = end;
                Wake();
                return false;
            }

            var took = Stopwatch.GetElapsedTime(started);
            if (took >= SlowInlineWrite)
            {
                Volatile.Write(ref _inlinePausedUntil, Stopwatch.GetTimestamp() + (long)(InlinePauseAfterSlowWrite.TotalSeconds * Stopwatch.Frequency));
            }

            _draining.Clear();
            Volatile.Write(ref _writtenLsn, end);
            _inlineWrites++;
        }
        finally
        {
            _fileGate.Exit();
        }

        if (_policy == FsyncPolicy.EverySecond && !BackgroundSyncRunning &&
            Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSync)) >= SyncInterval)
        {
            // everysec's fsync is due: the writer thread starts it (on the fsync thread), as after its own writes.
            Wake();
        }

        return true;
    }
}
