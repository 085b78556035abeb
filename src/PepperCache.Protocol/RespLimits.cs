namespace PepperCache.Protocol;

/// <summary>
/// Parser limits, Redis's defaults. Checked while parsing so a claimed size never allocates up front. Immutable, so
/// <see cref="Default"/> can be shared: a server that changes a limit while it runs (CONFIG SET proto-max-bulk-len)
/// makes a new instance (<c>limits with { MaxBulkLength = n }</c>) and hands it to its connections.
/// </summary>
public sealed record RespLimits
{
    /// <summary>Largest bulk string accepted (<c>proto-max-bulk-len</c>, 512 MB).</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// Largest multibulk element count: 1,048,576, the limit PepperCache promises (and Redis 6.x's). Redis 7.0
    /// refuses only counts above INT_MAX; we keep the tighter bound because a command with more arguments than this
    /// is almost certainly a runaway client. A claimed count costs nothing until its arguments arrive either way,
    /// since the parser never allocates from it.
    /// </summary>
    public int MaxArguments { get; init; } = 1024 * 1024;

    /// <summary>Longest inline command, and longest <c>*N</c>/<c>$N</c> header line, before the client is cut off (64 KB).</summary>
    public int MaxInlineLength { get; init; } = 64 * 1024;

    /// <summary>
    /// Most unparsed bytes one connection may hold (Redis's <c>client-query-buffer-limit</c>, 1 GB). A client past it
    /// is disconnected, as Redis does, so no client can make the server buffer without bound.
    /// </summary>
    public long MaxQueryBufferLength { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Most arguments a command of a client that must authenticate and has not may claim (Redis 7.0's 10).</summary>
    public const int MaxUnauthenticatedArguments = 10;

    /// <summary>Longest argument such a client may claim (Redis 7.0's 16 KB).</summary>
    public const int MaxUnauthenticatedBulkLength = 16 * 1024;

    /// <summary>Redis's defaults, for parsers that are given no limits.</summary>
    public static RespLimits Default { get; } = new();
}
