using PepperCache.Core.Storage;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

/// <summary>The outcome of a permission check, as Redis's ACL_OK / ACL_DENIED_*.</summary>
internal enum AclVerdict
{
    Allowed,
    DeniedCommand,
    DeniedKey,
}

/// <summary>
/// Whether a user's rules let a command run with these arguments: Redis's ACLSelectorCheckCmd for the root selector.
/// One bit test for the command (by <see cref="CommandDefinition.Id"/>), then, only for a user with restricted keys,
/// each key the command's key positions name against the key patterns. Allocates nothing and takes no lock.
/// </summary>
internal static class AclCheck
{
    /// <param name="command">The command run: the subcommand for a container called with one.</param>
    /// <param name="deniedIndex">For <see cref="AclVerdict.DeniedKey"/>, the argument index of the key refused.</param>
    public static AclVerdict Check(AclRules rules, CommandDefinition command, ArgumentView arguments, out int deniedIndex)
    {
        deniedIndex = 0;
        if (!rules.AllCommands && (command.Flags & CommandFlags.NoAuth) == 0 && !rules.IsAllowed(command.Id) &&
            !IsAllowedFirstArg(rules, command, arguments))
        {
            return AclVerdict.DeniedCommand;
        }

        if (rules.AllKeys || !command.HasKeys)
        {
            return AclVerdict.Allowed;
        }

        var first = true;
        foreach (var (index, spec) in command.Keys(arguments))
        {
            // SET ... GET: what is done with the first key depends on the arguments.
            var access = first && command.VariableKeyAccess is { } resolve ? resolve(arguments) : spec.Access;
            first = false;
            if (!MayAccess(rules, arguments[index], access))
            {
                deniedIndex = index;
                return AclVerdict.DeniedKey;
            }
        }

        return AclVerdict.Allowed;
    }

    /// <summary>
    /// Redis's ACLSelectorHasUnrestrictedKeyAccess: every key (allkeys), or a plain <c>*</c> pattern granting
    /// <paramref name="access"/> (<c>%R~*</c> for reads). What SORT's BY and GET need, since they read keys named by values.
    /// </summary>
    public static bool HasUnrestrictedAccess(AclRules rules, KeyAccess access)
    {
        if (rules.AllKeys)
        {
            return true;
        }

        foreach (var pattern in rules.KeyPatterns)
        {
            if ((pattern.Access & access) == access && pattern.Pattern == "*")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some pattern grants <paramref name="access"/> and matches <paramref name="key"/>.</summary>
    public static bool MayAccess(AclRules rules, ReadOnlySpan<byte> key, KeyAccess access)
    {
        if (rules.AllKeys)
        {
            return true;
        }

        foreach (var pattern in rules.KeyPatterns)
        {
            if ((pattern.Access & access) == access && GlobPattern.IsMatch(pattern.Bytes, key))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>+select|0</c>: a command otherwise forbidden, allowed with that first argument (ASCII case-insensitive).</summary>
    private static bool IsAllowedFirstArg(AclRules rules, CommandDefinition command, ArgumentView arguments)
    {
        if (arguments.Count < 2 || rules.FirstArgs is not { } firstArgs || !firstArgs.TryGetValue(command.Id, out var allowed))
        {
            return false;
        }

        foreach (var argument in allowed)
        {
            if (EqualsIgnoreCase(arguments[1], argument))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> bytes, string text)
    {
        if (bytes.Length != text.Length)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            if (char.ToLowerInvariant((char)bytes[i]) != char.ToLowerInvariant(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
