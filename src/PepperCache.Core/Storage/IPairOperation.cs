namespace PepperCache.Core.Storage;

/// <summary>Work on two keys' collections, run by <see cref="KeyValueStore.ExecutePair{TOperation}"/> under both shard locks.</summary>
public interface IPairOperation
{
    /// <summary>The empty collection to create at a missing destination (only asked when the source exists).</summary>
    StoreObject CreateDestination();

    /// <summary>Both collections (the same one when the keys are equal); both null when the source is missing.</summary>
    void Apply(StoreObject? source, StoreObject? destination);
}
