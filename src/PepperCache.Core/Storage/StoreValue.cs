namespace PepperCache.Core.Storage;

/// <summary>
/// A value read from the store. It stays valid after the store has moved on (an entry a reader holds is shared, and
/// the value of a shared entry never changes: see <see cref="Entry"/>), so replies can be written from it outside any lock.
/// </summary>
public readonly struct StoreValue
{
    private readonly byte[]? _entry;

    /// <summary>The value of <paramref name="entry"/> with the expiry it carries now (read under the shard lock).</summary>
    internal StoreValue(byte[] entry)
        : this(entry, Entry.GetExpiresAt(entry))
    {
    }

    /// <summary>Under the shard lock: marks <paramref name="entry"/> shared, so no command changes its value in place any more.</summary>
    internal StoreValue(byte[] entry, long expiresAt)
    {
        Entry.Share(entry);
        _entry = entry;
        ExpiresAt = expiresAt;
    }

    private StoreValue(byte[] entry, bool share)
    {
        if (share)
        {
            Entry.Share(entry);
        }

        _entry = entry;
        ExpiresAt = Entry.GetExpiresAt(entry);
    }

    /// <summary>
    /// The value of <paramref name="entry"/> for use only while the shard lock is held (the sources of BITOP, PFMERGE,
    /// PFCOUNT): it does not pin the entry, so a later SETBIT or PFADD still changes it in place.
    /// </summary>
    internal static StoreValue Borrowed(byte[] entry) => new(entry, share: false);

    /// <summary>False for the default value (no key).</summary>
    public bool HasValue => _entry is not null;

    public ReadOnlySpan<byte> Span => _entry is null ? default : Entry.GetValue(_entry);

    public int Length => _entry is null ? 0 : Entry.GetValueLength(_entry);

    /// <summary>Absolute expiry in Unix milliseconds at the time of the read; 0 when the key does not expire.</summary>
    public long ExpiresAt { get; }

    internal byte[]? RawEntry => _entry;
}
