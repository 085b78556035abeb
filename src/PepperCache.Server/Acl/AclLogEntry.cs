namespace PepperCache.Server.Acl;

/// <summary>Why an ACL LOG entry was written (Redis's "reason" field).</summary>
internal enum AclLogReason
{
    Command,
    Key,
    Channel,
    Auth,
}

/// <summary>One ACL LOG entry; similar events within a minute add to its count instead of making a new one.</summary>
internal sealed class AclLogEntry(AclLogReason reason, string context, string obj, string username, long time, string clientInfo)
{
    public long Count { get; set; } = 1;

    public AclLogReason Reason { get; } = reason;

    /// <summary>"toplevel" (PepperCache has no MULTI, scripts or modules).</summary>
    public string Context { get; } = context;

    /// <summary>The command's full name, the key, or for a failed AUTH the command as typed (AUTH, HELLO).</summary>
    public string Object { get; } = obj;

    public string Username { get; } = username;

    /// <summary>Unix ms of the last event counted here.</summary>
    public long Time { get; set; } = time;

    /// <summary>CLIENT LIST's line for the client of the last event.</summary>
    public string ClientInfo { get; set; } = clientInfo;

    public string ReasonName => Reason switch
    {
        AclLogReason.Command => "command",
        AclLogReason.Key => "key",
        AclLogReason.Channel => "channel",
        _ => "auth",
    };
}
