using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

// Applying one rule, as Redis's ACLSetUser (user flags, passwords) and ACLSetSelector (keys, channels, commands).
internal sealed partial class AclRules
{
    /// <summary>Redis's ACLSetUserStringError texts.</summary>
    public static string Describe(AclRuleError error) => error switch
    {
        AclRuleError.UnknownCommandOrCategory => "Unknown command or category name in ACL",
        AclRuleError.Syntax => "Syntax error",
        AclRuleError.KeyPatternAfterAllKeys =>
            "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. " +
            "Try 'resetkeys' to start with an empty list of patterns",
        AclRuleError.ChannelAfterAllChannels =>
            "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. " +
            "Try 'resetchannels' to start with an empty list of channels",
        AclRuleError.NoSuchPassword => "The password you are trying to remove from the user does not exist",
        AclRuleError.BadPasswordHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
        AclRuleError.FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        _ => "Wrong format",
    };

    /// <summary>
    /// Applies one rule (<c>on</c>, <c>&gt;pass</c>, <c>~pattern</c>, <c>+@read</c>...). On an error the rules may be
    /// half changed: callers apply a whole rule list to a copy and keep the copy only when every rule applied.
    /// </summary>
    public AclRuleError Apply(string op, AclCommandSet commands)
    {
        if (op.Length == 0)
        {
            return AclRuleError.None;
        }

        if (Is(op, "on"))
        {
            Enabled = true;
        }
        else if (Is(op, "off"))
        {
            Enabled = false;
        }
        else if (Is(op, "skip-sanitize-payload"))
        {
            (SkipSanitizePayload, SanitizePayload) = (true, false);
        }
        else if (Is(op, "sanitize-payload"))
        {
            (SkipSanitizePayload, SanitizePayload) = (false, true);
        }
        else if (Is(op, "nopass"))
        {
            NoPass = true;
            ClearPasswords();
        }
        else if (Is(op, "resetpass"))
        {
            NoPass = false;
            ClearPasswords();
        }
        else if (op[0] is '>' or '#')
        {
            var hash = op[0] == '>' ? HashPassword(AclText.Bytes(op[1..])) : op[1..];
            if (op[0] == '#' && !IsPasswordHash(hash))
            {
                return AclRuleError.BadPasswordHash;
            }

            if (!Passwords.Contains(hash))
            {
                Passwords.Add(hash);
                PasswordHashes.Add(Convert.FromHexString(hash));
            }

            NoPass = false;
        }
        else if (op[0] is '<' or '!')
        {
            var hash = op[0] == '<' ? HashPassword(AclText.Bytes(op[1..])) : op[1..];
            if (op[0] == '!' && !IsPasswordHash(hash))
            {
                return AclRuleError.BadPasswordHash;
            }

            var index = Passwords.IndexOf(hash);
            if (index < 0)
            {
                return AclRuleError.NoSuchPassword;
            }

            Passwords.RemoveAt(index);
            PasswordHashes.RemoveAt(index);
        }
        else if (op[0] == '(' && op[^1] == ')')
        {
            // Selectors (Redis 7's second and later permission sets) are not supported: see docs/security.md.
            return AclRuleError.Syntax;
        }
        else if (Is(op, "clearselectors"))
        {
            // There are no selectors besides the root one to clear.
        }
        else if (Is(op, "reset"))
        {
            Apply("resetpass", commands);
            Apply("resetkeys", commands);
            Apply("resetchannels", commands);
            Apply("off", commands);
            Apply("sanitize-payload", commands);
            Apply("-@all", commands);
        }
        else
        {
            return ApplySelectorRule(op, commands);
        }

        return AclRuleError.None;
    }

    private AclRuleError ApplySelectorRule(string op, AclCommandSet commands)
    {
        if (Is(op, "allkeys") || op == "~*")
        {
            AllKeys = true;
            KeyPatterns.Clear();
        }
        else if (Is(op, "resetkeys"))
        {
            AllKeys = false;
            KeyPatterns.Clear();
        }
        else if (Is(op, "allchannels") || op == "&*")
        {
            AllChannels = true;
            Channels.Clear();
        }
        else if (Is(op, "resetchannels"))
        {
            AllChannels = false;
            Channels.Clear();
        }
        else if (Is(op, "allcommands") || Is(op, "+@all"))
        {
            SetAllCommands(true);
        }
        else if (Is(op, "nocommands") || Is(op, "-@all"))
        {
            SetAllCommands(false);
        }
        else if (op[0] is '~' or '%')
        {
            return AddKeyPattern(op);
        }
        else if (op[0] == '&')
        {
            if (AllChannels)
            {
                return AclRuleError.ChannelAfterAllChannels;
            }

            var channel = op[1..];
            if (AclText.HasSpaces(channel))
            {
                return AclRuleError.Syntax;
            }

            if (!Channels.Contains(channel))
            {
                Channels.Add(channel);
            }

            AllChannels = false;
        }
        else if (op.Length > 1 && op[1] == '@' && op[0] is '+' or '-')
        {
            var category = AclCategories.Bit(op.AsSpan(2));
            if (category == 0)
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            ChangeCategory(commands.Commands, category, op[0] == '+');
        }
        else if (op[0] == '+')
        {
            return AllowCommand(op[1..], commands);
        }
        else if (op[0] == '-')
        {
            if (commands.Find(op[1..]) is not { } command)
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            ChangePermission(command, false);
        }
        else
        {
            return AclRuleError.Syntax;
        }

        return AclRuleError.None;
    }

    /// <summary>~pattern (reads and writes), %R~pattern, %W~pattern, %RW~pattern.</summary>
    private AclRuleError AddKeyPattern(string op)
    {
        if (AllKeys)
        {
            return AclRuleError.KeyPatternAfterAllKeys;
        }

        var access = KeyAccess.None;
        var offset = 1;
        if (op[0] == '%')
        {
            for (; offset < op.Length; offset++)
            {
                var c = char.ToUpperInvariant(op[offset]);
                if (c == 'R' && (access & KeyAccess.Read) == 0)
                {
                    access |= KeyAccess.Read;
                }
                else if (c == 'W' && (access & KeyAccess.Write) == 0)
                {
                    access |= KeyAccess.Write;
                }
                else if (op[offset] == '~')
                {
                    offset++;
                    break;
                }
                else
                {
                    return AclRuleError.Syntax;
                }
            }
        }
        else
        {
            access = KeyAccess.ReadWrite;
        }

        var pattern = op[offset..];
        if (AclText.HasSpaces(pattern))
        {
            return AclRuleError.Syntax;
        }

        // The same pattern again widens the one there (%R~k then %W~k is ~k), as Redis merges them.
        var existing = KeyPatterns.FindIndex(p => p.Pattern == pattern);
        if (existing < 0)
        {
            KeyPatterns.Add(new AclKeyPattern(pattern, access));
        }
        else
        {
            KeyPatterns[existing] = new AclKeyPattern(pattern, KeyPatterns[existing].Access | access);
        }

        AllKeys = false;
        return AclRuleError.None;
    }

    /// <summary>+command, +container|subcommand, or +command|first-arg for a command without subcommands.</summary>
    private AclRuleError AllowCommand(string name, AclCommandSet commands)
    {
        var bar = name.LastIndexOf('|');
        if (bar < 0)
        {
            if (commands.Find(name) is not { } command)
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            ChangePermission(command, true);
            return AclRuleError.None;
        }

        if (commands.Find(name[..bar]) is not { } parent)
        {
            return AclRuleError.UnknownCommandOrCategory;
        }

        if (parent.Parent is not null)
        {
            return AclRuleError.FirstArgOfSubcommand;
        }

        if (bar == name.Length - 1)
        {
            return AclRuleError.Syntax;
        }

        if (parent.Subcommands.Count > 0)
        {
            if (commands.Find(name) is not { } subcommand)
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            ChangePermission(subcommand, true);
        }
        else
        {
            // Redis logs this use as deprecated, but allows it: SELECT is blocked except SELECT 0.
            AddFirstArg(parent.Id, name[(bar + 1)..]);
        }

        return AclRuleError.None;
    }

    private void ClearPasswords()
    {
        Passwords.Clear();
        PasswordHashes.Clear();
    }

    private static bool Is(string op, string word) => op.Equals(word, StringComparison.OrdinalIgnoreCase);
}
