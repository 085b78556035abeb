using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PepperCache.Server.Hosting;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Resp;

/// <summary>A node that cannot hold a single client within its open-files limit: Redis exits, and so does the node.</summary>
internal sealed class DescriptorLimitException(string message) : Exception(message);

/// <summary>
/// The per-client limits CONFIG SET can change: maxclients (held within the open-files limit, as Redis holds it),
/// the idle timeout, TCP keepalive and the output buffer limits. Read without a lock by every connection: each value
/// is one word or one immutable object.
/// </summary>
internal sealed class ClientLimits(PepperCacheOptions options)
{
    /// <summary>Clients served at once; the next one is told "max number of clients reached" and closed.</summary>
    public long MaxClients { get; set; } = options.MaxClients;

    /// <summary>
    /// Clients that fit in the open-files limit as last counted (<see cref="DescriptorHeadroom"/>, once a second and
    /// whenever accept runs out of descriptors); admission takes the lower of this and <see cref="MaxClients"/>.
    /// </summary>
    public long DescriptorCap { get; set; } = long.MaxValue;

    /// <summary>The most clients admitted now.</summary>
    public long Admissible => Math.Min(MaxClients, DescriptorCap);

    /// <summary>
    /// Descriptors kept back from clients: those the process had open when it started (a .NET node holds about 230, two
    /// per loaded assembly, where Redis holds a handful) plus Redis's 32 for files opened later.
    /// </summary>
    public int DescriptorReserve { get; set; } = OpenFilesLimit.ReservedHeadroom;

    /// <summary>Idle seconds before a normal client is closed (Redis's <c>timeout</c>); 0 = never.</summary>
    public long Timeout { get; set; } = options.Timeout;

    /// <summary>TCP keepalive of newly accepted clients, in seconds (Redis's <c>tcp-keepalive</c>); 0 = off.</summary>
    public long TcpKeepAlive { get; set; } = options.TcpKeepAlive;

    /// <summary>The output buffer limit of each client class (<c>client-output-buffer-limit</c>).</summary>
    public OutputBufferLimits OutputBuffer { get; set; } =
        OutputBufferLimits.TryParse(options.ClientOutputBufferLimit, OutputBufferLimits.Default, out var limits) is null ? limits : OutputBufferLimits.Default;

    /// <summary>Where the open-files warnings go; the node sets its own at start-up.</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>
    /// At start-up, as Redis's adjustOpenFilesLimit: raise the open-files limit to maxclients plus the reserve,
    /// and when the system will not allow that, serve fewer clients, saying so in Redis's words.
    /// </summary>
    /// <exception cref="DescriptorLimitException">Not even one client fits.</exception>
    public void AdjustAtStart()
    {
        DescriptorReserve = OpenFilesLimit.CountOpen() + OpenFilesLimit.ReservedHeadroom;
        var requested = MaxClients;
        var fits = Fit(requested, out var outcome);
        if (fits == requested)
        {
            if (outcome.After > outcome.Before)
            {
                Log.OpenFilesRaised(Logger, outcome.After, outcome.Before);
            }

            Log.OpenFilesLimit(Logger, outcome.After, requested, DescriptorReserve);
            return;
        }

        if (fits < 1)
        {
            throw new DescriptorLimitException(string.Create(
                CultureInfo.InvariantCulture,
                $"Your current 'ulimit -n' of {outcome.Before} is not enough for the server to start. Please increase your open file limit to at least {requested + DescriptorReserve}. Exiting."));
        }

        MaxClients = fits;
        WarnReduced(requested, fits, outcome);
    }

    /// <summary>
    /// CONFIG SET maxclients: a value the open-files limit cannot hold (after trying to raise it) is refused with
    /// Redis's reason, naming the most it can hold. Raising the limit happens while checking, which is harmless when
    /// another parameter of the same CONFIG SET is refused.
    /// </summary>
    public string? CheckMaxClients(long value)
    {
        var fits = Fit(value, out var outcome);
        if (fits == value)
        {
            if (outcome.After > outcome.Before)
            {
                Log.OpenFilesRaised(Logger, outcome.After, outcome.Before);
            }

            return null;
        }

        WarnReduced(value, fits, outcome);
        Log.MaxClientsRestored(Logger);
        return string.Create(CultureInfo.InvariantCulture, $"The operating system is not able to handle the specified number of clients, try with {fits}");
    }

    /// <summary>How many of <paramref name="wanted"/> clients the open-files limit can hold, after raising it if needed.</summary>
    private long Fit(long wanted, out OpenFilesLimit.Outcome outcome)
    {
        var needed = wanted > long.MaxValue - DescriptorReserve ? long.MaxValue : wanted + DescriptorReserve;
        outcome = OpenFilesLimit.Raise(needed);
        return outcome.After >= needed ? wanted : outcome.After - DescriptorReserve;
    }

    private void WarnReduced(long requested, long fits, OpenFilesLimit.Outcome outcome)
    {
        Log.MaxClientsNeedsDescriptors(Logger, requested, requested + DescriptorReserve);
        Log.CannotRaiseOpenFiles(Logger, requested + DescriptorReserve, outcome.Error ?? "the hard limit is lower");
        Log.MaxClientsReduced(Logger, outcome.After, fits);
    }
}
