namespace PepperCache.Server.Transport;

/// <summary>
/// A light load runs on one thread (<see cref="EpollLoopScaling"/>). The first loop is the host: a guest loop's epoll
/// set sits in the host's set, so the host's wait also wakes for the guest's sockets, and the host then serves one
/// batch of the guest's set on its own thread. The guest's thread meanwhile sleeps. Exactly one thread serves a set at
/// any time, because each hand-over happens between two batches of the thread giving the set up: the host takes the
/// guest's set out of its own before it wakes the guest's thread, and a guest puts its set into the host's only as the
/// last thing before its thread sleeps.
/// </summary>
internal sealed unsafe partial class EpollLoop
{
    // epoll data below this is a guest loop's set (its index); connections carry a GCHandle, far above.
    private const ulong GuestDataLimit = 4096;

    private readonly EpollLoopScaling _scaling;
    private readonly EpollLoop? _host;
    private readonly SemaphoreSlim _woken = new(0);

    // The host's: its guests by index (null at its own), and its gate for hand-overs.
    private readonly EpollLoop?[] _guests;
    private readonly Lock _handOverGate = new();

    // The host's: the machine's idle CPU, and how many of its windows in a row called for another thread.
    private readonly MachineIdleMeter? _machine;
    private volatile int _idlePermille = int.MaxValue;
    private int _hotWindows;

    private LoopThreadLoad _load;
    private volatile int _loadPermille;
    private volatile bool _guest;

    // The host's: sets handed from one thread to another, either way; and how many guests run on their own threads.
    private int _handOvers;
    private volatile int _guestsAwake;

    /// <summary>How many times a set went from one thread to another (the host's count).</summary>
    internal int HandOvers => Volatile.Read(ref _handOvers);

    /// <summary>Whether this loop's own thread serves its set now (always for the first loop).</summary>
    internal bool OnOwnThread => !_guest;

    /// <summary>Nests a new loop's set in this one's before the loop's thread starts; the guest starts asleep.</summary>
    private void Adopt(EpollLoop guest)
    {
        lock (_handOverGate)
        {
            _guests[guest._index] = guest;
            if (!_stopping && LinuxNative.Control(_epoll, LinuxNative.EpollCtlAdd, guest._epoll, LinuxNative.EpollIn, (ulong)guest._index) == 0)
            {
                guest._guest = true;
            }
        }
    }

    /// <summary>One batch of this guest's set, on the host's thread: the same steps as a turn of its own loop.</summary>
    private void ServeAsGuest()
    {
        ReleaseClosing(removeFromEpoll: true);
        var count = LinuxNative.EpollWait(_epoll, _events, MaxEvents, 0);
        if (count < 0)
        {
            FailUnlessInterrupted();
            return;
        }

        // A connection closed after the release above woke the set; it is let go now, not at the set's next event.
        if (DispatchBatch(count))
        {
            ReleaseClosing(removeFromEpoll: true);
        }
    }

    /// <summary>Between two batches: the host wakes a guest when it is busy; a guest hands its set back when both are idle enough.</summary>
    private void Rescale()
    {
        if (_host is null)
        {
            if (_machine is not null && _load.TryRead(_scaling.HostWindowMilliseconds, out var hostLoad))
            {
                var idle = _machine.Read();
                _loadPermille = hostLoad;
                _idlePermille = idle;
                _hotWindows = hostLoad >= _scaling.WakeAtPermille && idle >= _scaling.WakeIdleAtPermille ? _hotWindows + 1 : 0;
                if (_hotWindows >= 2)
                {
                    _hotWindows = 0;
                    WakeOneGuest();
                }
            }
        }
        else if (_load.TryRead(_scaling.GuestWindowMilliseconds, out var load))
        {
            var together = load + _host._loadPermille;
            if (together < _scaling.MergeBelowPermille ||
                (_host._idlePermille < _scaling.MergeIdleBelowPermille && together < _scaling.MergeBusyBelowPermille))
            {
                BecomeGuest();
            }
        }
    }

    private void WakeOneGuest()
    {
        lock (_handOverGate)
        {
            foreach (var guest in _guests)
            {
                if (guest is { _guest: true })
                {
                    HandBack(guest);
                    return;
                }
            }
        }
    }

    /// <summary>The stopping host gives every guest its set back, so each stops its own connections on its own thread.</summary>
    private void ReturnGuests()
    {
        lock (_handOverGate)
        {
            foreach (var guest in _guests)
            {
                if (guest is { _guest: true })
                {
                    HandBack(guest);
                }
            }
        }
    }

    // Gives a guest its set back and wakes its thread; on the host's thread, between its batches, under the hand-over
    // gate: after the DEL the host cannot serve the guest's set again, so the guest's thread may.
    private void HandBack(EpollLoop guest)
    {
        LinuxNative.Control(_epoll, LinuxNative.EpollCtlDel, guest._epoll, 0, 0);
        guest._guest = false;
        _guestsAwake++;
        Interlocked.Increment(ref _handOvers);
        guest._woken.Release();
    }

    /// <summary>On the guest's own thread between batches: nests its set in the host's, then sleeps until woken.</summary>
    private void BecomeGuest()
    {
        var host = _host!;
        lock (host._handOverGate)
        {
            // A stopping host hands no set back any more: stay on the own thread.
            if (host._stopping || _stopping ||
                LinuxNative.Control(host._epoll, LinuxNative.EpollCtlAdd, _epoll, LinuxNative.EpollIn, (ulong)_index) != 0)
            {
                return;
            }

            _guest = true;
            host._guestsAwake--;
            Interlocked.Increment(ref host._handOvers);
        }

        // From here the host may be serving the set: this thread touches none of it until it is woken.
        ParkWhileGuest();
    }

    private void ParkWhileGuest()
    {
        while (_guest)
        {
            _woken.Wait();
        }

        _load.Restart();
    }
}
