using System.Diagnostics;

namespace PepperCache.Server.Persistence;

// A connection writes its own records under everysec and no, as Redis's event loop does, when the file is free: the
// hand-off to the writer thread and back (two thread wake-ups per batch) cost more than the write(2) itself
// (docs/persistence.md: -P 1 SET 26.3 -> 21.8 us of CPU per request).
internal sealed partial class AppendOnlyLog
{
    // A write(2) into the page cache takes microseconds. One this slow means the disk holds writes back (dirty-page
    // throttling, a journal commit): the socket threads then leave writing to the writer thread for a while, so a slow
    // disk stalls one batch of theirs, not every batch.
    private static readonly TimeSpan SlowInlineWrite = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan InlinePauseAfterSlowWrite = TimeSpan.FromSeconds(5);

    private long _inlinePausedUntil;
    private long _inlineWrites;

    /// <summary>Writes done by connections themselves rather than the writer thread (tests).</summary>
    internal long InlineWrites => Volatile.Read(ref _inlineWrites);

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
            Error is not null || Stopwatch.GetTimestamp() < Volatile.Read(ref _inlinePausedUntil) || !_fileGate.TryEnter())
        {
            return false;
        }

        try
        {
            if (_drainPending || _stopping || _file is null)
            {
                return false;
            }

            if (!TakeBuffer(out var end, inline: true))
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
            CompleteWaits(end);
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
