using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>pepper-cli -c against a 3-node PepperCache cluster, and redis-cli -c beside it.</summary>
[Collection("PepperCache Cluster")]
public sealed class CliPepperCacheClusterTests(PepperCacheCluster cluster) : CliClusterContract
{
    protected override IClusterEndpoint Cluster => cluster;
}
