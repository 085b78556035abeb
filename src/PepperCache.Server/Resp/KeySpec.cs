using System.Buffers.Text;
using System.Text;

namespace PepperCache.Server.Resp;

/// <summary>
/// Where some of a command's keys are and what the command does with them: Redis 7's key spec, a begin search (an
/// index, or the argument after a keyword) followed by a find-keys rule (a range, or a count argument followed by
/// that many keys). One spec per group of keys that are treated alike: RENAME has two (the source read and deleted,
/// the destination written), ZUNIONSTORE two (the destination, then <c>numkeys</c> sources). Cluster routing, slot
/// freezes, ACL key patterns and COMMAND GETKEYS/INFO all read keys through these.
/// </summary>
internal sealed record KeySpec
{
    /// <summary>
    /// What ACL key patterns check for these keys (<c>%R~</c>, <c>%W~</c>): from <see cref="Flags"/> when they are
    /// declared, as Redis's ACL reads them (<c>access</c> is a read; <c>insert</c>, <c>update</c>, <c>delete</c> a write).
    /// </summary>
    public KeyAccess Access
    {
        get => _flags is null ? _access : _flagAccess;
        init => _access = value;
    }

    /// <summary>Redis's key-spec flags for COMMAND INFO (RW/RO/OW/RM, access/update/insert/delete...); derived when null.</summary>
    public IReadOnlyList<string>? Flags
    {
        get => _flags;
        init
        {
            _flags = value;
            _flagAccess = value is null ? KeyAccess.None : AccessOf(value);
        }
    }

    /// <summary>Free text Redis shows beside some specs (SET's "RW and ACCESS due to the optional `GET` argument").</summary>
    public string? Notes { get; init; }

    private readonly KeyAccess _access;
    private readonly IReadOnlyList<string>? _flags;
    private readonly KeyAccess _flagAccess;

    /// <summary>Begin search by index: the argument the keys start at.</summary>
    public int Index { get; init; }

    /// <summary>Begin search by keyword (GEORADIUS's STORE): the keys start after it; not found means no keys.</summary>
    public string? Keyword
    {
        get => _keyword;
        init
        {
            _keyword = value;
            _keywordBytes = value is null ? null : Encoding.ASCII.GetBytes(value);
        }
    }

    private readonly string? _keyword;
    private readonly byte[]? _keywordBytes;

    /// <summary>Where the keyword search starts: an index, or counted from the end (then searching backwards) when negative.</summary>
    public int StartFrom { get; init; }

    /// <summary>Range: the last key relative to the begin, or counted from the end of the arguments when negative.</summary>
    public int LastKey { get; init; }

    public int KeyStep { get; init; } = 1;

    /// <summary>Range with a negative <see cref="LastKey"/>: only the first 1/limit of the remaining arguments (0 = all).</summary>
    public int Limit { get; init; }

    /// <summary>Key-number find: the count's position relative to the begin; negative for a range spec.</summary>
    public int KeyNumIndex { get; init; } = -1;

    /// <summary>Key-number find: the first key's position relative to the begin.</summary>
    public int FirstKey { get; init; }

    public bool IsKeyNum => KeyNumIndex >= 0;

    /// <summary>
    /// Redis's "unknown" begin search and find keys: the command's own rule finds these keys (its getkeys proc, as
    /// SORT's STORE, which may come anywhere among options that take values), or finds none where the names come from
    /// values rather than arguments (SORT's BY and GET patterns).
    /// </summary>
    public Func<ArgumentView, KeyRange>? Finder { get; init; }

    /// <summary>
    /// Redis's getkeys proc for a spec it declares but marks <c>incomplete</c> (MIGRATE's KEYS): COMMAND INFO shows
    /// the spec as declared, while routing, freezes and ACL checks find the keys with this, as Redis's do.
    /// </summary>
    public Func<ArgumentView, KeyRange>? GetKeys { get; init; }

    /// <summary>Whether the key positions depend on the arguments (Redis's <c>movablekeys</c>).</summary>
    public bool IsMovable => IsKeyNum || Keyword is not null || Finder is not null;

    /// <summary>Keys from <paramref name="index"/> to <paramref name="lastKey"/> (relative; negative from the end) every <paramref name="step"/>.</summary>
    public static KeySpec Range(int index, int lastKey, int step, KeyAccess access, params string[] flags) =>
        new() { Index = index, LastKey = lastKey, KeyStep = step, Access = access, Flags = flags.Length == 0 ? null : flags };

    /// <summary>A count at <paramref name="index"/> + <paramref name="keyNumIndex"/>, keys from <paramref name="index"/> + <paramref name="firstKey"/>.</summary>
    public static KeySpec KeyNum(int index, int keyNumIndex, int firstKey, KeyAccess access, params string[] flags) =>
        new() { Index = index, KeyNumIndex = keyNumIndex, FirstKey = firstKey, Access = access, Flags = flags.Length == 0 ? null : flags };

    /// <summary>The key (or keys, per <paramref name="lastKey"/>) after <paramref name="keyword"/>, searched from <paramref name="startFrom"/>.</summary>
    public static KeySpec AfterKeyword(string keyword, int startFrom, int lastKey, KeyAccess access, params string[] flags) =>
        new() { Keyword = keyword, StartFrom = startFrom, LastKey = lastKey, Access = access, Flags = flags.Length == 0 ? null : flags };

    /// <summary>Keys found by <paramref name="finder"/> (see <see cref="Finder"/>), shown as Redis's "unknown" spec with its notes.</summary>
    public static KeySpec Unknown(Func<ArgumentView, KeyRange> finder, string notes, KeyAccess access, params string[] flags) =>
        new() { Finder = finder, Notes = notes, Access = access, Flags = flags.Length == 0 ? null : flags };

    /// <summary>Redis's key-spec flags for a spec declared only by what it does with its keys.</summary>
    public static IReadOnlyList<string> DefaultFlags(KeyAccess access, bool write) => access switch
    {
        KeyAccess.ReadWrite => ["RW", "access", "update"],
        KeyAccess.Write => ["RW", "update"],
        KeyAccess.Read => write ? ["RW", "access"] : ["RO", "access"],
        _ => write ? ["RW"] : ["RO"],
    };

    /// <summary>Redis's ACL reading of key-spec flags: <c>access</c> needs read permission, a change needs write permission.</summary>
    public static KeyAccess AccessOf(IReadOnlyList<string> flags)
    {
        var access = KeyAccess.None;
        foreach (var flag in flags)
        {
            access |= flag switch
            {
                "access" => KeyAccess.Read,
                "insert" or "update" or "delete" => KeyAccess.Write,
                _ => KeyAccess.None,
            };
        }

        return access;
    }

    /// <summary>
    /// The argument range of these keys in <paramref name="arguments"/>, as Redis's getKeysUsingKeySpecs finds it:
    /// <see cref="KeyRange.Invalid"/> when the arguments contradict the spec (a count that is not a number, or keys
    /// past the end): then the command has no keys at all and runs here to answer its own syntax error, as in Redis.
    /// </summary>
    public KeyRange Resolve(ArgumentView arguments)
    {
        if ((Finder ?? GetKeys) is { } finder)
        {
            return finder(arguments);
        }

        var count = arguments.Count;
        int first;
        if (Keyword is null)
        {
            first = Index;
        }
        else if (FindKeyword(arguments) is var found and > 0)
        {
            first = found + 1;
        }
        else
        {
            return KeyRange.None;
        }

        int last;
        var step = KeyStep;
        if (IsKeyNum)
        {
            var at = first + KeyNumIndex;
            if (at >= count || !Utf8Parser.TryParse(arguments[at], out long keys, out var consumed) ||
                consumed != arguments[at].Length || keys < 0 || keys > int.MaxValue)
            {
                return KeyRange.Invalid;
            }

            first += FirstKey;
            last = (int)Math.Min(int.MaxValue, first + keys - 1);
        }
        else if (LastKey >= 0)
        {
            last = first + LastKey;
        }
        else
        {
            last = Limit == 0 ? count + LastKey : first + ((count - first) / Limit) + LastKey;
        }

        return last >= count || last < first || first >= count ? KeyRange.Invalid : new KeyRange(first, last, Math.Max(1, step));
    }

    private int FindKeyword(ArgumentView arguments)
    {
        var count = arguments.Count;
        var keyword = _keywordBytes!;
        if (StartFrom > 0)
        {
            // As Redis: a keyword in the last argument has no key after it and does not count.
            for (var i = StartFrom; i < count - 1; i++)
            {
                if (Ascii.EqualsIgnoreCase(arguments[i], keyword))
                {
                    return i;
                }
            }
        }
        else
        {
            for (var i = count + StartFrom; i > 0; i--)
            {
                if (Ascii.EqualsIgnoreCase(arguments[i], keyword))
                {
                    return i;
                }
            }
        }

        return 0;
    }
}

/// <summary>Argument indexes <see cref="First"/> to <see cref="Last"/> every <see cref="Step"/>; empty when Last &lt; First.</summary>
internal readonly record struct KeyRange(int First, int Last, int Step)
{
    /// <summary>No keys here (a keyword not present), the command's other keys still count.</summary>
    public static KeyRange None => new(0, -1, 1);

    /// <summary>The arguments contradict the spec: the command has no keys at all.</summary>
    public static KeyRange Invalid => new(-1, -2, 1);

    public bool IsInvalid => First < 0;
}
