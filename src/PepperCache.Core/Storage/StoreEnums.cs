namespace PepperCache.Core.Storage;

/// <summary>SET's NX / XX.</summary>
public enum SetCondition
{
    Always,
    IfNotExists,
    IfExists,
}

/// <summary>EXPIRE's NX / XX / GT / LT (Redis 7 semantics: a key without TTL counts as infinite TTL for GT/LT).</summary>
public enum ExpireCondition
{
    Always,
    IfNoExpiry,
    IfHasExpiry,
    IfGreater,
    IfLess,
    /// <summary>XX and LT together: only a key that has an expiry, and only to an earlier time.</summary>
    IfHasExpiryAndLess,
}

public enum IncrementResult
{
    Ok,
    /// <summary>ERR value is not an integer or out of range / ERR value is not a valid float.</summary>
    NotANumber,
    /// <summary>ERR increment or decrement would overflow / ERR increment would produce NaN or Infinity.</summary>
    Overflow,
}

public enum RenameResult
{
    Renamed,
    /// <summary>ERR no such key.</summary>
    NoSuchKey,
    /// <summary>RENAMENX only: the target exists, nothing changed.</summary>
    TargetExists,
}
