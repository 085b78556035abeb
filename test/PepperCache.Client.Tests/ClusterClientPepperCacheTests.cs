using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>The ClusterClient contract against a 3-node PepperCache cluster.</summary>
[Collection("PepperCache Cluster")]
public sealed class ClusterClientPepperCacheTests(PepperCacheCluster cluster) : ClusterClientContract
{
    protected override IClusterEndpoint Cluster => cluster;
}
