namespace PepperCache.Client.Cluster;

/// <summary>How a <see cref="ClusterClient"/> connects and how far it follows redirects.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>Sent with AUTH on every new connection when set.</summary>
    public string? Password { get; init; }

    /// <summary>The ACL user for AUTH; null for the default user.</summary>
    public string? User { get; init; }

    /// <summary>
    /// How many MOVED/ASK replies one command may follow before the last one is returned as its reply. Redirects
    /// that keep coming mean the nodes disagree about the map (a migration in progress), not that one more hop helps.
    /// </summary>
    public int MaxRedirects { get; init; } = 16;
}
