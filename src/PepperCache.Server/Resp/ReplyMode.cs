namespace PepperCache.Server.Resp;

/// <summary>CLIENT REPLY: which replies the connection sends (Redis's CLIENT_REPLY_OFF, _SKIP_NEXT and _SKIP flags).</summary>
internal enum ReplyMode
{
    On,

    /// <summary>No reply at all, errors included, until CLIENT REPLY ON (whose +OK is sent) or RESET.</summary>
    Off,

    /// <summary>CLIENT REPLY SKIP is running: the command after it is silenced.</summary>
    SkipNext,

    /// <summary>The command after CLIENT REPLY SKIP: its replies are dropped, then replies come back.</summary>
    Skip,
}
