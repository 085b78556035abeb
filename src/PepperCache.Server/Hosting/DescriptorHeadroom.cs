using System.IO.Enumeration;
using Microsoft.Win32.SafeHandles;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Keeps the process clear of its open-files limit. A .NET process with no descriptor left dies the next time the
/// runtime starts a thread (it needs a pipe: it prints "Out of memory." and aborts), so clients may not take the last ones.
/// </summary>
/// <remarks>
/// Two measures. Clients are admitted only while <see cref="Free"/> descriptors stay free: once a second the
/// descriptors in use are counted and the clients that fit are worked out from them
/// (<see cref="ClientLimits.DescriptorCap"/>), so files and sockets the node opens later are allowed for. And a few
/// descriptors are held back from the start (<see cref="SpareCount"/>, on /dev/null): should accept fail with EMFILE
/// all the same (a limit lowered under the running process, many admin connections), they are let go at once, so the
/// runtime has room while clients are refused; they are taken again once that many are free beyond the headroom.
/// </remarks>
internal sealed class DescriptorHeadroom : IDisposable
{
    /// <summary>Descriptors left free below the limit; Redis keeps 32 for itself too.</summary>
    public const int Free = OpenFilesLimit.ReservedHeadroom;

    /// <summary>Descriptors held back for the moment accept first fails.</summary>
    public const int SpareCount = 16;

    private readonly Lock _lock = new();
    private readonly List<SafeFileHandle> _spares = [];

    public DescriptorHeadroom() => Reserve();

    /// <summary>True while the spares are let go (after an EMFILE, until descriptors are plentiful again).</summary>
    public bool Released { get; private set; }

    /// <summary>Descriptors open now (entries of /proc/self/fd, counted without making a string per entry); 0 when unknown.</summary>
    public static int CountOpen()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            var entries = new FileSystemEnumerable<bool>("/proc/self/fd", static (ref FileSystemEntry _) => true);
            return entries.Count();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Works out how many clients fit now, given <paramref name="clients"/> connected: the limit, less the headroom,
    /// less every descriptor that is not a client's. Takes the spares back when there is room for them.
    /// </summary>
    public void Recount(ClientLimits limits, long clients)
    {
        var limit = OpenFilesLimit.Current;
        var open = CountOpen();
        if (limit == long.MaxValue || open == 0)
        {
            limits.DescriptorCap = long.MaxValue;
            return;
        }

        if (Released && limit - open >= Free + SpareCount)
        {
            Reserve();
            open = CountOpen();
        }

        // The spares count as in use: they are the runtime's, not the clients'.
        var spares = Released ? SpareCount : 0;
        limits.DescriptorCap = Math.Max(0, limit - Free - spares - (open - clients));
    }

    /// <summary>Lets the spares go: the runtime gets room at once.</summary>
    public void Release()
    {
        lock (_lock)
        {
            foreach (var spare in _spares)
            {
                spare.Dispose();
            }

            _spares.Clear();
            Released = true;
        }
    }

    public void Dispose() => Release();

    private void Reserve()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        lock (_lock)
        {
            try
            {
                while (_spares.Count < SpareCount)
                {
                    _spares.Add(File.OpenHandle("/dev/null"));
                }

                Released = false;
            }
            catch (IOException)
            {
                // Short of descriptors already: keep what was had, try again later.
            }
        }
    }
}
