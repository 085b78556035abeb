using System.Diagnostics;

namespace PepperCache.Server.Persistence;

// The fsync thread (appendfsync everysec): Redis's background fsync (its bio thread). The writer thread hands it
// the file and the LSN written so far once a second and goes on writing; replies wait only for write(2), never for
// the disk, so a slow fsync does not stall them. One fsync at a time: the next starts once this one is done.
internal sealed partial class AppendOnlyLog
{
    private readonly ManualResetEventSlim _syncRequested = new(false);
    private readonly ManualResetEventSlim _syncIdle = new(true);
    private Thread? _syncer;
    private volatile bool _syncerStopping;

    // Handed from the writer to the fsync thread; set only while it is idle.
    private Stream? _syncFile;
    private long _syncTarget;

    /// <summary>An everysec fsync is running (INFO aof_pending_bio_fsync).</summary>
    public bool BackgroundSyncRunning => !_syncIdle.IsSet;

    private long _lastFsyncAt = Stopwatch.GetTimestamp();

    /// <summary>
    /// How far the disk trails the file: seconds since the last fsync completed while written records wait for the
    /// next, 0 when none wait. About a second at most under everysec on a healthy disk; it only grows under no.
    /// </summary>
    public double FsyncLagSeconds => Unsynced ? Stopwatch.GetElapsedTime(Volatile.Read(ref _lastFsyncAt)).TotalSeconds : 0;

    private void StartSyncer()
    {
        _syncerStopping = false;
        _syncer = new Thread(SyncerLoop) { IsBackground = true, Name = "aof-fsync" };
        _syncer.Start();
    }

    /// <summary>After the writer has stopped: lets a running fsync end, then ends the thread.</summary>
    private void StopSyncer()
    {
        if (_syncer is not { } syncer)
        {
            return;
        }

        _syncerStopping = true;
        _syncRequested.Set();
        syncer.Join(TimeSpan.FromSeconds(10));
        _syncer = null;
    }

    /// <summary>On the writer thread, when no fsync runs: fsync the current file, covering LSNs up to <paramref name="lsn"/>.</summary>
    private void StartBackgroundSync(long lsn)
    {
        _syncIdle.Reset();
        _syncFile = _file;
        _syncTarget = lsn;
        _syncRequested.Set();
    }

    /// <summary>On the writer thread, before the file is closed or fsync'd for a stop.</summary>
    private void WaitForBackgroundSync() => _syncIdle.Wait();

    private void SyncerLoop()
    {
        while (true)
        {
            _syncRequested.Wait();
            _syncRequested.Reset();
            if (!_syncIdle.IsSet)
            {
                if (TrySync(_syncFile!))
                {
                    AdvanceDurable(_syncTarget);
                }

                _syncFile = null;
                _syncIdle.Set();
                // The writer may be waiting for this one to end before it starts the next (its wait is then a second).
                Wake();
            }

            if (_syncerStopping)
            {
                return;
            }
        }
    }

    /// <summary>Raises the fsync'd LSN (two threads fsync: a late report of an older fsync must not lower it).</summary>
    private void AdvanceDurable(long lsn)
    {
        Volatile.Write(ref _lastFsyncAt, Stopwatch.GetTimestamp());
        var current = Volatile.Read(ref _durableLsn);
        while (lsn > current)
        {
            var seen = Interlocked.CompareExchange(ref _durableLsn, lsn, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
