namespace PepperCache.Core.Storage;

/// <summary>
/// A value read from the store. It stays valid after the store has moved on (entries are immutable once
/// published), so replies can be written from it outside any lock.
/// </summary>
public readonly struct StoreValue
{
    private readonly byte[]? _entry;

    /// <summary>The value of <paramref name="entry"/> with the expiry it carries now (read under the shard lock).</summary>
    internal StoreValue(byte[] entry)
        : this(entry, Entry.GetExpiresAt(entry))
    {
    }

    internal StoreValue(byte[] entry, long expiresAt)
    {
        _entry = entry;
        ExpiresAt = expiresAt;
    }

    /// <summary>False for the default value (no key).</summary>
    public bool HasValue => _entry is not null;

    public ReadOnlySpan<byte> Span => _entry is null ? default : Entry.GetValue(_entry);

    public int Length => _entry is null ? 0 : _entry.Length - Entry.GetValueOffset(_entry);

    /// <summary>Absolute expiry in Unix milliseconds at the time of the read; 0 when the key does not expire.</summary>
    public long ExpiresAt { get; }

    internal byte[]? RawEntry => _entry;
}
