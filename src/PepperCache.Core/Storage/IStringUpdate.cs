namespace PepperCache.Core.Storage;

/// <summary>
/// A change to one string value (SETBIT, BITFIELD, PFADD, PFCOUNT's cached count), run by
/// <see cref="KeyValueStore.UpdateString{TOperation}"/> under the key's shard lock. The operation reads the value in
/// <see cref="Prepare"/> and changes it in <see cref="Apply"/>: in place when the store can (Redis's cost, the bytes
/// changed), otherwise in a copy the store made.
/// </summary>
public interface IStringUpdate
{
    /// <summary>The new value's length, -1 to leave the value as it is, or -2 to leave it untouched (not even unshared).</summary>
    /// <param name="current">The value now; empty when the key is missing.</param>
    /// <param name="exists">False when the key is missing.</param>
    long Prepare(ReadOnlySpan<byte> current, bool exists);

    /// <summary>
    /// Changes <paramref name="value"/>, of the length Prepare gave: the current value cut or grown to that length,
    /// grown bytes zero. It may be the very bytes Prepare read, so read what you need in Prepare.
    /// </summary>
    void Apply(Span<byte> value);
}

/// <summary>
/// Work over the string values of several keys, optionally writing one of them (BITOP, PFMERGE, PFCOUNT of several
/// keys, LCS), run by <see cref="KeyValueStore.CombineStrings{TOperation}"/> with every involved shard locked.
/// </summary>
public interface IStringsOperation
{
    /// <summary>
    /// Under the locks. Returns the destination's new length, <see cref="KeyValueStore.DeleteDestination"/>, or
    /// <see cref="KeyValueStore.KeepDestination"/> (a read, or an error the operation records for its reply).
    /// </summary>
    /// <param name="sources">
    /// The source keys' values in order (default for a missing key), up to the first key that is not a string.
    /// </param>
    /// <param name="complete">False when a key that is not a string follows <paramref name="sources"/>.</param>
    long Prepare(ReadOnlySpan<StoreValue> sources, bool complete);

    /// <summary>Fills the destination's new value, uninitialized memory of the length Prepare gave.</summary>
    void Write(ReadOnlySpan<StoreValue> sources, Span<byte> target);

    /// <summary>
    /// True when the operation keeps a source's value to read after the locks are released (LCS): the sources are then
    /// pinned (a write copies them from then on). False when it reads them only in Prepare and Write.
    /// </summary>
    bool KeepsSources { get; }
}

/// <summary>What <see cref="KeyValueStore.UpdateString{TOperation}"/> did.</summary>
public enum StringUpdateResult
{
    /// <summary>The key was missing and stays missing.</summary>
    Missing,

    /// <summary>The key exists and its value was left as it was.</summary>
    Unchanged,

    /// <summary>The key existed and holds a new value.</summary>
    Changed,

    /// <summary>The key was missing and now holds a value.</summary>
    Created,
}

/// <summary>What COPY did.</summary>
public enum CopyResult
{
    Copied,
    NoSource,
    DestinationExists,
}
