namespace PepperCache.Server.Transport;

/// <summary>
/// When a loop beyond the first runs on a thread of its own. A node starts with every other loop's epoll set nested in
/// the first loop's, so one thread serves all connections, as Redis's one event loop does. The first loop wakes another
/// to serve its own set once its thread is busy most of a core and the machine has a core to spare; a woken loop hands
/// its set back once the two would fit on one thread again, or once the machine has no core to spare and they would
/// nearly fit. On a small machine shared with its clients, a second loop mostly competes for the cores they need
/// (nearly twice the context switches per request, docs/benchmarks.md); on a machine of its own, a loaded node still
/// spreads over every core.
/// </summary>
/// <param name="WakeAtPermille">The first loop's CPU share of one core (in thousandths) from which it wakes another loop.</param>
/// <param name="WakeIdleAtPermille">The machine's idle CPU (thousandths of a core) a wake also needs.</param>
/// <param name="MergeBelowPermille">The CPU share of a woken loop and the first loop together under which it hands its set back.</param>
/// <param name="MergeIdleBelowPermille">The machine's idle CPU (thousandths of a core) under which a woken loop also hands its set back at the share below.</param>
/// <param name="MergeBusyBelowPermille">The CPU share of the two loops together under which a woken loop hands its set back on a machine without a core to spare.</param>
/// <param name="HostWindowMilliseconds">How long the first loop measures before it decides; it wakes after two hot windows in a row.</param>
/// <param name="GuestWindowMilliseconds">How long a woken loop measures before it decides; longer, so it does not flap.</param>
/// <param name="IdlePollMicroseconds">
/// How long the first loop, while it serves every set alone, polls for more events after a batch before its thread
/// sleeps (0: it sleeps at once).
/// </param>
internal sealed record EpollLoopScaling(
    int WakeAtPermille,
    int WakeIdleAtPermille,
    int MergeBelowPermille,
    int MergeIdleBelowPermille,
    int MergeBusyBelowPermille,
    long HostWindowMilliseconds,
    long GuestWindowMilliseconds,
    int IdlePollMicroseconds = 0)
{
    /// <summary>
    /// Wake at 85 % of a core with half a core idle; merge under 60 %, or under 95 % with less than a quarter of a core
    /// idle. The bands do not meet: a merged thread does the two loops' work in less CPU than they took apart (fewer
    /// wake-ups), and a merge made for want of an idle core is not undone until half a core is idle again. Poll
    /// 10 µs before sleeping: a client's request that finds the thread asleep pays for waking it (on a virtual machine,
    /// a wake-up of an idle virtual CPU), about a tenth of redis-benchmark's CPU per request on 2 cores
    /// (docs/benchmarks.md "An event loop that polls before it sleeps").
    /// </summary>
    public static EpollLoopScaling Default { get; } = new(850, 500, 600, 250, 950, 50, 500, IdlePollMicroseconds: 10);

    /// <summary>Whether the loops beyond the first start asleep and wake with the load; not for <see cref="Fixed"/>.</summary>
    public bool Adapts => WakeAtPermille > 0;

    /// <summary>Every loop on its own thread from the start and for good, as before loops adapted (tests).</summary>
    public static EpollLoopScaling Fixed { get; } = new(0, 0, -1, -1, -1, 0, long.MaxValue);

    /// <summary>Every loop served by the first loop's thread for good (tests).</summary>
    public static EpollLoopScaling OneThread { get; } = new(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, long.MaxValue, 0);
}
