using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Persistence;

/// <summary>
/// The append-only file: records of successful writes are appended to an in-memory buffer under one lock that also
/// spans the command's execution, and a dedicated writer thread writes them out and fsyncs them. Split by concern:
/// this file (appending, the waits replies make for their records, status), <c>AppendOnlyLog.Writer.cs</c> (the
/// writer thread), <c>AppendOnlyLog.Fsync.cs</c> (everysec's fsync thread), <c>AppendOnlyLog.Rewrite.cs</c>
/// (compaction) and <c>AppendOnlyLog.Eviction.cs</c> (evictions logged as DEL).
/// </summary>
/// <remarks>
/// Order: a write command runs and appends its record while holding <see cref="WriteLock"/>, so the log's order is
/// the order writes were applied to the store, even for two connections writing one key on two threads (Redis gets
/// this by being single-threaded). Reads never take the lock.
/// Positions: an LSN is a count of bytes ever appended; the file holds LSNs [_lsnOffset, _lsnOffset + file length).
/// </remarks>
internal sealed partial class AppendOnlyLog : IDisposable
{
    // A buffer this full wakes the writer before the batch that fills it ends, so the buffers (512 KB) rarely grow
    // and a huge pipelined batch is written while it is still being run.
    private const int EagerDrainBytes = 128 * 1024;

    private readonly KeyValueStore _store;
    private readonly AofStorage _storage;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Lock _waitGate = new();

    // Guarded by WriteLock.
    private AofBuffer _active = new();
    private long _appendedLsn;

    // Written by the writer thread (_durableLsn also by the fsync thread, only ever raised); read by waiters and INFO.
    private AofBuffer _draining = new();
    private long _writtenLsn;
    private long _durableLsn;

    // Guarded by _waitGate: the connections' waits (AofWaiter), in no order, each done once the records up to its LSN
    // have reached the file; and how many waits had to wait.
    private readonly List<AofWaiter> _waiters = [];
    private long _heldWaits;

    // Set while the last write (or fsync) failed: write commands are refused with it (MISCONF).
    private string? _writeError;
    private string? _syncError;
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
    public bool LastWriteOk => Error is null;

    private string? Error => Volatile.Read(ref _writeError) ?? Volatile.Read(ref _syncError);

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
        if (Error is { } error)
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

            // The writer is woken when the connection's batch ends and it waits for its records (WaitLoggedAsync),
            // so a pipelined batch is one write(2), not one per command; only a big buffer wakes it here.
            wake = appended != 0 && _active.Length >= EagerDrainBytes;
        }

        if (wake)
        {
            Wake();
        }
    }

    /// <summary>
    /// How many <see cref="WaitLoggedAsync"/> calls found their records not yet where the policy needs them and had to
    /// wait. A test that holds an fsync waits for this to know that a reply is being held back, instead of sleeping and
    /// then looking for the reply's absence.
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
    /// Completes once every record up to <paramref name="lsn"/> has reached the file as the policy promises before a
    /// reply leaves: fsync'd under always, written to the OS (write(2), no fsync) under everysec and no, so a killed
    /// process loses no acknowledged write and only an OS crash or power cut can cost everysec its last second. Wakes
    /// the writer, which takes every record appended by then, so one write (and fsync) serves every connection waiting:
    /// the group commit. No thread blocks: the caller awaits its connection's <paramref name="waiter"/>, which the
    /// writer completes on its own thread once it is out of the file, so the connection's replies leave from there.
    /// </summary>
    public ValueTask WaitLoggedAsync(long lsn, AofWaiter waiter)
    {
        if (Reached(_policy) >= lsn || TryWriteInline(lsn))
        {
            return default;
        }

        ValueTask wait;
        lock (_waitGate)
        {
            // Checked again under the gate: the writer raises the LSN before it looks for waiters under it.
            if (Reached(_policy) >= lsn)
            {
                return default;
            }

            wait = waiter.Begin(lsn);
            _waiters.Add(waiter);
            _heldWaits++;
        }

        Wake();
        return wait;
    }

    /// <summary>Appends a record made outside a command (tests, tools); returns the LSN to wait for. Takes the write lock.</summary>
    internal long AppendRaw(ReadOnlySpan<byte> record)
    {
        long lsn;
        lock (WriteLock)
        {
            record.CopyTo(_active.GetSpan(record.Length));
            _active.Advance(record.Length);
            lsn = _appendedLsn += record.Length;
        }

        Wake();
        return lsn;
    }

    /// <summary>The LSN up to which the file is fsync'd (tests).</summary>
    internal long DurableLsn => Volatile.Read(ref _durableLsn);

    public void Dispose()
    {
        Stop();
        if (_abandoned)
        {
            // The writer outlived Stop's wait and still uses these.
            return;
        }

        _wake.Dispose();
        _syncRequested.Dispose();
        _syncIdle.Dispose();
        _active.Dispose();
        _draining.Dispose();
    }

    /// <summary>The LSN up to which a reply may leave under <paramref name="policy"/>: fsync'd for always, written otherwise.</summary>
    private long Reached(FsyncPolicy policy) => policy == FsyncPolicy.Always ? Volatile.Read(ref _durableLsn) : Volatile.Read(ref _writtenLsn);

    private void Wake()
    {
        if (!_wake.IsSet)
        {
            _wake.Set();
        }
    }
}
