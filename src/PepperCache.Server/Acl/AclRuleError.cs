namespace PepperCache.Server.Acl;

/// <summary>Why an ACL rule could not be applied; each is one of Redis's errno values in ACLSetUser.</summary>
internal enum AclRuleError
{
    None,
    /// <summary>ENOENT.</summary>
    UnknownCommandOrCategory,
    /// <summary>EINVAL.</summary>
    Syntax,
    /// <summary>EEXIST.</summary>
    KeyPatternAfterAllKeys,
    /// <summary>EISDIR.</summary>
    ChannelAfterAllChannels,
    /// <summary>ENODEV.</summary>
    NoSuchPassword,
    /// <summary>EBADMSG.</summary>
    BadPasswordHash,
    /// <summary>ECHILD.</summary>
    FirstArgOfSubcommand,
}
