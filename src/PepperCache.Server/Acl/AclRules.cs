using System.Security.Cryptography;

namespace PepperCache.Server.Acl;

/// <summary>
/// Everything a user is: Redis's user flags and passwords plus its root selector (key patterns, channel patterns and
/// the commands bitmap). A published instance is never changed: ACL SETUSER applies its rules to a copy
/// (<see cref="Clone"/>) and the user then points at the copy, so a connection reads its user's rules with one
/// reference read, no lock.
/// </summary>
internal sealed partial class AclRules
{
    private ulong[] _allowed;

    private AclRules(int bitCount) => _allowed = new ulong[(bitCount + 63) / 64];

    /// <summary>"on": the user may authenticate. A user is either on or off.</summary>
    public bool Enabled { get; private set; }

    /// <summary>"nopass": any password authenticates (the default user's state when requirepass is not set).</summary>
    public bool NoPass { get; private set; }

    /// <summary>"sanitize-payload" / "skip-sanitize-payload": stored and shown; PepperCache has no RESTORE to sanitize.</summary>
    public bool SanitizePayload { get; private set; }

    public bool SkipSanitizePayload { get; private set; }

    /// <summary>SHA-256 of each password, as lowercase hex (what ACL LIST shows after '#').</summary>
    public List<string> Passwords { get; private set; } = [];

    /// <summary>The same hashes as bytes, compared in constant time.</summary>
    public List<byte[]> PasswordHashes { get; private set; } = [];

    /// <summary>"allkeys" / "~*": every key, so key patterns are not checked.</summary>
    public bool AllKeys { get; private set; }

    public List<AclKeyPattern> KeyPatterns { get; private set; } = [];

    /// <summary>"allchannels" / "&amp;*". No command takes a channel yet: the patterns are kept and shown only.</summary>
    public bool AllChannels { get; private set; }

    public List<string> Channels { get; private set; } = [];

    /// <summary>"allcommands" / "+@all" with nothing removed since: the bitmap is not consulted.</summary>
    public bool AllCommands { get; private set; }

    /// <summary>
    /// Redis's reserved bitmap bit: set by +@all, cleared by -@all, untouched by anything else. It decides whether
    /// ACL LIST starts from +@all or -@all, and it answers for commands newer than the bitmap.
    /// </summary>
    public bool FutureCommands { get; private set; }

    /// <summary>Command id -> first arguments allowed although the command is not (<c>+select|0</c>); null when none.</summary>
    public Dictionary<int, List<string>>? FirstArgs { get; private set; }

    /// <summary>Every command on every key: the check is one flag test (the default user's case).</summary>
    public bool PermitsAll => AllCommands && AllKeys;

    /// <summary>A new user: off, no password, no keys, no channels, no commands.</summary>
    public static AclRules CreateUser(int bitCount) => new(bitCount);

    /// <summary>Redis's default user: on, nopass, ~*, &amp;*, +@all.</summary>
    public static AclRules CreateDefaultUser(AclCommandSet commands)
    {
        var rules = new AclRules(commands.BitCount);
        rules.Apply("+@all", commands);
        rules.Apply("~*", commands);
        rules.Apply("&*", commands);
        rules.Apply("on", commands);
        rules.Apply("nopass", commands);
        return rules;
    }

    public AclRules Clone()
    {
        var copy = (AclRules)MemberwiseClone();
        copy._allowed = (ulong[])_allowed.Clone();
        copy.Passwords = [.. Passwords];
        copy.PasswordHashes = [.. PasswordHashes];
        copy.KeyPatterns = [.. KeyPatterns];
        copy.Channels = [.. Channels];
        copy.FirstArgs = FirstArgs?.ToDictionary(e => e.Key, e => new List<string>(e.Value));
        return copy;
    }

    /// <summary>Whether the command with <paramref name="id"/> is allowed by the bitmap (first arguments aside).</summary>
    public bool IsAllowed(int id)
    {
        var word = id >> 6;
        var allowed = _allowed;
        return word < allowed.Length ? (allowed[word] & (1UL << id)) != 0 : FutureCommands;
    }

    /// <summary>True when <paramref name="password"/> is one of the user's, compared as SHA-256 in constant time.</summary>
    public bool MatchesPassword(ReadOnlySpan<byte> password)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(password, hash);
        var match = false;
        foreach (var stored in PasswordHashes)
        {
            // No early exit: every stored hash is compared, so the time says nothing about which one matched.
            match |= CryptographicOperations.FixedTimeEquals(hash, stored);
        }

        return match;
    }

    private void SetBit(int id, bool value)
    {
        var word = id >> 6;
        if (word >= _allowed.Length)
        {
            // A definition made after this bitmap was sized (only tests make them): grow, keeping the future bit's meaning.
            var grown = new ulong[word + 1];
            _allowed.CopyTo(grown, 0);
            if (FutureCommands)
            {
                grown.AsSpan(_allowed.Length).Fill(ulong.MaxValue);
            }

            _allowed = grown;
        }

        if (value)
        {
            _allowed[word] |= 1UL << id;
        }
        else
        {
            _allowed[word] &= ~(1UL << id);
            AllCommands = false;
        }
    }

    /// <summary>Allows or forbids a command, and with a container every subcommand (Redis's ACLChangeSelectorPerm).</summary>
    private void ChangePermission(AclCommand command, bool allow)
    {
        SetBit(command.Id, allow);
        FirstArgs?.Remove(command.Id);
        foreach (var sub in command.Subcommands)
        {
            SetBit(sub.Id, allow);
        }
    }

    /// <summary>+@category / -@category: every command in it, and every subcommand in it, recursively.</summary>
    private void ChangeCategory(IEnumerable<AclCommand> commands, ulong category, bool allow)
    {
        foreach (var command in commands)
        {
            if ((command.Categories & category) != 0)
            {
                ChangePermission(command, allow);
            }

            ChangeCategory(command.Subcommands, category, allow);
        }
    }

    private void SetAllCommands(bool allow)
    {
        Array.Fill(_allowed, allow ? ulong.MaxValue : 0UL);
        AllCommands = allow;
        FutureCommands = allow;
        FirstArgs = null;
    }

    private void AddFirstArg(int id, string argument)
    {
        FirstArgs ??= [];
        if (!FirstArgs.TryGetValue(id, out var list))
        {
            FirstArgs[id] = list = [];
        }

        if (!list.Exists(a => a.Equals(argument, StringComparison.OrdinalIgnoreCase)))
        {
            list.Add(argument);
        }
    }

    /// <summary>Lowercase hex of SHA-256, as Redis stores a password.</summary>
    public static string HashPassword(ReadOnlySpan<byte> password) => Convert.ToHexStringLower(SHA256.HashData(password));

    /// <summary>Exactly 64 characters, each 0-9 or a-f.</summary>
    private static bool IsPasswordHash(string text) =>
        text.Length == 64 && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
