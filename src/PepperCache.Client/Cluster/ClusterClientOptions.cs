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

    /// <summary>
    /// How many times a command whose node cannot be reached (connection refused, or reset again after the resend)
    /// is routed afresh: the slot map is reloaded from another known node and the command goes to the owner it names.
    /// A node that left the cluster is then no longer asked. Only in cluster mode; a lone server has no other node.
    /// </summary>
    public int MaxConnectionRetries { get; init; } = 3;

    /// <summary>
    /// How long to wait before the next attempt, times the attempt number, when the reloaded map still names the
    /// node that could not be reached (the cluster has not noticed yet that it is gone).
    /// </summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The least time between two background reloads of the slot map that MOVED replies ask for. During a rebalance
    /// every command on a moved slot says MOVED; each one already fixes its own slot at once, and reloading the
    /// whole map (about 1 MB from a PepperCache node) after each was the client's main cost. Zero reloads every time.
    /// </summary>
    public TimeSpan MinRefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The clock for <see cref="MinRefreshInterval"/> and <see cref="RetryDelay"/>; tests pass a fake one to step
    /// time instead of waiting for it.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
