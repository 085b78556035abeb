using System.Runtime.InteropServices;

namespace PepperCache.Server.Hosting;

/// <summary>
/// SIGINT for a node started with it ignored: a non-interactive shell starts a background job (<c>node &amp;</c>) with
/// SIGINT and SIGQUIT ignored, the runtime then leaves SIGINT ignored, and <c>kill -INT</c> did nothing. Redis installs
/// its handler whatever it inherited, so it shuts down; so does a node once the disposition is the default again
/// before the host registers for the signal.
/// </summary>
internal static partial class InterruptSignal
{
    private const int SigInt = 2;

    // glibc's struct sigaction on x86-64 and arm64: the handler first, then the mask, flags and restorer (152 bytes).
    private const int SigactionSize = 152;

    private static readonly nint Ignore = 1;

    /// <summary>Makes an inherited "ignore SIGINT" the default disposition again; anything else is left as it is.</summary>
    public static unsafe void StopIgnoring()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var current = stackalloc byte[SigactionSize];
        if (Sigaction(SigInt, null, current) != 0 || *(nint*)current != Ignore)
        {
            return;
        }

        var fresh = stackalloc byte[SigactionSize];
        new Span<byte>(fresh, SigactionSize).Clear();
        _ = Sigaction(SigInt, fresh, null);
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static unsafe partial int Sigaction(int signal, byte* action, byte* previous);
}
