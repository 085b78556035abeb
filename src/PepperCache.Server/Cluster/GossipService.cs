using System.Globalization;
using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Server.Hosting;
using PepperCache.Server.Logging;
using PepperCache.Protocol;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Keeps this node's view in step with the others': joins through <c>--cluster</c> at start-up, pushes every change
/// to every serving member at once, exchanges state with each of them every <see cref="Interval"/> (which doubles as
/// the failure probe), marks a member failed after <c>--node-timeout</c> without a reply, and leaves gracefully on
/// shutdown. See docs/cluster.md ("Membership").
/// </summary>
/// <remarks>
/// Its intervals, the node timeout and the leave timeout run on the node's <see cref="TimeProvider"/>, so a test can
/// step a fake clock; a peer call's own timeout (<see cref="PeerClient"/>) bounds real network I/O and stays real.
/// </remarks>
internal sealed partial class GossipService(
    ClusterState cluster,
    PeerClient peers,
    KeyValueStore store,
    NodeEndpoints endpoints,
    IHostApplicationLifetime lifetime,
    IOptions<PepperCacheOptions> options,
    ILogger<GossipService> logger,
    TimeProvider time,
    ViewPush views,
    IRebalancer? rebalancer = null) : BackgroundService, IHostedLifecycleService
{
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    // Per member: when it last answered (a timestamp of the time provider).
    private readonly Dictionary<string, long> _lastContact = new(StringComparer.Ordinal);
    // Per failed or departed member: when this node first saw it so (a timestamp of the time provider).
    private readonly Dictionary<string, long> _departedSince = new(StringComparer.Ordinal);
    private int _wakePending;

    private PepperCacheOptions Options => options.Value;

    /// <summary>Between rounds: a quarter of the node timeout, at most a second, so a failure is seen several rounds in.</summary>
    private TimeSpan Interval => TimeSpan.FromMilliseconds(Math.Clamp(Options.NodeTimeout / 4, 50, 1000));

    /// <summary>Rounds start at least this far apart, however often the state changes.</summary>
    private static readonly TimeSpan MinRoundSpacing = TimeSpan.FromMilliseconds(500);

    /// <summary>One exchange may take this long before it counts as a missed probe.</summary>
    private TimeSpan RequestTimeout => ViewPush.RequestTimeout(Options);

    /// <summary>Set by tests to stop as a crashed node would: without leaving.</summary>
    internal bool LeaveOnStop { get; set; } = true;

    /// <summary>
    /// Set by tests to hold back this node's gossip rounds with some members (neither sent to nor probed, so not
    /// suspected either), as spaced rounds do for a moment: a joiner's plan lags the movers' deterministically.
    /// </summary>
    internal Func<Member, bool>? HoldRoundsWith { get; set; }

    /// <summary>Join attempts that failed (refused, or no answer); a test waits for one rather than for a while.</summary>
    internal int FailedJoins => Volatile.Read(ref _failedJoins);

    /// <summary>Why the last join attempt failed.</summary>
    internal string? LastJoinFailure { get; private set; }

    private int _failedJoins;
    private volatile StartupJoin _join = StartupJoin.Pending;

    /// <summary>
    /// Where the start-up exchange with the cluster stands (/readyz reads it): pending until a joiner has the
    /// cluster's state, a returning node has asked its old peers, or a founder has started; given up after the
    /// last join attempt failed.
    /// </summary>
    internal StartupJoin Join => _join;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (string.IsNullOrEmpty(Options.ClusterSecret))
        {
            Log.MembershipLoopbackOnly(logger);
        }

        cluster.SetAddress(
            endpoints.RespEndPoint?.Port ?? (Options.PlainPortEnabled ? Options.Port : 0),
            endpoints.AdminEndPoint?.Port ?? Options.AdminPort,
            endpoints.TlsEndPoint?.Port ?? Options.TlsPort);
        cluster.Changed += OnChanged;
        try
        {
            if (cluster.IsReturning)
            {
                await ReturnAsync(stoppingToken).ConfigureAwait(false);
                _join = StartupJoin.Done;
            }
            else if (!cluster.Synced)
            {
                _join = await JoinAsync(stoppingToken).ConfigureAwait(false) ? StartupJoin.Done : StartupJoin.GaveUp;
            }
            else
            {
                _join = StartupJoin.Done;
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                Volatile.Write(ref _wakePending, 0);
                var roundStarted = time.GetTimestamp();
                try
                {
                    await RoundAsync(stoppingToken).ConfigureAwait(false);
                    ForgetDeparted();
                    cluster.SaveIfDirty();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A background service that throws stops the host; one bad round must not take the node down.
                    Log.GossipRoundFailed(logger, ex);
                }

                await _wake.WaitAsync(Interval, time, stoppingToken).ConfigureAwait(false);

                // A rebalance changes ownership hundreds of times a second; pushing the slot table after each change
                // kept both cores busy exchanging it. Changes that come sooner wait and go out together: at 100 ms
                // a 1M-key move took 15.0 s and 113 us of CPU per key, at 500 ms 9.4 s and 71 us (bench/rebalance.sh).
                // Nothing waits on these pushes: the old owner redirects to the new one meanwhile.
                var spacing = MinRoundSpacing - time.GetElapsedTime(roundStarted);
                if (spacing > TimeSpan.Zero)
                {
                    await Task.Delay(spacing, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            cluster.Changed -= OnChanged;
        }
    }

    /// <summary>
    /// The graceful leave runs here, before any hosted service stops: Kestrel (stopped first, as the web host is
    /// registered last) must still answer on the RESP port, so clients follow the MOVED replies as slots go, and the
    /// rebalancer must still run to hand them over.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (LeaveOnStop && cluster.MyStatus == MemberStatus.Alive && cluster.Members().Any(m => m.Id != cluster.MyId && m.IsServing))
        {
            await LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        cluster.SaveIfDirty();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Wakes the loop once however many changes arrive (a rebalance assigns thousands of slots one by one).</summary>
    private void OnChanged()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>POST /join to the seed, with backoff, for at most about a minute; false when every attempt failed.</summary>
    private async Task<bool> JoinAsync(CancellationToken cancellationToken)
    {
        var (host, adminPort) = ParseSeed(Options.Cluster);
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            try
            {
                var reply = await peers.ExchangeAsync(host, adminPort, "/join", Message(includeSlots: false), RequestTimeout, cancellationToken).ConfigureAwait(false);
                await Task.Run(() => cluster.Merge(reply), cancellationToken).ConfigureAwait(false);
                Log.Joined(logger, Options.Cluster, cluster.Members().Count(m => m.IsServing));
                return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
            {
                Log.JoinFailed(logger, Options.Cluster, attempt, ex.Message);
                LastJoinFailure = ex.Message;
                Interlocked.Increment(ref _failedJoins);
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }

        Log.GaveUpJoining(logger, Options.Cluster);
        cluster.GiveUpJoining();
        return false;
    }

    /// <summary>
    /// A node restarting with a saved member set first takes the cluster's current state without announcing itself,
    /// drops the keys of slots it no longer owns (the survivors' copy wins: nothing it held may come back), then
    /// announces its new incarnation with the next round.
    /// </summary>
    private async Task ReturnAsync(CancellationToken cancellationToken)
    {
        var targets = cluster.Members().Where(m => m.Id != cluster.MyId && m.IsServing).Select(m => (m.Host, m.AdminPort)).ToList();
        if (!string.IsNullOrWhiteSpace(Options.Cluster))
        {
            targets.Insert(0, ParseSeed(Options.Cluster));
        }

        foreach (var (host, adminPort) in targets)
        {
            try
            {
                var reply = await peers.ExchangeAsync(host, adminPort, "/cluster/gossip", Message(includeSlots: false, pull: true), RequestTimeout, cancellationToken).ConfigureAwait(false);
                await Task.Run(() => cluster.Merge(reply), cancellationToken).ConfigureAwait(false);
                var me = cluster.Myself;
                var dropped = store.RemoveKeysInSlots(slot => !ReferenceEquals(cluster.OwnerOf(slot), me));
                if (dropped > 0)
                {
                    Log.DroppedStaleKeys(logger, dropped);
                }

                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
            {
                Log.ReturnPeerUnreachable(logger, $"{host}:{adminPort}", ex.Message);
            }
        }
    }

    /// <summary>
    /// One exchange with every serving member. Each message carries the slots changed since that member acknowledged
    /// this node's table (none in a steady state), or the whole table when it is new or too far behind
    /// (<see cref="ClusterState.CreateMessage"/>).
    /// </summary>
    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        if (cluster.MyStatus == MemberStatus.Left)
        {
            return;
        }

        var now = time.GetTimestamp();
        var hold = HoldRoundsWith;
        var targets = cluster.Members().Where(m => m.Id != cluster.MyId && m.IsServing && hold?.Invoke(m) != true).ToList();
        foreach (var target in targets)
        {
            _lastContact.TryAdd(target.Id, now);
        }

        var results = await Task.WhenAll(targets.Select(target => ExchangeAsync(target, cancellationToken))).ConfigureAwait(false);

        now = time.GetTimestamp();
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            if (results[i] is { } reply)
            {
                _lastContact[target.Id] = now;
                cluster.ClearSuspicion(target.Id);
                cluster.Merge(reply);
            }
            else if (time.GetElapsedTime(_lastContact[target.Id], now).TotalMilliseconds > Options.NodeTimeout)
            {
                // Suspected (PFAIL); failed once a majority of the serving members suspect it, which their gossip
                // tells. Until then it stays a target: probed every round, and cleared if it answers.
                cluster.Suspect(target.Id);
            }
        }
    }

    /// <summary>
    /// Forgets members that have been failed or gone for <c>ForgetAfter</c>, so CLUSTER NODES and /cluster/nodes
    /// list the cluster as it is, not everyone who ever was in it. The time runs from when this node first saw the
    /// member so; each member forgets on its own clock, and <see cref="ClusterState.Forget"/> keeps a forgotten
    /// member from coming back through a peer that has not forgotten it yet.
    /// </summary>
    private void ForgetDeparted()
    {
        var now = time.GetTimestamp();
        var departed = cluster.Members().Where(m => !m.IsServing && m.Id != cluster.MyId).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in _departedSince.Keys.Where(id => !departed.Contains(id)).ToList())
        {
            _departedSince.Remove(id);
        }

        foreach (var id in departed)
        {
            if (!_departedSince.TryGetValue(id, out var since))
            {
                _departedSince[id] = now;
            }
            else if (time.GetElapsedTime(since, now).TotalMilliseconds >= Options.ForgetAfter &&
                     cluster.Forget(id, $"failed or gone for {Options.ForgetAfter} ms") == ForgetResult.Forgotten)
            {
                _departedSince.Remove(id);
                _lastContact.Remove(id);
            }
        }
    }

    private Task<GossipMessage?> ExchangeAsync(Member target, CancellationToken cancellationToken) =>
        views.ExchangeAsync(target.Id, target.Host, target.AdminPort, cancellationToken);

    /// <summary>Mark leaving, wait (bounded) for the rebalancer to hand the slots over, mark left, tell everyone.</summary>
    private async Task LeaveAsync(CancellationToken cancellationToken)
    {
        var me = cluster.Myself;
        var owned = Enumerable.Range(0, Protocol.HashSlot.SlotCount).Count(slot => ReferenceEquals(cluster.OwnerOf(slot), me));
        Log.Leaving(logger, owned);
        cluster.SetMyStatus(MemberStatus.Leaving);
        await PushAsync(cancellationToken).ConfigureAwait(false);
        if (rebalancer is not null)
        {
            using var leaveTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Options.LeaveTimeout), time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leaveTimeout.Token);
            try
            {
                await WhenPlannedWithoutMeAsync(timeout.Token).ConfigureAwait(false);
                await WhenHoldingNoSlotsAsync(timeout.Token).ConfigureAwait(false);
                await rebalancer.WhenSettledAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.LeaveIncomplete(logger, $"slots not handed over within {Options.LeaveTimeout} ms; their keys are lost");
            }
        }
        else if (owned > 0)
        {
            Log.LeaveIncomplete(logger, "no rebalancer in this build: this node's keys are not handed over");
        }

        cluster.SetMyStatus(MemberStatus.Left);
        await PushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes once this node holds a plan that gives it no slots. The coordinator makes that plan when it hears of
    /// the leave, and the push usually brings it back; when that reply is lost (a slow peer, a timeout), this node
    /// would still be its slots' planned owner, the rebalancer would find nothing to move, and the node would leave
    /// with its keys. Gossip rounds go on meanwhile and bring the plan.
    /// </summary>
    private async Task WhenPlannedWithoutMeAsync(CancellationToken cancellationToken)
    {
        using var changed = new SemaphoreSlim(0);
        void OnPlan() => changed.Release();
        cluster.Changed += OnPlan;
        try
        {
            // With no other alive member there is no coordinator to plan without it: nothing to wait for.
            while (cluster.PlannedForMe && cluster.Members().Any(m => m.Id != cluster.MyId && m.Status == MemberStatus.Alive))
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            cluster.Changed -= OnPlan;
        }
    }

    /// <summary>
    /// Completes once this node's table names it the owner of no slot (or no other member is alive to take one).
    /// "Nothing left to move" is not enough: when a member the plan gives this node's slots to fails during the leave,
    /// those slots are wanted here again until the coordinator's next plan, and the node would leave with their keys
    /// (found by <c>SlotOwnershipSimulationTests</c>). The rebalancer moves them meanwhile, on the same changes.
    /// </summary>
    private async Task WhenHoldingNoSlotsAsync(CancellationToken cancellationToken)
    {
        using var changed = new SemaphoreSlim(0);
        void OnChange() => changed.Release();
        cluster.Changed += OnChange;
        try
        {
            while (cluster.HoldsSlots && cluster.Members().Any(m => m.Id != cluster.MyId && m.Status == MemberStatus.Alive))
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            cluster.Changed -= OnChange;
        }
    }

    private async Task PushAsync(CancellationToken cancellationToken)
    {
        var targets = cluster.Members().Where(m => m.Id != cluster.MyId && m.IsServing).ToList();
        var replies = await Task.WhenAll(targets.Select(t => ExchangeAsync(t, cancellationToken))).ConfigureAwait(false);
        foreach (var reply in replies)
        {
            if (reply is not null)
            {
                cluster.Merge(reply);
            }
        }
    }

    private GossipMessage Message(bool includeSlots, bool pull = false) => cluster.CreateMessage(includeSlots, store.Count, pull);

    /// <summary><c>--cluster</c>: a host, or host:admin-port.</summary>
    internal static (string Host, int AdminPort) ParseSeed(string seed)
    {
        seed = seed.Trim();
        var colon = seed.LastIndexOf(':');
        if (colon > 0 && !seed.EndsWith(']') && seed.IndexOf(':', StringComparison.Ordinal) == colon &&
            int.TryParse(seed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (seed[..colon], port);
        }

        return (seed.Trim('[', ']'), PepperCacheOptions.DefaultAdminPort);
    }
}
