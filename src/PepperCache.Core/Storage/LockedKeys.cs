namespace PepperCache.Core.Storage;

/// <summary>
/// The keys an <see cref="IKeysOperation"/> may use while <see cref="KeyValueStore.ExecuteOnKeys{TOperation}"/> holds
/// their shard locks: reading any value, finding a collection of one type (WRONGTYPE otherwise), accounting for one
/// changed in place (deleting it when left empty), and storing a whole value. Every lookup is a use of the key (lazy
/// expiry, the access mark). Every check that can fail (the type) is made by a lookup, so an operation that looks up
/// all its keys before it changes any leaves the store as it was on WRONGTYPE.
/// </summary>
public readonly ref struct LockedKeys
{
    private readonly KeyValueStore _store;
    private readonly long _now;

    internal LockedKeys(KeyValueStore store, long now)
    {
        _store = store;
        _now = now;
    }

    /// <summary>
    /// The value at <paramref name="key"/>: false when missing; a string has a null <paramref name="value"/>. The object
    /// must not be changed through this (use <see cref="Find"/> and <see cref="Changed"/>, or <see cref="Store"/>).
    /// </summary>
    public bool TryRead(ReadOnlySpan<byte> key, out DataType type, out StoreObject? value) => _store.TryReadLocked(key, _now, out type, out value);

    /// <summary>The collection at <paramref name="key"/>, null when the key is missing; WRONGTYPE (thrown) for another type.</summary>
    public StoreObject? Find(ReadOnlySpan<byte> key, DataType type) => _store.FindLocked(key, type, _now);

    /// <summary>
    /// Accounts for a collection found by <see cref="Find"/> and changed since, which held <paramref name="heapBefore"/>
    /// heap bytes; deletes its key when it was left empty, as Redis deletes empty aggregates.
    /// </summary>
    public void Changed(ReadOnlySpan<byte> key, long heapBefore) => _store.ChangedLocked(key, heapBefore);

    /// <summary>
    /// Puts <paramref name="value"/> at <paramref name="key"/> in place of whatever it held (any type, any expiry), with
    /// no expiry (Redis's setKey, whose lookup is a use of the key); null or an empty collection deletes the key
    /// instead. Returns whether the key existed before.
    /// </summary>
    public bool Store(ReadOnlySpan<byte> key, StoreObject? value) => _store.StoreLocked(key, value, _now);
}
