namespace PepperCache.Server.Commands;

/// <summary>
/// How a MIGRATE transfer ended: the keys the target accepted (deleted here without COPY, even when a later one
/// failed, as Redis does, unless changed meanwhile), the first error the target replied, and an I/O failure.
/// </summary>
internal sealed record MigrateOutcome(bool Copy, IReadOnlyList<MigrateKey> Accepted, string? TargetError, MigrateFailure Failure);

/// <summary>Which of Redis's IOERR replies: the host did not resolve (connecting), or a write or read failed or timed out.</summary>
internal enum MigrateFailure
{
    None,
    Connecting,
    Writing,
    Reading,
}
