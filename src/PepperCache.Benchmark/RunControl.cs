using System.Diagnostics;

namespace PepperCache.Benchmark;

/// <summary>
/// Hands out work to the clients of one run: a shared request budget (-n) or a deadline (--duration), and a stop
/// switch for failures. Every client loop ends when <see cref="Claim"/> returns 0.
/// </summary>
internal sealed class RunControl
{
    private readonly long _deadline;
    private readonly bool _byCount;
    private long _remaining;
    private volatile bool _stopped;

    public RunControl(long requests, TimeSpan? duration)
    {
        _byCount = duration is null;
        _remaining = requests;
        _deadline = duration is { } d ? Stopwatch.GetTimestamp() + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
    }

    public bool IsStopped => _stopped;

    public void Stop() => _stopped = true;

    /// <summary>How many requests the caller may send in its next batch (at most <paramref name="batch"/>); 0 to end.</summary>
    public int Claim(int batch)
    {
        if (_stopped)
        {
            return 0;
        }

        if (!_byCount)
        {
            return Stopwatch.GetTimestamp() < _deadline ? batch : 0;
        }

        var left = Interlocked.Add(ref _remaining, -batch);
        return left >= 0 ? batch : (int)Math.Max(0, batch + left);
    }
}
