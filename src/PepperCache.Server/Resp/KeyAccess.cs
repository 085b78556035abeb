namespace PepperCache.Server.Resp;

/// <summary>
/// What a command does with a key, reduced to what ACL key patterns check: Redis's key-spec flags ACCESS (the value
/// is read or returned) and INSERT/DELETE/UPDATE (the key is changed). <c>%R~</c> patterns grant reads, <c>%W~</c>
/// writes, <c>~</c> both; a key a command neither reads nor changes (EXISTS, TYPE, STRLEN) only has to match some
/// pattern.
/// </summary>
[Flags]
internal enum KeyAccess
{
    None = 0,
    Read = 1 << 0,
    Write = 1 << 1,
    ReadWrite = Read | Write,
}

/// <summary>For a command whose key access depends on its arguments (SET with GET reads the old value).</summary>
internal delegate KeyAccess KeyAccessResolver(ArgumentView arguments);
