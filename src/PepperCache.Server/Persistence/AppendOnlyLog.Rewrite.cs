using System.Buffers;
using System.Diagnostics;
using PepperCache.Core.Storage;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Persistence;

// Rewrite (compaction): dump a point-in-time snapshot as SET (and HSET...) records to a temporary file while clients keep
// writing, copy the records appended meanwhile from the live file, and let the writer thread swap the files.
internal sealed partial class AppendOnlyLog
{
    private const int CopyChunk = 1024 * 1024;

    private int _rewriting;
    private SwitchRequest? _switch;
    private long _rewriteStartedAt;

    /// <summary>INFO aof_rewrite_in_progress.</summary>
    public bool RewriteInProgress => Volatile.Read(ref _rewriting) != 0;

    /// <summary>Seconds the last rewrite took, -1 before the first (INFO aof_last_rewrite_time_sec).</summary>
    public long LastRewriteSeconds { get; private set; } = -1;

    /// <summary>Seconds the running rewrite has taken so far, -1 when none runs.</summary>
    public long CurrentRewriteSeconds => RewriteInProgress ? (long)Stopwatch.GetElapsedTime(Volatile.Read(ref _rewriteStartedAt)).TotalSeconds : -1;

    public bool LastRewriteOk { get; private set; } = true;

    public long Rewrites { get; private set; }

    /// <summary>The running rewrite, for tests that wait for it.</summary>
    internal Task? RewriteTask { get; private set; }

    /// <summary>
    /// Called under <see cref="WriteLock"/> at a rewrite's snapshot: state outside the keyspace that later records
    /// build on (collections PEPPER.IMPORT is rebuilding from pieces), returned as what writes its records after the snapshot's.
    /// </summary>
    public Func<Action<IBufferWriter<byte>>?>? SnapshotOutsideKeyspace { get; set; }

    /// <summary>Starts a background rewrite; false when one is already running (two never run at once).</summary>
    public bool TryStartRewrite()
    {
        if (!_recording || Interlocked.CompareExchange(ref _rewriting, 1, 0) != 0)
        {
            return false;
        }

        Volatile.Write(ref _rewriteStartedAt, Stopwatch.GetTimestamp());
        Log.AofRewriteStarted(_logger);
        RewriteTask = Task.Factory.StartNew(Rewrite, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return true;
    }

    private void MaybeStartAutomaticRewrite()
    {
        var percentage = AutoRewritePercentage;
        var size = CurrentSize;
        if (percentage > 0 && !RewriteInProgress && size >= AutoRewriteMinSize &&
            size > BaseSize + (BaseSize * (long)percentage / 100))
        {
            TryStartRewrite();
        }
    }

    private void Rewrite()
    {
        var tempPath = Path.Combine(Directory, AofSettings.TempPrefix + Environment.ProcessId + ".aof");
        Stream? temp = null;
        var done = false;
        try
        {
            // One instant: no write runs while the references are taken (a few ms per million keys) and each
            // collection's tables are copied (its elements shared, and no longer written in place).
            var entries = new List<StoredEntry>();
            long snapshotLsn;
            Action<IBufferWriter<byte>>? outsideKeyspace;
            lock (WriteLock)
            {
                _store.Snapshot(entries);
                outsideKeyspace = SnapshotOutsideKeyspace?.Invoke();
                snapshotLsn = _appendedLsn;
            }

            temp = _storage.Create(tempPath);
            var keys = WriteSnapshot(temp, entries, _store.Now);
            entries = null;
            if (outsideKeyspace is not null)
            {
                using var buffer = new AofBuffer();
                outsideKeyspace(buffer);
                temp.Write(buffer.Written.Span);
            }

            // Records appended since the snapshot are in the live file (or on their way): copy what is there now,
            // off the writer thread; the writer copies the last few bytes itself when it swaps.
            var copiedLsn = snapshotLsn;
            for (var round = 0; round < 3; round++)
            {
                var written = Volatile.Read(ref _writtenLsn);
                if (written <= copiedLsn)
                {
                    break;
                }

                CopyFromLiveFile(temp, copiedLsn - _lsnOffset, written - copiedLsn);
                copiedLsn = written;
            }

            var request = new SwitchRequest(temp, tempPath, copiedLsn);
            Volatile.Write(ref _switch, request);
            Wake();
            request.Done.Task.GetAwaiter().GetResult();
            temp = null;
            LastRewriteOk = true;
            done = true;
            LastRewriteSeconds = (long)Stopwatch.GetElapsedTime(_rewriteStartedAt).TotalSeconds;
            Log.AofRewriteDone(_logger, keys, CurrentSize, Stopwatch.GetElapsedTime(_rewriteStartedAt).TotalSeconds);
        }
        catch (Exception ex)
        {
            // The live file is untouched until the rename, so a failed rewrite loses nothing.
            LastRewriteOk = false;
            Log.AofRewriteFailed(_logger, ex);
            temp?.Dispose();
            TryDelete(tempPath);
        }
        finally
        {
            Volatile.Write(ref _rewriting, 0);
            if (done)
            {
                // Counted once it is no longer in progress: INFO never shows a rewrite both done and running.
                Rewrites++;
            }
        }
    }

    /// <summary>
    /// SET key value [PXAT ms] per live string, the restore commands of each collection (<see
    /// cref="StoreObject.WriteRestoreCommands"/>) and PEXPIREAT when it expires; written in 1 MB chunks; returns the
    /// number of keys.
    /// </summary>
    private static long WriteSnapshot(Stream temp, List<StoredEntry> entries, long now)
    {
        using var buffer = new AofBuffer();
        long keys = 0;
        foreach (var entry in entries)
        {
            if (entry.ExpiresAt != 0 && entry.ExpiresAt <= now)
            {
                continue;
            }

            if (entry.Object is { } collection)
            {
                // The snapshot's private copy: HSET ... in chunks of 64 elements, then the expiry.
                collection.WriteRestoreCommands(entry.Key, buffer);
                if (entry.ExpiresAt != 0)
                {
                    AofRecords.WritePExpireAt(buffer, entry.Key, entry.ExpiresAt);
                }
            }
            else
            {
                AofRecords.WriteSet(buffer, entry.Key, entry.Value, entry.ExpiresAt);
            }

            keys++;
            if (buffer.Length >= CopyChunk)
            {
                temp.Write(buffer.Written.Span);
                buffer.Clear();
            }
        }

        temp.Write(buffer.Written.Span);
        return keys;
    }

    /// <summary>Copies <paramref name="count"/> bytes of the live file from <paramref name="offset"/> to the end of <paramref name="temp"/>.</summary>
    private void CopyFromLiveFile(Stream temp, long offset, long count)
    {
        using var source = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        source.Seek(offset, SeekOrigin.Begin);
        var chunk = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            while (count > 0)
            {
                var read = source.Read(chunk, 0, (int)Math.Min(chunk.Length, count));
                if (read == 0)
                {
                    throw new IOException($"{FilePath} ended early while copying it for a rewrite");
                }

                temp.Write(chunk, 0, read);
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>On the writer thread, between writes: copy the rest, fsync, rename over the live file, reopen.</summary>
    private void ServeSwitchRequest()
    {
        var request = Interlocked.Exchange(ref _switch, null);
        if (request is null)
        {
            return;
        }

        var written = Volatile.Read(ref _writtenLsn);
        if (written < request.CopiedLsn)
        {
            // Records the snapshot already includes are still on their way to the old file; swap after them, or
            // they would be appended to the new file a second time.
            Volatile.Write(ref _switch, request);
            return;
        }

        try
        {
            if (written > request.CopiedLsn)
            {
                CopyFromLiveFile(request.Temp, request.CopiedLsn - _lsnOffset, written - request.CopiedLsn);
            }

            _storage.Sync(request.Temp);
            request.Temp.Dispose();
            File.Move(request.TempPath, FilePath, overwrite: true);
            _storage.SyncDirectory(Directory);

            // From here the new file is the log: everything written so far is in it, fsync'd. An everysec fsync of
            // the old file may still run on the fsync thread: it ends before the file is closed.
            WaitForBackgroundSync();
            _file!.Dispose();
            _file = _storage.OpenAppend(FilePath);
            var length = _file.Length;
            _lsnOffset = written - length;
            _truncateBeforeWrite = false;
            Volatile.Write(ref _fileLength, length);
            Volatile.Write(ref _baseSize, length);
            AdvanceDurable(written);
            request.Done.TrySetResult();
        }
        catch (Exception ex)
        {
            request.Done.TrySetException(ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temp file is deleted at the next start-up.
        }
    }

    private sealed record SwitchRequest(Stream Temp, string TempPath, long CopiedLsn)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
