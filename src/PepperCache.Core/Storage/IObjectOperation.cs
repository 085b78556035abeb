namespace PepperCache.Core.Storage;

/// <summary>
/// One command's work on one key's collection, run by <see cref="KeyValueStore.Execute{TOperation}"/> under the key's
/// shard lock. A struct, so a command costs no allocation to describe; it may carry the connection's reply writer and
/// write its reply from inside (copying a collection out would cost more than writing it).
/// </summary>
public interface IObjectOperation
{
    /// <summary>
    /// The empty collection to create when the key does not exist, or null to leave it missing (a read, or a
    /// removal). Called under the lock, only when the key is missing.
    /// </summary>
    StoreObject? CreateIfMissing();

    /// <summary>
    /// Works on the key's collection: null when the key is missing and nothing was created. The store then deletes
    /// a collection left empty, as Redis deletes empty aggregates, and accounts for any change in its heap bytes.
    /// </summary>
    void Apply(StoreObject? value);
}
