using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Persistence;

/// <summary>
/// The append-only file: records of successful writes are appended to an in-memory buffer under one lock that also
/// spans the command's execution, and a dedicated writer thread writes them out and fsyncs them. Split by concern:
/// this file (appending, durability waits, status), <c>AppendOnlyLog.Writer.cs</c> (the writer thread) and
/// <c>AppendOnlyLog.Rewrite.cs</c> (compaction).
/// </summary>
/// <remarks>
/// Order: a write command runs and appends its record while holding <see cref="WriteLock"/>, so the log's order is
/// the order writes were applied to the store, even for two connections writing one key on two threads (Redis gets
/// this by being single-threaded). Reads never take the lock.
/// Positions: an LSN is a count of bytes ever appended; the file holds LSNs [_lsnOffset, _lsnOffset + file length).
/// </remarks>
internal sealed partial class AppendOnlyLog : IDisposable
{
    /// <summary>How often the writer drains the buffer when nobody waits for it (everysec, no).</summary>
    internal const int DrainIntervalMs = 5;

    // A buffer this full wakes the writer, which then drains at once, so the buffers (512 KB) rarely grow.
    private const int EagerDrainBytes = 128 * 1024;

    private readonly KeyValueStore _store;
    private readonly AofStorage _storage;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Lock _waitGate = new();

    // Guarded by WriteLock.
    private AofBuffer _active = new();
    private long _appendedLsn;

    // Owned by the writer thread (read racily by INFO).
    private AofBuffer _draining = new();
    private long _writtenLsn;
    private long _durableLsn;

    // Guarded by _waitGate: the fsync in progress (covering LSNs up to _inflightEnd) and the one after it.
    private TaskCompletionSource? _inflightSync;
    private long _inflightEnd;
    private TaskCompletionSource _nextSync = NewSync();
    private long _heldWaits;

    private volatile string? _writeError;
    private volatile bool _recording;
    private volatile FsyncPolicy _policy;

    public AppendOnlyLog(KeyValueStore store, IOptions<PepperCacheOptions> options, AofStorage storage, ILogger<AppendOnlyLog> logger)
    {
        _store = store;
        _storage = storage;
        _logger = logger;
        var settings = options.Value;
        Enabled = settings.AppendOnlyEnabled;
        Directory = settings.AofDirectory;
        FilePath = System.IO.Path.Combine(Directory, AofSettings.FileName);
        _policy = AofSettings.TryParseFsync(settings.AppendFsync, out var policy) ? policy : FsyncPolicy.EverySecond;
        AutoRewritePercentage = settings.AutoAofRewritePercentage;
        AutoRewriteMinSize = settings.AutoAofRewriteMinSize;
    }

    /// <summary><c>--appendonly yes</c>: the node loads and writes appendonly.aof.</summary>
    public bool Enabled { get; }

    /// <summary>True once the file is loaded and open: write commands then go through <see cref="Execute"/>.</summary>
    public bool IsRecording => _recording;

    public string Directory { get; }

    public string FilePath { get; }

    /// <summary>Serialises write commands with their records (see remarks); rewrite snapshots take it too.</summary>
    public Lock WriteLock { get; } = new();

    public FsyncPolicy Policy
    {
        get => _policy;
        set
        {
            _policy = value;
            Wake();
        }
    }

    public int AutoRewritePercentage { get; set; }

    public long AutoRewriteMinSize { get; set; }

    /// <summary>"ok" or "err" (INFO aof_last_write_status).</summary>
    public bool LastWriteOk => _writeError is null;

    /// <summary>Bytes appended but not yet handed to the file (INFO aof_buffer_length).</summary>
    public long BufferLength => Math.Max(0, Volatile.Read(ref _appendedLsn) - Volatile.Read(ref _writtenLsn));

    /// <summary>Loading the file at start-up (INFO loading).</summary>
    public bool Loading { get; internal set; }

    /// <summary>
    /// Runs a write command and appends what its handler records, as one step with respect to other writers.
    /// While the log cannot be written the command is refused with Redis's MISCONF error instead.
    /// </summary>
    public void Execute(CommandDefinition command, CommandContext context)
    {
        if (_writeError is { } error)
        {
            context.WriteError(error);
            return;
        }

        var feed = context.Aof;
        long appended;
        bool wake;
        lock (WriteLock)
        {
            var before = _active.Length;
            feed.Target = _active;
            try
            {
                CommandDispatcher.Run(command, context);
            }
            finally
            {
                feed.Target = null;
            }

            appended = _active.Length - before;
            if (appended != 0)
            {
                _appendedLsn += appended;
                feed.PendingLsn = _appendedLsn;
            }

            // Under always a client waits for the writer, so it is woken for every record. Otherwise only the first
            // record after a drain wakes it (it then lets records gather for a few ms) or a big buffer: a wake-up
            // and a write(2) per command cost the socket threads a third of their throughput on 2 cores.
            wake = appended != 0 && (_policy == FsyncPolicy.Always || before == 0 || _active.Length >= EagerDrainBytes);
        }

        if (wake)
        {
            Wake();
        }
    }

    /// <summary>
    /// How many <see cref="WaitDurableAsync"/> calls found their records not yet fsync'd and had to wait. A test that
    /// holds an fsync waits for this to know that a reply is being held back, instead of sleeping and then looking
    /// for the reply's absence.
    /// </summary>
    internal long HeldWaits
    {
        get
        {
            lock (_waitGate)
            {
                return _heldWaits;
            }
        }
    }

    /// <summary>
    /// Completes once every record up to <paramref name="lsn"/> is fsync'd (or, under a policy other than always,
    /// written). Many callers share one task per fsync: that is the group commit.
    /// </summary>
    public ValueTask WaitDurableAsync(long lsn)
    {
        if (Volatile.Read(ref _durableLsn) >= lsn)
        {
            return default;
        }

        lock (_waitGate)
        {
            if (_durableLsn >= lsn)
            {
                return default;
            }

            var sync = _inflightSync is not null && lsn <= _inflightEnd ? _inflightSync : _nextSync;
            _heldWaits++;
            return new ValueTask(sync.Task);
        }
    }

    /// <summary>Appends a record made outside a command (tests, tools). Takes the write lock.</summary>
    internal void AppendRaw(ReadOnlySpan<byte> record)
    {
        lock (WriteLock)
        {
            record.CopyTo(_active.GetSpan(record.Length));
            _active.Advance(record.Length);
            _appendedLsn += record.Length;
        }

        Wake();
    }

    public void Dispose()
    {
        Stop();
        _wake.Dispose();
        _active.Dispose();
        _draining.Dispose();
    }

    private static TaskCompletionSource NewSync() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Wake()
    {
        if (!_wake.IsSet)
        {
            _wake.Set();
        }
    }
}
