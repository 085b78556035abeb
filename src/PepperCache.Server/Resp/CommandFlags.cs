namespace PepperCache.Server.Resp;

/// <summary>Command properties, named as Redis names them in COMMAND output.</summary>
[Flags]
internal enum CommandFlags
{
    None = 0,
    /// <summary>Changes data: logged to the AOF, refused when writes are refused.</summary>
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    /// <summary>May allocate memory (SET, APPEND...).</summary>
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    /// <summary>O(1) or O(log N).</summary>
    Fast = 1 << 4,
    /// <summary>Works during loading.</summary>
    Loading = 1 << 5,
    Stale = 1 << 6,
    NoScript = 1 << 7,
    /// <summary>Allowed before authentication.</summary>
    NoAuth = 1 << 8,
    /// <summary>Replies may differ between calls with the same arguments (KEYS, SCAN, RANDOMKEY...).</summary>
    Random = 1 << 9,
    AllowBusy = 1 << 10,
    /// <summary>May block the client (BLPOP, BZPOPMIN...): COMMAND's <c>blocking</c>, ACL category <c>@blocking</c>.</summary>
    Blocking = 1 << 11,
    /// <summary>Refused while a replica loads its data asynchronously (Redis's no_async_loading); reported by COMMAND.</summary>
    NoAsyncLoading = 1 << 12,
    /// <summary>Refused inside MULTI (Redis's no_multi: SHUTDOWN...); reported by COMMAND.</summary>
    NoMulti = 1 << 13,
}
