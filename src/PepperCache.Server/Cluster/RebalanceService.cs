using System.Collections.Concurrent;
using System.Diagnostics;
using PepperCache.Protocol;
using PepperCache.Server.Logging;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Hands over every slot this node serves but the member set gives to another node, driven by this (the old)
/// owner: on each <see cref="IClusterView.Changed"/>, and once a second in case a change was missed or a move failed.
/// </summary>
/// <remarks>
/// <para>
/// One worker per target node (at most <see cref="MaxParallelTargets"/> at once), each moving its slots in batches
/// over two RESP connections (<see cref="MoveToAsync"/>: the next batch's pre-copy on one while the current batch's
/// freeze groups are handed over, overlapping, on the other; see docs/cluster.md "Rebalance"). A target that fails keeps its slots here and is retried with exponential backoff (one
/// that refused them for want of this node's plan or slot table is sent this node's view and retried at once, once per
/// plan: <see cref="ViewPush"/>); an import overwrites and starts with RESET, so retrying is always safe.
/// </para>
/// <para>
/// Between rounds with nothing to move, it removes stray keys: keys of slots this node neither serves nor is due to
/// serve, and did not receive an import for lately (a failed attempt's leftovers at a target, an old AOF's keys).
/// A cluster of one has nothing to move.
/// </para>
/// <para>
/// The idle poll and the backoffs run on the node's <see cref="TimeProvider"/>, so a test can step a fake clock. A
/// batch's timeout bounds real network I/O and the durations it logs measure real work: those use the real clock.
/// </para>
/// </remarks>
internal sealed partial class RebalanceService : IHostedService, IRebalancer, IDisposable
{
    public const int MaxParallelTargets = 4;

    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stray-key sweeps start at least this far apart. A sweep counts the keys of every slot (a CRC16 per key, every
    /// shard lock taken), and every change wakes this loop: the target of a move, which has nothing to move itself,
    /// swept after each hand-over it received, hundreds of times a second, over a store that grows with the move.
    /// </summary>
    private static readonly TimeSpan SweepSpacing = TimeSpan.FromSeconds(1);

    /// <summary>How long a slot that received an import is left alone by stray-key cleanup.</summary>
    internal static readonly TimeSpan ImportGrace = TimeSpan.FromSeconds(30);

    private readonly ServerState _server;
    // Set with --tls-cluster yes: moves go to the target's TLS port, over TLS.
    private readonly Tls.NodeTls? _tls;
    private readonly IClusterView _view;
    private readonly ILogger<RebalanceService> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<string, Backoff> _backoff = new();
    // Sends a target that has not heard this node's plan its view at once; null in tests that build the service alone.
    private readonly ViewPush? _viewPush;
    // Per target, the plan epoch this node held when it last sent it its view: once per plan, so a target that still
    // refuses after the exchange (for another reason) waits its backoff and is not sent views in a loop.
    private readonly ConcurrentDictionary<string, long> _viewSentAt = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly MovePacer _pacer;
    private Task? _loop;
    private volatile bool _sweepDue = true;
    private long _lastSweepAt;
    private bool _swept;
    private volatile bool _disposed;

    // A rebalance runs from the first round with something to move to the first round with nothing.
    private bool _running;
    private int _slotsToMove;
    private int _slotsMoved;
    private long _keysMoved;
    private long _bytesMoved;
    private long _startedAt;
    private int _activeMoves;

    /// <summary>Attempts to move slots to a target that failed (the slots stayed here) and were backed off; for tests and diagnostics.</summary>
    internal long FailedMoves;

    /// <summary>
    /// Refusals from a target that had not heard this node's plan (or table) yet, answered by sending it this node's
    /// view and retrying at once instead of backing off; for tests and diagnostics.
    /// </summary>
    internal long PlanPushes;

    public RebalanceService(ServerState server, IClusterView view, ILogger<RebalanceService> logger, TimeProvider time, Tls.NodeTls? tls = null, ViewPush? viewPush = null)
    {
        _server = server;
        _viewPush = viewPush;
        _tls = tls is { Cluster: true } ? tls : null;
        _view = view;
        _logger = logger;
        _time = time;
        _pacer = new MovePacer(time, () => server.Clients.Totals().Commands, () => Volatile.Read(ref _slotsMoved), server.Config.MovePace, logger);
    }

    /// <summary>Holds this node's pre-copies to the pace its clients and the operator allow.</summary>
    internal MovePacer Pacer => _pacer;

    public RebalanceProgress Progress => new(
        Volatile.Read(ref _running),
        Volatile.Read(ref _slotsToMove),
        Volatile.Read(ref _slotsMoved),
        Interlocked.Read(ref _keysMoved),
        Interlocked.Read(ref _bytesMoved));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _view.Changed += OnChanged;
        _pacer.Start();
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null || _disposed)
        {
            return;
        }

        _view.Changed -= OnChanged;
        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check above and here (the container went first): Dispose cancelled the loop already.
            return;
        }

        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a move is under way. A slot is the target's as soon as its SETSLOT reply is recorded, but its keys here
    /// are dropped after the whole group's replies: until the move ends both nodes hold them (tests that count keys wait).
    /// </summary>
    internal bool Moving => Volatile.Read(ref _activeMoves) > 0;

    public async Task WhenSettledAsync(CancellationToken cancellationToken)
    {
        // A move in progress may have given away its last slot but not yet dropped its keys here.
        while (CountPending() > 0 || Volatile.Read(ref _activeMoves) > 0)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        // The host may dispose the container before (or without) stopping this service; stop the loop either way.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _view.Changed -= OnChanged;
        _pacer.Dispose();

        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void OnChanged()
    {
        _sweepDue = true;
        Wake();
    }

    /// <summary>Has the loop run another round as soon as this one ends.</summary>
    private void Wake()
    {
        if (_wake.CurrentCount != 0)
        {
            return;
        }

        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the next round sees this change too.
        }
        catch (ObjectDisposedException)
        {
            // Raised during shutdown.
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = IdlePoll;
            try
            {
                wait = await RoundAsync(cancellationToken).ConfigureAwait(false);
                await _wake.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.RebalanceRoundFailed(_logger, ex);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Moves what can be moved now; returns how long to wait before the next round (unless woken).</summary>
    private async Task<TimeSpan> RoundAsync(CancellationToken cancellationToken)
    {
        if (!_view.Synced)
        {
            return IdlePoll;
        }

        var pending = PendingByTarget(out var served);
        if (pending.Count == 0)
        {
            FinishIfRunning();
            return SweepStrayKeys();
        }

        var total = pending.Values.Sum(p => p.Slots.Count);
        if (!_running)
        {
            _startedAt = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _keysMoved, 0);
            Interlocked.Exchange(ref _bytesMoved, 0);
            Volatile.Write(ref _slotsMoved, 0);
            Volatile.Write(ref _running, true);
            _pacer.BeginMove(served);
            Log.RebalanceStarted(_logger, total, pending.Count);
        }

        Volatile.Write(ref _slotsToMove, Volatile.Read(ref _slotsMoved) + total);
        var now = _time.GetTimestamp();
        var ready = pending.Values
            .Where(p => !_backoff.TryGetValue(p.Target.Id, out var b) || b.RetryAt <= now)
            .ToList();
        await Parallel.ForEachAsync(
            ready,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTargets, CancellationToken = cancellationToken },
            (work, token) => new ValueTask(MoveToAsync(work.Target, work.Slots, token))).ConfigureAwait(false);

        if (CountPending() == 0)
        {
            FinishIfRunning();
            return IdlePoll;
        }

        // Something is left (a failed target, or a change meanwhile): come back when the earliest backoff ends.
        var earliest = _backoff.Values.Select(b => b.RetryAt).DefaultIfEmpty(now).Min();
        var delay = _time.GetElapsedTime(_time.GetTimestamp(), earliest);
        return delay < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : delay;
    }

    private void FinishIfRunning()
    {
        if (!_running)
        {
            return;
        }

        Volatile.Write(ref _running, false);
        var pace = _pacer.EndMove();
        if (pace.HeldMilliseconds > 0)
        {
            var settings = _server.Config.MovePace;
            Log.RebalancePaced(
                _logger, pace.HeldMilliseconds, (long)Math.Round(pace.LowestDuty * 100), (long)pace.BaselineCommandsPerSecond, settings.MinClientPercent, settings.MaxKeysPerSecond);
        }

        Log.RebalanceDone(
            _logger,
            Volatile.Read(ref _slotsMoved),
            Interlocked.Read(ref _keysMoved),
            Interlocked.Read(ref _bytesMoved),
            (long)Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds);
    }

    /// <summary>
    /// Slots this node serves whose desired owner is another node, grouped by that node; <paramref name="served"/>, all
    /// the slots it serves (the pacer's baseline is per slot served).
    /// </summary>
    private Dictionary<string, TargetWork> PendingByTarget(out int served)
    {
        var view = _view;
        var myself = view.Myself.Id;
        var byTarget = new Dictionary<string, TargetWork>();
        served = 0;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (view.OwnerOf(slot).Id != myself)
            {
                continue;
            }

            served++;

            var desired = view.DesiredOwnerOf(slot);
            if (desired.Id == myself)
            {
                continue;
            }

            if (!byTarget.TryGetValue(desired.Id, out var work))
            {
                byTarget[desired.Id] = work = new TargetWork(desired, []);
            }

            work.Slots.Add(slot);
        }

        return byTarget;
    }

    private int CountPending()
    {
        var view = _view;
        var myself = view.Myself.Id;
        var count = 0;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (view.OwnerOf(slot).Id == myself && view.DesiredOwnerOf(slot).Id != myself)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Removes keys of slots this node neither serves nor is due to serve and did not import into lately, at most once
    /// per <see cref="SweepSpacing"/>; returns how long to wait before the next round (unless woken).
    /// </summary>
    private TimeSpan SweepStrayKeys()
    {
        if (!_sweepDue)
        {
            return IdlePoll;
        }

        var sinceLast = _time.GetElapsedTime(_lastSweepAt);
        if (_swept && sinceLast < SweepSpacing)
        {
            // Due, but too soon: come back when it is time (a change meanwhile wakes the loop, and is let wait too).
            return SweepSpacing - sinceLast;
        }

        _sweepDue = false;
        _swept = true;
        // Collections half-built by an abandoned move go too (they are outside the keyspace, so the counts miss them).
        _sweepDue |= DropAbandonedPieces();
        _lastSweepAt = _time.GetTimestamp();
        var view = _view;
        var myself = view.Myself.Id;
        var store = _server.Store;
        var migration = _server.Migration;
        var counts = new int[HashSlot.SlotCount];
        store.CountKeysPerSlot(counts);
        long keys = 0;
        var slots = 0;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (counts[slot] == 0 || view.ServesOrIsDue(slot))
            {
                continue;
            }

            lock (migration.ImportLock)
            {
                // Rechecked under the lock an import takes, so a slot is never swept between its import and handover.
                if (view.ServesOrIsDue(slot))
                {
                    continue;
                }

                if (store.Now - migration.LastImportAt(slot) < (long)ImportGrace.TotalMilliseconds)
                {
                    _sweepDue = true;
                    continue;
                }

                keys += store.DeleteSlot(slot);
                slots++;
            }
        }

        if (slots > 0)
        {
            Log.StrayKeysRemoved(_logger, keys, slots);
        }

        return IdlePoll;
    }

    private sealed record TargetWork(ClusterNode Target, List<int> Slots);

    /// <summary>A failed target's next try: <paramref name="RetryAt"/> is a timestamp of the service's time provider.</summary>
    private sealed record Backoff(long RetryAt, TimeSpan Delay);
}
