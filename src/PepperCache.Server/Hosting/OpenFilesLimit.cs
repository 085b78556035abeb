using System.Runtime.InteropServices;

namespace PepperCache.Server.Hosting;

/// <summary>
/// The process's open-files limit (RLIMIT_NOFILE), which bounds how many clients a node can hold: each is a socket.
/// Linux only; elsewhere the limit is reported as unknown and left alone.
/// </summary>
internal static class OpenFilesLimit
{
    /// <summary>Redis's CONFIG_MIN_RESERVED_FDS: descriptors kept for the server's own files beyond those it has open.</summary>
    public const int ReservedHeadroom = 32;

    // RLIMIT_NOFILE on x86-64 and arm64 Linux.
    private const int NoFile = 7;

    /// <summary>What an attempt to raise the limit found and got.</summary>
    /// <param name="Before">The soft limit before (long.MaxValue when unknown or unlimited).</param>
    /// <param name="After">The soft limit after.</param>
    /// <param name="Error">Why setrlimit refused the full amount (strerror's text), or null.</param>
    internal readonly record struct Outcome(long Before, long After, string? Error);

    /// <summary>The soft limit now; long.MaxValue when unknown (not Linux) or unlimited.</summary>
    public static long Current => TryGet(out var limit) ? Clamp(limit.Current) : long.MaxValue;

    /// <summary>Descriptors the process has open now (entries of /proc/self/fd); 0 when it cannot tell.</summary>
    public static int CountOpen()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Raises the soft limit to <paramref name="wanted"/> if it is lower. Within the hard limit that always works; above
    /// it, both limits are raised, which only a privileged process may do (as Redis tries), and otherwise the soft
    /// limit goes as far as the hard one. The hard limit is never lowered.
    /// </summary>
    public static Outcome Raise(long wanted)
    {
        if (!TryGet(out var limit))
        {
            return new(long.MaxValue, long.MaxValue, null);
        }

        var before = Clamp(limit.Current);
        if (before >= wanted)
        {
            return new(before, before, null);
        }

        string? error = null;
        var hard = Clamp(limit.Maximum);
        if (!TrySet((ulong)wanted, Math.Max(limit.Maximum, (ulong)wanted)))
        {
            error = Marshal.GetLastPInvokeErrorMessage();
            if (hard > before)
            {
                TrySet(limit.Maximum, limit.Maximum);
            }
        }

        return new(before, Current, error);
    }

    private static bool TryGet(out RLimit limit)
    {
        limit = default;
        return OperatingSystem.IsLinux() && GetRLimit(NoFile, out limit) == 0;
    }

    private static bool TrySet(ulong current, ulong maximum)
    {
        var limit = new RLimit { Current = current, Maximum = maximum };
        return SetRLimit(NoFile, in limit) == 0;
    }

    // RLIM_INFINITY is all ones.
    private static long Clamp(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in this project for the struct argument.
    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, in RLimit limit);
#pragma warning restore SYSLIB1054
}
