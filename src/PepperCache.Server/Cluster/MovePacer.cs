using PepperCache.Server.Logging;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Paces an old owner's slot moves so that its clients keep their speed. Every <see cref="SamplePeriod"/> it samples
/// the commands this node has served. When a rebalance starts, the second before it is the baseline: commands per
/// second per slot served. While the move runs, each sample compares the last <see cref="WindowSamples"/> samples'
/// rate per slot still served (keys that left took their clients with them) with
/// <see cref="MovePaceSettings.MinClientPercent"/> of the baseline, and moves the move's duty (the share of the time it
/// runs) by that ratio, bounded by <see cref="Decrease"/> and <see cref="Increase"/>: down while the clients are short
/// of their share, back up to 1 while they have more. A duty rather than a rate in keys a second: the move's own speed
/// differs with the machine, the keys' sizes and the move's phase (its first batches are slow), and a duty needs no
/// estimate of it. So on a machine with cores to spare the move is never held, and where it shares the cores with the
/// clients it settles where they keep their share. With clients, a move starts at <see cref="StartDuty"/> (as TCP's
/// slow start, it has measured nothing yet), and rises within a few windows when they keep their share. The duty never
/// drops below <see cref="MinDuty"/> (a move always ends). <see cref="MovePaceSettings.MaxKeysPerSecond"/>, the
/// operator's cap, holds with or without clients. A node
/// that served fewer than <see cref="MinBaselineCommandsPerSecond"/> before the move has no clients to yield to. See
/// docs/cluster.md, "A move that follows its clients".
/// </summary>
/// <remarks>
/// Each pre-copy waits in <see cref="WaitAsync"/> before it starts: for the duty, as long as the move ran since its
/// last wait times (1 - duty) / duty, <see cref="MaxDutyWait"/> at most; for the cap, until the keys before it fit (a
/// cap changed by CONFIG SET applies from the next batch). Only pre-copies wait; hand-overs, which
/// hold slots frozen, never do.
/// </remarks>
internal sealed class MovePacer : IDisposable
{
    internal static readonly TimeSpan SamplePeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>Samples the baseline spans: the second before the move.</summary>
    internal const int BaselineSamples = 10;

    /// <summary>Sample periods each decision looks back over.</summary>
    internal const int WindowSamples = 2;

    internal const double MinBaselineCommandsPerSecond = 1_000;

    /// <summary>The least share of the time a move runs, however its clients fare.</summary>
    internal const double MinDuty = 0.1;

    /// <summary>The duty a move starts at when there are clients to yield to.</summary>
    internal const double StartDuty = 0.5;

    /// <summary>
    /// The longest one wait for the duty: a batch that ran long (a big collection's pre-copy, a slow target) would
    /// otherwise wait nine times that at the floor, and a wait does not shorten when the clients recover meanwhile.
    /// </summary>
    internal static readonly TimeSpan MaxDutyWait = TimeSpan.FromSeconds(1);

    /// <summary>The deepest cut and the steepest rise of one sample period.</summary>
    internal const double Decrease = 0.75;

    /// <inheritdoc cref="Decrease"/>
    internal const double Increase = 1.25;

    private readonly TimeProvider _time;
    private readonly Func<long> _commands;
    private readonly Func<int> _slotsHandedOver;
    private readonly MovePaceSettings _settings;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Sample[] _samples = new Sample[BaselineSamples + 1];
    private long _sampleCount;
    private ITimer? _timer;

    private bool _moving;
    private double _baselinePerSlot;
    private int _slotsAtStart;
    private int _handedOverAtStart;
    private double _duty = 1;
    private double _lowestDuty = 1;
    private long _capFreeAt;
    private long _heldTicks;

    public MovePacer(TimeProvider time, Func<long> commands, Func<int> slotsHandedOver, MovePaceSettings settings, ILogger? logger = null)
    {
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time;
        _commands = commands;
        _slotsHandedOver = slotsHandedOver;
        _settings = settings;
    }

    /// <summary>The share of the time this node's moves may run, 1 while their clients keep their share.</summary>
    public double Duty
    {
        get
        {
            lock (_gate)
            {
                return _duty;
            }
        }
    }

    /// <summary>Starts sampling every <see cref="SamplePeriod"/> on the node's clock.</summary>
    public void Start() => _timer ??= _time.CreateTimer(_ => TakeSample(), null, SamplePeriod, SamplePeriod);

    public void Dispose() => _timer?.Dispose();

    /// <summary>Records the commands served so far; while a move runs, adjusts its duty.</summary>
    internal void TakeSample()
    {
        var commands = _commands();
        var handedOver = _slotsHandedOver();
        lock (_gate)
        {
            _samples[_sampleCount % _samples.Length] = new Sample(_time.GetTimestamp(), commands);
            _sampleCount++;
            if (_moving)
            {
                Adjust(handedOver);
            }
        }
    }

    /// <summary>A rebalance starts, this node serving <paramref name="slotsServed"/> slots: the second before is the baseline.</summary>
    public void BeginMove(int slotsServed)
    {
        var handedOver = _slotsHandedOver();
        lock (_gate)
        {
            _moving = true;
            _slotsAtStart = slotsServed;
            _handedOverAtStart = handedOver;
            _duty = _lowestDuty = 1;
            _heldTicks = 0;
            _baselinePerSlot = 0;
            if (slotsServed > 0 && _sampleCount >= 2)
            {
                var latest = SampleAgo(0);
                var oldest = SampleAgo((int)Math.Min(BaselineSamples, _sampleCount - 1));
                var seconds = Seconds(oldest.At, latest.At);
                var rate = seconds > 0 ? (latest.Commands - oldest.Commands) / seconds : 0;
                if (seconds >= 3 * SamplePeriod.TotalSeconds && rate >= MinBaselineCommandsPerSecond)
                {
                    // Taken at 0 % too, so that a CONFIG SET during the move finds it.
                    _baselinePerSlot = rate / slotsServed;
                    if (_settings.MinClientPercent > 0)
                    {
                        // With clients to yield to, a move starts at StartDuty and rises from there while they keep
                        // their share: unpaced, its first 200 ms (before the first window of the move) cost them the most.
                        _duty = _lowestDuty = StartDuty;
                    }
                }
            }
        }
    }

    /// <summary>The rebalance ended: its moves run at full duty until the next.</summary>
    /// <returns>What the pace did to this rebalance, for its log.</returns>
    public PaceSummary EndMove()
    {
        lock (_gate)
        {
            _moving = false;
            _duty = 1;
            return new PaceSummary(_heldTicks * 1000 / _time.TimestampFrequency, _baselinePerSlot * _slotsAtStart, _lowestDuty);
        }
    }

    /// <summary>
    /// Waits until a pre-copy of <paramref name="keys"/> keys may start, the move having run <paramref name="busy"/>
    /// since its last wait (or its start); charges the keys to the operator's cap.
    /// </summary>
    /// <param name="keys">The batch's keys.</param>
    /// <param name="busy">How long the move ran since its last wait.</param>
    /// <param name="leaving">
    /// This node is leaving and must hand its slots over within <c>--leave-timeout</c> or lose their keys: it does not
    /// wait for its clients' sake (the operator's cap still holds).
    /// </param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public Task WaitAsync(long keys, TimeSpan busy, bool leaving, CancellationToken cancellationToken)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var wait = _duty < 1 && busy > TimeSpan.Zero && !leaving ? busy * ((1 - _duty) / _duty) : TimeSpan.Zero;
            wait = wait > MaxDutyWait ? MaxDutyWait : wait;
            var max = _settings.MaxKeysPerSecond;
            if (max > 0 && keys > 0)
            {
                var start = Math.Max(now, _capFreeAt);
                _capFreeAt = start + (long)(keys / (double)max * _time.TimestampFrequency);
                var capWait = _time.GetElapsedTime(now, start);
                wait = capWait > wait ? capWait : wait;
            }

            if (wait <= TimeSpan.Zero)
            {
                return Task.CompletedTask;
            }

            _heldTicks += (long)(wait.TotalSeconds * _time.TimestampFrequency);
            delay = wait;
        }

        return Task.Delay(delay, _time, cancellationToken);
    }

    private void Adjust(int handedOver)
    {
        var percent = _settings.MinClientPercent;
        if (percent <= 0 || _baselinePerSlot <= 0 || _sampleCount <= WindowSamples)
        {
            _duty = 1;
            return;
        }

        var latest = SampleAgo(0);
        var earlier = SampleAgo(WindowSamples);
        var seconds = Seconds(earlier.At, latest.At);
        if (seconds <= 0)
        {
            return;
        }

        var served = Math.Max(1, _slotsAtStart - (handedOver - _handedOverAtStart));
        var perSlot = (latest.Commands - earlier.Commands) / seconds / served;
        // 1 where the clients are exactly at their share; the duty moves by as much, within Decrease and Increase.
        var ratio = perSlot / (_baselinePerSlot * percent / 100.0);
        var before = _duty;
        _duty = ratio < 1
            ? Math.Max(MinDuty, _duty * Math.Max(Decrease, ratio))
            : Math.Min(1, _duty * Math.Min(Increase, ratio));
        _lowestDuty = Math.Min(_lowestDuty, _duty);
        if (_duty != before)
        {
            Log.MovePaceChanged(_logger, (long)Math.Round(_duty * 100), (long)(perSlot * 100 / _baselinePerSlot), served);
        }
    }

    private Sample SampleAgo(int ago) => _samples[(_sampleCount - 1 - ago) % _samples.Length];

    private double Seconds(long from, long to) => _time.GetElapsedTime(from, to).TotalSeconds;

    private readonly record struct Sample(long At, long Commands);
}

/// <summary>What a rebalance's pace did: how long its pre-copies waited, the baseline its clients were held near, its lowest duty.</summary>
internal readonly record struct PaceSummary(long HeldMilliseconds, double BaselineCommandsPerSecond, double LowestDuty);
