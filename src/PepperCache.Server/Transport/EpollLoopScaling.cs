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
/// <param name="MergeIdleBelowPermille">The machine's idle CPU under which it hands its set back at a higher share,</param>
/// <param name="MergeBusyBelowPermille">this one.</param>
/// <param name="HostWindowMilliseconds">How long the first loop measures before it decides; it wakes after two hot windows in a row.</param>
/// <param name="GuestWindowMilliseconds">How long a woken loop measures before it decides; longer, so it does not flap.</param>
internal sealed record EpollLoopScaling(
    int WakeAtPermille,
    int WakeIdleAtPermille,
    int MergeBelowPermille,
    int MergeIdleBelowPermille,
    int MergeBusyBelowPermille,
    long HostWindowMilliseconds,
    long GuestWindowMilliseconds)
{
    /// <summary>
    /// Wake at 85 % of a core with half a core idle; merge under 60 %, or under 95 % with a quarter of a core idle. A
    /// merged thread does the two loops' work in less CPU than they took apart (fewer wake-ups), so merging does not
    /// wake the loop again.
    /// </summary>
    public static EpollLoopScaling Default { get; } = new(850, 500, 600, 250, 950, 50, 500);

    /// <summary>Every loop on its own thread from the start and for good, as before loops adapted (tests).</summary>
    public static EpollLoopScaling Fixed { get; } = new(0, 0, -1, -1, -1, 0, long.MaxValue);

    /// <summary>Every loop served by the first loop's thread for good (tests).</summary>
    public static EpollLoopScaling OneThread { get; } = new(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, long.MaxValue, 0);
}

/// <summary>A loop thread's CPU share of one core over a window, from the thread's own CPU clock.</summary>
internal struct LoopThreadLoad
{
    private long _since;
    private long _cpuSince;

    /// <summary>Starts a window; call on the measured thread.</summary>
    public void Restart()
    {
        _since = Environment.TickCount64;
        _cpuSince = LinuxNative.ThreadCpuNanoseconds();
    }

    /// <summary>
    /// False while the window is shorter than <paramref name="windowMilliseconds"/>; else the thread's CPU share of a
    /// core in thousandths, and a new window starts. A coarse clock (a few ms) is plenty for windows of 50 ms and up.
    /// </summary>
    public bool TryRead(long windowMilliseconds, out int permille)
    {
        var elapsed = Environment.TickCount64 - _since;
        if (elapsed < windowMilliseconds || elapsed <= 0)
        {
            permille = 0;
            return false;
        }

        var cpu = LinuxNative.ThreadCpuNanoseconds();
        permille = (int)Math.Clamp((cpu - _cpuSince) / (elapsed * 1000), 0, 1000);
        _since += elapsed;
        _cpuSince = cpu;
        return true;
    }
}

/// <summary>
/// How much of the machine's CPU nobody used over a window, in thousandths of a core, from the first line of
/// <c>/proc/stat</c> (idle and iowait ticks). A second loop thread only helps when there is a core for it: where the
/// node's clients hold the other cores, it would take its time from them.
/// </summary>
internal sealed class MachineIdleMeter : IDisposable
{
    // USER_HZ, the unit of /proc/stat's counters, is 100 on every Linux the runtime supports.
    private const long TicksPerSecond = 100;

    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? _stat;
    private long _since;
    private long _idleSince;

    public MachineIdleMeter()
    {
        try
        {
            _stat = File.OpenHandle("/proc/stat");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        Restart();
    }

    public void Restart()
    {
        _since = Environment.TickCount64;
        _idleSince = ReadIdleTicks();
    }

    /// <summary>Idle cores since the last read, in thousandths; <see cref="int.MaxValue"/> when /proc/stat cannot be read.</summary>
    public int Read()
    {
        var idle = ReadIdleTicks();
        var now = Environment.TickCount64;
        var elapsed = now - _since;
        if (idle < 0 || _idleSince < 0 || elapsed <= 0)
        {
            _since = now;
            _idleSince = idle;
            return int.MaxValue;
        }

        var permille = (idle - _idleSince) * 1000 * 1000 / (elapsed * TicksPerSecond);
        _since = now;
        _idleSince = idle;
        return (int)Math.Clamp(permille, 0, int.MaxValue - 1);
    }

    private long ReadIdleTicks()
    {
        if (_stat is null)
        {
            return -1;
        }

        Span<byte> text = stackalloc byte[256];
        try
        {
            return ParseIdleTicks(text[..RandomAccess.Read(_stat, text, 0)]);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>
    /// The idle and iowait ticks of /proc/stat's first line, "cpu  user nice system idle iowait irq ...", the 4th and
    /// 5th numbers; -1 if the text does not start so.
    /// </summary>
    internal static long ParseIdleTicks(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOf((byte)'\n');
        var line = end >= 0 ? text[..end] : text;
        long idle = 0;
        var field = 0;
        var i = 0;
        while (i < line.Length && field < 6)
        {
            while (i < line.Length && line[i] == (byte)' ')
            {
                i++;
            }

            var start = i;
            while (i < line.Length && line[i] != (byte)' ')
            {
                i++;
            }

            var word = line[start..i];
            if (field == 0)
            {
                if (!word.SequenceEqual("cpu"u8))
                {
                    return -1;
                }
            }
            else if (!System.Buffers.Text.Utf8Parser.TryParse(word, out long value, out var used) || used != word.Length)
            {
                return -1;
            }
            else if (field >= 4)
            {
                idle += value;
            }

            field++;
        }

        return field == 6 ? idle : -1;
    }

    public void Dispose() => _stat?.Dispose();
}
