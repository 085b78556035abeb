namespace PepperCache.Server.Acl;

/// <summary>One key pattern of a user: the glob, and whether it grants reads, writes or both (<c>%R~</c>, <c>%W~</c>, <c>~</c>).</summary>
internal sealed record AclKeyPattern(string Pattern, Resp.KeyAccess Access)
{
    /// <summary>The pattern's bytes (ACL text is Latin-1: one char per byte), matched against key bytes.</summary>
    public byte[] Bytes { get; } = AclText.Bytes(Pattern);

    /// <summary>As ACL LIST writes it.</summary>
    public override string ToString() => Access switch
    {
        Resp.KeyAccess.ReadWrite => "~" + Pattern,
        Resp.KeyAccess.Read => "%R~" + Pattern,
        _ => "%W~" + Pattern,
    };
}
