namespace PepperCache.Server.Transport;

/// <summary>A loop thread's CPU share of one core over a window, from the thread's own CPU clock.</summary>
internal struct LoopThreadLoad
{
    private long _since;
    private long _cpuSince;
    private long _polledNanoseconds;

    /// <summary>Starts a window; call on the measured thread.</summary>
    public void Restart()
    {
        _since = Environment.TickCount64;
        _cpuSince = LinuxNative.ThreadCpuNanoseconds();
        _polledNanoseconds = 0;
    }

    /// <summary>
    /// Leaves out of the window's share time the thread spent polling for events it did not find: that CPU is the
    /// loop's choice, not load, and counted it would wake other loops for nothing.
    /// </summary>
    public void ExcludePolling(long nanoseconds) => _polledNanoseconds += nanoseconds;

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
        permille = (int)Math.Clamp((cpu - _cpuSince - _polledNanoseconds) / (elapsed * 1000), 0, 1000);
        _since += elapsed;
        _cpuSince = cpu;
        _polledNanoseconds = 0;
        return true;
    }
}
