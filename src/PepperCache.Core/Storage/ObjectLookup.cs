namespace PepperCache.Core.Storage;

/// <summary>
/// The keys an <see cref="IMultiObjectOperation"/> may use, while <see cref="KeyValueStore.ExecuteMany{TOperation}"/>
/// holds their shard locks: finding a collection (lazy expiry, the access mark, WRONGTYPE), accounting for one changed
/// in place (and deleting it when left empty), and storing a whole value. Every check that can fail (the type) is
/// made by <see cref="Find"/>, so an operation finds all its keys before it changes any, and a WRONGTYPE leaves the
/// store as it was.
/// </summary>
public readonly ref struct ObjectLookup
{
    private readonly KeyValueStore _store;
    private readonly long _now;

    internal ObjectLookup(KeyValueStore store, long now)
    {
        _store = store;
        _now = now;
    }

    /// <summary>The collection at <paramref name="key"/>, null when the key is missing; WRONGTYPE (thrown) for another type.</summary>
    public StoreObject? Find(ReadOnlySpan<byte> key, DataType type) => _store.FindLocked(key, type, _now);

    /// <summary>
    /// Accounts for a collection found by <see cref="Find"/> and changed since, which held <paramref name="heapBefore"/>
    /// heap bytes; deletes its key when it was left empty, as Redis deletes empty aggregates.
    /// </summary>
    public void Changed(ReadOnlySpan<byte> key, long heapBefore) => _store.ChangedLocked(key, heapBefore);

    /// <summary>
    /// Puts <paramref name="value"/> at <paramref name="key"/> in place of whatever it held, with no expiry (Redis's
    /// setKey); null or an empty collection deletes the key instead. Returns whether the key existed before.
    /// </summary>
    public bool Store(ReadOnlySpan<byte> key, StoreObject? value) => _store.StoreLocked(key, value, _now);
}
