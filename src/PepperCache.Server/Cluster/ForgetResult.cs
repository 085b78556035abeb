namespace PepperCache.Server.Cluster;

/// <summary>What <see cref="ClusterState.Forget"/> did.</summary>
internal enum ForgetResult
{
    Forgotten,
    Unknown,
    Myself,
    Serving,
    OwnsSlots,
}
