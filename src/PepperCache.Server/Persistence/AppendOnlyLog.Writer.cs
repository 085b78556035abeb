using System.Diagnostics;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Persistence;

// The writer thread: the only code that writes the open file. It drains the append buffer, writes, fsyncs by
// policy (under everysec through the fsync thread, AppendOnlyLog.Fsync.cs), completes the waits of the connections
// whose replies wait for their records, retries after a write error, and performs a rewrite's final swap.
internal sealed partial class AppendOnlyLog
{
    private static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(1);

    private Stream? _file;
    private long _fileLength;
    private long _lsnOffset;
    private long _baseSize;
    private bool _truncateBeforeWrite;
    private readonly Lock _stopGate = new();

    // Held by whoever writes the file: the writer thread for a whole pass, or a connection writing its own records
    // (AppendOnlyLog.Inline.cs). Guards _file, _draining, _drainPending/_drainEnd, _fileLength and the swap.
    private readonly Lock _fileGate = new();

    // The records taken into _draining and not yet written (a failed write is retried from here).
    private bool _drainPending;
    private long _drainEnd;

    // When the last fsync began (Stopwatch timestamp): everysec's next one is due a second later.
    private long _lastSync;
    private Thread? _writer;
    private volatile bool _stopping;
    private bool _abandoned;

    // The writer thread's: the connection waits its last pass covered, completed once it is out of the file gate, and
    // the list those were in while they are completed.
    private List<AofWaiter> _covered = [];
    private List<AofWaiter> _completingWaiters = [];

    // Set when a continuation run by the writer stopped the log (Stop on the writer thread): the writer loop ends.
    private bool _stoppedOnWriter;

    /// <summary>Bytes in appendonly.aof (INFO aof_current_size).</summary>
    public long CurrentSize => Volatile.Read(ref _fileLength);

    /// <summary>Size at start-up or after the last rewrite (INFO aof_base_size); automatic rewrites compare against it.</summary>
    public long BaseSize => Volatile.Read(ref _baseSize);

    /// <summary>Opens the file for appending (after the load) and starts the writer thread.</summary>
    public void Open()
    {
        System.IO.Directory.CreateDirectory(Directory);
        _file = _storage.OpenAppend(FilePath);
        _fileLength = _file.Length;
        _baseSize = _fileLength;
        // LSNs start at the file's length, so an LSN and a file offset agree until the first rewrite.
        _appendedLsn = _writtenLsn = _durableLsn = _fileLength;
        _lsnOffset = 0;
        _recording = true;
        StartSyncer();
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "aof-writer" };
        _writer.Start();
        Log.AofOpened(_logger, FilePath, AofSettings.Name(_policy), _fileLength);
    }

    /// <summary>Writes and fsyncs what is buffered, then stops the writer. Commands arriving later are not logged.</summary>
    public void Stop()
    {
        // Two callers may race here (the host's StoppedAsync and the container disposing the log, on two threads
        // when a test host and the program's own shutdown overlap): the second waits for the first, then returns.
        lock (_stopGate)
        {
            if (_writer is not { } writer)
            {
                return;
            }

            _stopping = true;
            Wake();
            _writer = null;
            if (writer == Thread.CurrentThread)
            {
                // A continuation the writer runs (a connection's, after its wait) stopped the log: the writer loop is
                // below on this stack, between two passes, and cannot be joined. Its last pass runs here instead.
                StopOnWriter();
            }
            else if (!writer.Join(TimeSpan.FromSeconds(10)))
            {
                // Still writing after 10 s (a disk that slow): the process is on its way out. Closing the file and
                // disposing the events under the writer would crash it instead of letting it finish or be killed.
                _abandoned = true;
                return;
            }

            StopSyncer();
            Interlocked.Exchange(ref _switch, null)?.Done.TrySetException(new ObjectDisposedException(nameof(AppendOnlyLog), "The log stopped during a rewrite."));
            _recording = false;
            lock (_fileGate)
            {
                _file?.Dispose();
                _file = null;
            }
        }
    }

    private void StopOnWriter()
    {
        bool done;
        do
        {
            lock (_fileGate)
            {
                done = WritePass(stopping: true);
            }
        }
        while (!done);

        _stoppedOnWriter = true;
        foreach (var waiter in _covered)
        {
            waiter.Complete();
        }

        _covered.Clear();
    }

    private void WriterLoop()
    {
        Volatile.Write(ref _lastSync, Stopwatch.GetTimestamp());
        while (true)
        {
            var stopping = _stopping;
            var policy = _policy;
            if (!_drainPending)
            {
                // Woken by a connection waiting for its records (or a full buffer, a rewrite's swap, the fsync thread,
                // a stop, an everysec fsync falling due after connections wrote their own records); else at the next
                // everysec fsync, or after a second for records nobody waits for (an eviction's DELs). No pause to let
                // records gather: someone waits, and while this thread writes, the records of other connections
                // gather by themselves for the next write.
                var timeout = policy == FsyncPolicy.EverySecond && Unsynced && !BackgroundSyncRunning
                    ? Math.Max(0, (int)(SyncInterval - Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSync))).TotalMilliseconds)
                    : 1000;
                if (!stopping)
                {
                    _wake.Wait(timeout);
                }

                // Reset before the take: a wake-up after this point finds its records in the next take.
                _wake.Reset();
            }
            else if (!stopping)
            {
                // The last write failed: retry once a second, as Redis does, while new records queue in memory.
                _wake.Wait(1000);
                _wake.Reset();
            }

            bool done;
            lock (_fileGate)
            {
                done = WritePass(stopping);
            }

            // Outside the gate: a connection's continuation may run its next batch here and write its own records.
            CompleteCoveredWaiters();
            if (done || _stoppedOnWriter)
            {
                break;
            }
        }
    }

    /// <summary>One pass of the writer, holding the file gate: take, write, fsync by policy, complete waits, swap.</summary>
    /// <returns>True when the writer is stopping and everything is written.</returns>
    private bool WritePass(bool stopping)
    {
        if (!_drainPending)
        {
            _drainPending = TakeBuffer(out _drainEnd);
        }

        if (_drainPending)
        {
            if (!TryWrite(_draining.Written.Span))
            {
                return stopping;
            }

            _draining.Clear();
            _drainPending = false;
            Volatile.Write(ref _writtenLsn, _drainEnd);
        }

        var policy = _policy;
        if (policy != FsyncPolicy.Always)
        {
            // everysec and no: the records are the OS's now, so a killed process keeps them; the replies may go.
            TakeCoveredWaiters(_writtenLsn);
        }

        if (Unsynced && (policy == FsyncPolicy.Always || stopping))
        {
            // Here, not on the fsync thread: the replies (always) or the exit wait for it anyway.
            if (stopping)
            {
                WaitForBackgroundSync();
            }

            if (!TrySync(_file!))
            {
                return stopping;
            }

            Volatile.Write(ref _lastSync, Stopwatch.GetTimestamp());
            AdvanceDurable(_writtenLsn);
        }
        else if (Unsynced && policy == FsyncPolicy.EverySecond && !BackgroundSyncRunning &&
                 Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSync)) >= SyncInterval)
        {
            // Redis's everysec: fsync off the writing thread, so writes (and the replies waiting for them) do not
            // wait for the disk. The next one starts a second after this one began, once this one is done (a
            // failed one too: what it covered is still unsynced, so it is retried a second later).
            StartBackgroundSync(_writtenLsn);
            Volatile.Write(ref _lastSync, Stopwatch.GetTimestamp());
        }

        // always: the fsync above covered the batch (the others were completed above; this is then a no-op).
        TakeCoveredWaiters(Volatile.Read(ref _durableLsn));
        ServeSwitchRequest();
        if (!stopping)
        {
            // Every pass (it is a few comparisons): under appendfsync no the file grows without an fsync ever
            // marking a pass, and it must still be rewritten when it has grown past the percentage.
            MaybeStartAutomaticRewrite();
        }

        return stopping && !_drainPending && BufferLength == 0;
    }

    /// <summary>Records written to the file and not yet fsync'd (or whose fsync is running).</summary>
    private bool Unsynced => Volatile.Read(ref _writtenLsn) > Volatile.Read(ref _durableLsn);

    /// <summary>Swaps the append buffer for the drained one; the write (and fsync) that follows covers everything taken.</summary>
    private bool TakeBuffer(out long end)
    {
        lock (WriteLock)
        {
            end = _appendedLsn;
            if (_active.Length == 0)
            {
                return false;
            }

            (_active, _draining) = (_draining, _active);
        }

        return true;
    }

    /// <summary>
    /// Takes the connection waits for records up to <paramref name="reached"/> (written, or fsync'd under always); the
    /// writer completes them after its pass, out of the file gate (<see cref="CompleteCoveredWaiters"/>).
    /// </summary>
    private void TakeCoveredWaiters(long reached)
    {
        lock (_waitGate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Lsn <= reached)
                {
                    _covered.Add(_waiters[i]);
                    _waiters[i] = _waiters[^1];
                    _waiters.RemoveAt(_waiters.Count - 1);
                }
            }
        }
    }

    /// <summary>
    /// Completes the connection waits the writer's last pass covered, on the writer thread: each connection's
    /// continuation (flushing its replies) runs here in turn, as Redis sends its replies from the thread that wrote
    /// the AOF. Handing them to the thread pool, even as one work item per write, kept about one thread wake-up per
    /// request (bench/aof.sh, docs/persistence.md).
    /// </summary>
    private void CompleteCoveredWaiters()
    {
        if (_covered.Count == 0)
        {
            return;
        }

        // Swapped out first: a continuation may stop the log, and Stop's last pass on this thread covers more waits.
        var covered = _covered;
        (_covered, _completingWaiters) = (_completingWaiters, covered);
        foreach (var waiter in covered)
        {
            waiter.Complete();
        }

        covered.Clear();
    }

    private bool TryWrite(ReadOnlySpan<byte> data)
    {
        try
        {
            var file = _file!;
            if (_truncateBeforeWrite)
            {
                // A failed write may have left part of a record behind; cut back to the last whole one first.
                file.SetLength(_fileLength);
                file.Seek(_fileLength, SeekOrigin.Begin);
                _truncateBeforeWrite = false;
            }

            _truncateBeforeWrite = true;
            file.Write(data);
            _truncateBeforeWrite = false;
            Volatile.Write(ref _fileLength, _fileLength + data.Length);
            Succeeded(ref _writeError, Volatile.Read(ref _syncError));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Failed(ref _writeError, Volatile.Read(ref _syncError), ex);
            return false;
        }
    }

    /// <summary>fsync; on the writer thread (always, a stop) or the fsync thread (everysec).</summary>
    private bool TrySync(Stream file)
    {
        try
        {
            _storage.Sync(file);
            Succeeded(ref _syncError, Volatile.Read(ref _writeError));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Failed(ref _syncError, Volatile.Read(ref _writeError), ex);
            return false;
        }
    }

    // A failed write and a failed fsync are kept apart (they happen on two threads), so the success of one does not
    // hide the other's failure; writes are refused while either stands.
    private void Succeeded(ref string? error, string? other)
    {
        if (Interlocked.Exchange(ref error, null) is not null && other is null)
        {
            Log.AofWriteRecovered(_logger);
        }
    }

    private void Failed(ref string? error, string? other, Exception ex)
    {
        var reason = DescribeError(ex);
        if (Interlocked.Exchange(ref error, "MISCONF Errors writing to the AOF file: " + reason) is null && other is null)
        {
            Log.AofWriteError(_logger, reason);
        }
    }

    /// <summary>strerror's text for the errno behind <paramref name="ex"/>, as Redis puts it in the MISCONF error.</summary>
    internal static string DescribeError(Exception ex) => (ex.HResult & 0xFFFF) switch
    {
        28 => "No space left on device",
        122 => "Disk quota exceeded",
        5 => "Input/output error",
        13 => "Permission denied",
        _ => ex.Message,
    };
}
