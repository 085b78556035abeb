using System.Diagnostics;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Persistence;

// The writer thread: the only code that touches the open file. It drains the append buffer, writes, fsyncs by
// policy, completes the durability waits, retries after a write error, and performs a rewrite's final swap.
internal sealed partial class AppendOnlyLog
{
    private static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(1);

    private Stream? _file;
    private long _fileLength;
    private long _lsnOffset;
    private long _baseSize;
    private bool _truncateBeforeWrite;
    private readonly Lock _stopGate = new();
    private Thread? _writer;
    private volatile bool _stopping;

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
            writer.Join(TimeSpan.FromSeconds(10));
            _writer = null;
            Interlocked.Exchange(ref _switch, null)?.Done.TrySetException(new ObjectDisposedException(nameof(AppendOnlyLog), "The log stopped during a rewrite."));
            _recording = false;
            _file?.Dispose();
            _file = null;
        }
    }

    private void WriterLoop()
    {
        var lastSync = Stopwatch.GetTimestamp();
        var dirty = false;
        var pending = false;
        long pendingEnd = 0;
        while (true)
        {
            var stopping = _stopping;
            var policy = _policy;
            if (!pending)
            {
                var timeout = policy == FsyncPolicy.EverySecond && dirty
                    ? Math.Max(0, (int)(SyncInterval - Stopwatch.GetElapsedTime(lastSync)).TotalMilliseconds)
                    : 1000;
                if (!stopping && _wake.Wait(timeout) && policy != FsyncPolicy.Always && BufferLength < EagerDrainBytes)
                {
                    // Nobody waits for these records: let a few ms of them gather into one write.
                    Thread.Sleep(DrainIntervalMs);
                }

                _wake.Reset();
                pending = TakeBuffer(out pendingEnd);
            }
            else if (!stopping)
            {
                // The last write failed: retry once a second, as Redis does, while new records queue in memory.
                _wake.Wait(1000);
                _wake.Reset();
            }

            if (pending)
            {
                if (!TryWrite(_draining.Written.Span))
                {
                    if (stopping)
                    {
                        break;
                    }

                    continue;
                }

                _draining.Clear();
                pending = false;
                Volatile.Write(ref _writtenLsn, pendingEnd);
                dirty = true;
            }

            policy = _policy;
            if (dirty && (policy == FsyncPolicy.Always || stopping ||
                          (policy == FsyncPolicy.EverySecond && Stopwatch.GetElapsedTime(lastSync) >= SyncInterval)))
            {
                if (!TrySync())
                {
                    continue;
                }

                dirty = false;
                lastSync = Stopwatch.GetTimestamp();
                Volatile.Write(ref _durableLsn, _writtenLsn);
            }

            // Under always the fsync above covered the batch; under the other policies nobody waits for the disk.
            CompleteInflight();
            ServeSwitchRequest();
            if (!dirty)
            {
                MaybeStartAutomaticRewrite();
            }

            if (stopping && !pending && BufferLength == 0)
            {
                break;
            }
        }
    }

    /// <summary>Swaps the append buffer for the drained one; the fsync that follows covers everything taken.</summary>
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

        lock (_waitGate)
        {
            _inflightSync = _nextSync;
            _inflightEnd = end;
            _nextSync = NewSync();
        }

        return true;
    }

    private void CompleteInflight()
    {
        TaskCompletionSource? done;
        lock (_waitGate)
        {
            if (_inflightSync is not null)
            {
                if (_inflightEnd > _writtenLsn)
                {
                    return;
                }

                done = _inflightSync;
                _inflightSync = null;
            }
            else if (_durableLsn >= Volatile.Read(ref _appendedLsn) && _nextSync.Task.IsCompleted == false)
            {
                // Everything appended is on disk already (a wait that began after its batch was written, e.g.
                // when CONFIG SET appendfsync always came in between): nobody would complete the next sync.
                done = _nextSync;
                _nextSync = NewSync();
            }
            else
            {
                return;
            }
        }

        done.TrySetResult();
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
            WriteSucceeded();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteFailed(ex);
            return false;
        }
    }

    private bool TrySync()
    {
        try
        {
            _storage.Sync(_file!);
            WriteSucceeded();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteFailed(ex);
            return false;
        }
    }

    private void WriteSucceeded()
    {
        if (_writeError is not null)
        {
            _writeError = null;
            Log.AofWriteRecovered(_logger);
        }
    }

    private void WriteFailed(Exception ex)
    {
        var reason = DescribeError(ex);
        if (_writeError is null)
        {
            Log.AofWriteError(_logger, reason);
        }

        _writeError = "MISCONF Errors writing to the AOF file: " + reason;
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
