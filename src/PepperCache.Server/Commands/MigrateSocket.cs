using PepperCache.Client;

namespace PepperCache.Server.Commands;

/// <summary>One cached MIGRATE connection: Redis's migrateCachedSocket.</summary>
internal sealed class MigrateSocket(RespConnection connection)
{
    public RespConnection Connection { get; } = connection;

    /// <summary>The database the target has selected on it; -1 before any SELECT, or after the target replied an error.</summary>
    public long LastDb { get; set; } = -1;

    /// <summary>Unix seconds of the last use, as Redis's last_use_time.</summary>
    public long LastUse { get; set; }
}
