namespace PepperCache.Server.Cluster;

/// <summary>Where a node's start-up exchange with its cluster stands (see <see cref="GossipService.Join"/>).</summary>
internal enum StartupJoin
{
    /// <summary>Not started yet, joining through the seed, or asking the old peers of a returning node.</summary>
    Pending,

    /// <summary>Joined, returned (with whatever answer the old peers gave), or founded a cluster of one.</summary>
    Done,

    /// <summary>Every join attempt through the seed failed: the node runs alone, which is not what it was asked to do.</summary>
    GaveUp,
}
