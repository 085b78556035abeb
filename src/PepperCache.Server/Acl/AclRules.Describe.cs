using System.Text;

namespace PepperCache.Server.Acl;

// The rules written back as rules (ACL LIST, ACL GETUSER, ACL SAVE), as Redis 7.0's ACLDescribeUser writes them.
internal sealed partial class AclRules
{
    private static readonly (Func<AclRules, bool> IsSet, string Name)[] FlagNames =
    [
        (r => r.Enabled, "on"), (r => !r.Enabled, "off"), (r => r.NoPass, "nopass"),
        (r => r.SkipSanitizePayload, "skip-sanitize-payload"), (r => r.SanitizePayload, "sanitize-payload"),
    ];

    /// <summary>The user flags in Redis's order: on/off, nopass, (skip-)sanitize-payload.</summary>
    public IEnumerable<string> FlagWords() => FlagNames.Where(f => f.IsSet(this)).Select(f => f.Name);

    /// <summary>What follows <c>user &lt;name&gt;</c> in ACL LIST and in the ACL file.</summary>
    public string DescribeUser(AclCommandSet commands)
    {
        var text = new StringBuilder();
        foreach (var flag in FlagWords())
        {
            text.Append(flag).Append(' ');
        }

        foreach (var password in Passwords)
        {
            text.Append('#').Append(password).Append(' ');
        }

        if (AllKeys)
        {
            text.Append("~* ");
        }
        else
        {
            foreach (var pattern in KeyPatterns)
            {
                text.Append(pattern).Append(' ');
            }
        }

        if (AllChannels)
        {
            text.Append("&* ");
        }
        else
        {
            text.Append("resetchannels ");
            foreach (var channel in Channels)
            {
                text.Append('&').Append(channel).Append(' ');
            }
        }

        return text.Append(DescribeCommands(commands)).ToString();
    }

    /// <summary>ACL GETUSER's "keys": <c>~*</c>, or the patterns separated by spaces.</summary>
    public string DescribeKeys() => AllKeys ? "~*" : string.Join(' ', KeyPatterns);

    /// <summary>ACL GETUSER's "channels": <c>&amp;*</c>, or the patterns separated by spaces.</summary>
    public string DescribeChannels() => AllChannels ? "&*" : string.Join(' ', Channels.Select(c => "&" + c));

    /// <summary>
    /// The command rules that rebuild this bitmap, as Redis's ACLDescribeSelectorCommandRules: +@all or -@all (by
    /// the reserved bit), then greedily the category that best fits what is left (fewest commands it would get
    /// wrong, then most it gets right), then single commands and subcommands to fix the rest, then first-args.
    /// Redis names the single commands in its hash table's order, which changes from one process to the next;
    /// here they come in command table order.
    /// </summary>
    public string DescribeCommands(AclCommandSet commands)
    {
        var additive = !FutureCommands;
        var rules = new StringBuilder(additive ? "-@all " : "+@all ");
        var fake = new AclRules(commands.BitCount);
        fake.SetAllCommands(!additive);

        // What is left to explain; a category chosen is applied to it inverted, so it stops counting.
        var temp = new AclRules(commands.BitCount) { _allowed = (ulong[])_allowed.Clone() };
        var applied = new bool[AclCategories.Names.Length];
        while (true)
        {
            var best = -1;
            var minDiff = long.MaxValue;
            var maxSame = 0L;
            for (var j = 0; j < AclCategories.Names.Length; j++)
            {
                if (applied[j])
                {
                    continue;
                }

                var (on, off) = temp.CountCategory(commands.Commands, 1UL << j);
                var diff = additive ? off : on;
                var same = additive ? on : off;
                if (same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)))
                {
                    (best, minDiff, maxSame) = (j, diff, same);
                }
            }

            if (best < 0)
            {
                break;
            }

            fake.ChangeCategory(commands.Commands, 1UL << best, additive);
            temp.ChangeCategory(commands.Commands, 1UL << best, !additive);
            rules.Append(additive ? "+@" : "-@").Append(AclCategories.Names[best]).Append(' ');
            applied[best] = true;
        }

        DescribeSingleCommands(commands.Commands, fake, rules);
        return rules.ToString(0, rules.Length - 1);
    }

    private void DescribeSingleCommands(List<AclCommand> commands, AclRules fake, StringBuilder rules)
    {
        foreach (var command in commands)
        {
            var mine = IsAllowed(command.Id);
            if (mine != fake.IsAllowed(command.Id))
            {
                rules.Append(mine ? '+' : '-').Append(command.Name).Append(' ');
                fake.ChangePermission(command, mine);
            }

            DescribeSingleCommands(command.Subcommands, fake, rules);
            if (!mine && FirstArgs?.GetValueOrDefault(command.Id) is { } firstArgs)
            {
                foreach (var argument in firstArgs)
                {
                    rules.Append('+').Append(command.Name).Append('|').Append(argument).Append(' ');
                }
            }
        }
    }

    /// <summary>Commands (and subcommands) of <paramref name="category"/> allowed and not allowed.</summary>
    private (long On, long Off) CountCategory(List<AclCommand> commands, ulong category)
    {
        long on = 0, off = 0;
        foreach (var command in commands)
        {
            if ((command.Categories & category) != 0)
            {
                if (IsAllowed(command.Id))
                {
                    on++;
                }
                else
                {
                    off++;
                }
            }

            var (subOn, subOff) = CountCategory(command.Subcommands, category);
            on += subOn;
            off += subOff;
        }

        return (on, off);
    }
}
