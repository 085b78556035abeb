namespace PepperCache.Server.Commands;

/// <summary>How CONFIG SET treats a parameter it knows.</summary>
internal enum ConfigMutability
{
    Mutable,
    /// <summary>"can't set immutable config": fixed at start-up.</summary>
    Immutable,
    /// <summary>"can't set protected config": paths on disk, refused as Redis refuses them by default.</summary>
    Protected,
}
