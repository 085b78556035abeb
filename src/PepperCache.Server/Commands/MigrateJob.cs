namespace PepperCache.Server.Commands;

/// <summary>What one MIGRATE sends, parsed and dumped on the connection's thread before any I/O starts.</summary>
internal sealed class MigrateJob
{
    public required string Host { get; init; }

    /// <summary>As Redis's atoi read it: anything outside 1..65535 fails as Redis's connect does, when writing.</summary>
    public required long Port { get; init; }

    /// <summary>The port argument as written: with <see cref="Host"/>, the name the connection is cached under, as Redis's.</summary>
    public required string PortText { get; init; }

    public required long Db { get; init; }

    /// <summary>Per connect, write and reply, as Redis's per-syscall timeout.</summary>
    public required TimeSpan Timeout { get; init; }

    public bool Copy { get; init; }

    public bool Replace { get; init; }

    /// <summary>AUTH2's user; null with AUTH or none.</summary>
    public byte[]? Username { get; init; }

    /// <summary>AUTH's or AUTH2's password; null: no AUTH is sent.</summary>
    public byte[]? Password { get; init; }

    /// <summary>The argument range the keys are in.</summary>
    public int FirstKey { get; init; }

    public int LastKey { get; init; }

    /// <summary>The keys found, with their TTL (ms, 0 for none) and DUMP payload.</summary>
    public IReadOnlyList<MigrateKey> Keys { get; set; } = [];
}

/// <summary>One key to send: RESTORE key ttl payload; its absolute expiry (-1: none) as dumped, for the delete after.</summary>
internal sealed record MigrateKey(byte[] Name, long Ttl, byte[] Payload, long ExpiresAt);
