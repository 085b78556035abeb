using System.Diagnostics;

namespace PepperCache.Server.Transport;

/// <summary>The first loop's wait for events: it polls a little before its thread sleeps (<see cref="WaitForEvents"/>).</summary>
internal sealed unsafe partial class EpollLoop
{
    // The first loop stops polling after this many polls in a row found nothing, and then polls once every
    // PollRetryBatches batches.
    private const int PollMissesBeforeBackOff = 8;
    private const int PollRetryBatches = 64;

    private readonly long _pollTicks;

    // Polls in a row that found nothing, and batches since polling stopped.
    private int _pollMisses;
    private int _pollSkips;

    /// <summary>
    /// The next batch of events. While it serves every set alone, the first loop polls for up to
    /// <see cref="EpollLoopScaling.IdlePollMicroseconds"/> before its thread sleeps, as the one thread of a busy node
    /// rarely waits longer for the next request: a request that finds the thread asleep costs its sender the wake-up.
    /// The polling is not load (<see cref="LoopThreadLoad.ExcludePolling"/>). Where polls keep finding nothing (a light
    /// load, or replies that wait for an fsync), the loop stops polling, and tries once every
    /// <see cref="PollRetryBatches"/> batches whether it pays again.
    /// </summary>
    private int WaitForEvents()
    {
        if (_stopping)
        {
            return LinuxNative.EpollWait(_epoll, _events, MaxEvents, 50);
        }

        if (_pollTicks > 0 && _host is null && _guestsAwake == 0 &&
            (_pollMisses < PollMissesBeforeBackOff || ++_pollSkips % PollRetryBatches == 0))
        {
            var start = Stopwatch.GetTimestamp();
            int count;
            do
            {
                count = LinuxNative.EpollWait(_epoll, _events, MaxEvents, 0);
            }
            while (count == 0 && Stopwatch.GetTimestamp() - start < _pollTicks);

            _load.ExcludePolling((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
            if (count != 0)
            {
                _pollMisses = 0;
                return count;
            }

            _pollMisses++;
        }

        return LinuxNative.EpollWait(_epoll, _events, MaxEvents, -1);
    }
}
