namespace PepperCache.Server.Persistence;

/// <summary>When the log's writes reach the disk (Redis's appendfsync).</summary>
internal enum FsyncPolicy
{
    /// <summary>A write is acknowledged only once its record is fsync'd (group commit).</summary>
    Always,

    /// <summary>fsync once a second in the background.</summary>
    EverySecond,

    /// <summary>Written promptly, flushed to disk when the OS chooses.</summary>
    No,
}

internal static class AofSettings
{
    public const string FileName = "appendonly.aof";

    /// <summary>Prefix of a rewrite's temporary file; leftovers of a crashed rewrite are deleted at start-up.</summary>
    public const string TempPrefix = "temp-rewriteaof-";

    public static bool TryParseFsync(string text, out FsyncPolicy policy)
    {
        switch (text.ToLowerInvariant())
        {
            case "always":
                policy = FsyncPolicy.Always;
                return true;
            case "everysec":
                policy = FsyncPolicy.EverySecond;
                return true;
            case "no":
                policy = FsyncPolicy.No;
                return true;
            default:
                policy = FsyncPolicy.EverySecond;
                return false;
        }
    }

    public static string Name(FsyncPolicy policy) => policy switch
    {
        FsyncPolicy.Always => "always",
        FsyncPolicy.No => "no",
        _ => "everysec",
    };
}
