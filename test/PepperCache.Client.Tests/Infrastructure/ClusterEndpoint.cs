using PepperCache.Client.Cluster;

namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// A running cluster as the cluster tests see it: where to connect first. Tests written against this run unchanged
/// against a real Redis Cluster and a PepperCache cluster; only the fixture differs.
/// </summary>
public interface IClusterEndpoint
{
    /// <summary>Any node of the cluster (tests start there and are redirected from there).</summary>
    ClusterNode Seed { get; }
}
