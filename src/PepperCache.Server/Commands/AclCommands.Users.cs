using PepperCache.Protocol;
using PepperCache.Server.Acl;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// The subcommands that create, show and delete users.
internal static partial class AclCommands
{
    /// <summary>
    /// ACL SETUSER name [rule ...]: creates the user (off, no keys, no commands) or changes it; all rules apply or
    /// none does. Redis's merging of a selector written over several arguments is kept for its error text.
    /// </summary>
    private static void SetUser(CommandContext context)
    {
        var name = AclText.From(context.Argument(2));
        if (AclText.HasSpaces(name))
        {
            context.WriteError("ERR Usernames can't contain spaces or null characters");
            return;
        }

        var rules = new List<string>(context.ArgumentCount - 3);
        string? selector = null;
        var selectorStart = -1;
        for (var i = 3; i < context.ArgumentCount; i++)
        {
            var rule = AclText.From(context.Argument(i));
            if (selector is null && rule.StartsWith('(') && !rule.EndsWith(')'))
            {
                (selector, selectorStart) = (rule, i);
            }
            else if (selector is not null)
            {
                selector += " " + rule;
                if (rule.EndsWith(')'))
                {
                    rules.Add(selector);
                    selector = null;
                }
            }
            else
            {
                rules.Add(rule);
            }
        }

        if (selector is not null)
        {
            context.WriteError(AclText.Bytes($"ERR Unmatched parenthesis in acl selector starting at '{ErrorMessages.OneLine(AclText.From(context.Argument(selectorStart)))}'."));
            return;
        }

        if (context.Server.Acl.SetUser(name, rules) is { } error)
        {
            context.WriteError(AclText.Bytes("ERR " + error));
            return;
        }

        context.Output.WriteOk();
    }

    /// <summary>ACL GETUSER name: flags, passwords (hashes), commands, keys, channels, selectors (none); nil for no such user.</summary>
    private static void GetUser(CommandContext context)
    {
        var acl = context.Server.Acl;
        if (acl.Find(AclText.From(context.Argument(2))) is not { } user)
        {
            context.Output.WriteNull(context.Resp3);
            return;
        }

        var rules = user.Rules;
        var output = context.Output;
        var resp3 = context.Resp3;
        output.WriteMapHeader(6, resp3);
        output.WriteBulkString("flags"u8);
        var flags = rules.FlagWords().ToList();
        output.WriteSetHeader(flags.Count, resp3);
        foreach (var flag in flags)
        {
            output.WriteBulkString(flag);
        }

        output.WriteBulkString("passwords"u8);
        output.WriteArrayHeader(rules.Passwords.Count);
        foreach (var password in rules.Passwords)
        {
            output.WriteBulkString(password);
        }

        output.WriteBulkString("commands"u8);
        output.WriteBulkString(AclText.Bytes(rules.DescribeCommands(acl.Commands)));
        output.WriteBulkString("keys"u8);
        output.WriteBulkString(AclText.Bytes(rules.DescribeKeys()));
        output.WriteBulkString("channels"u8);
        output.WriteBulkString(AclText.Bytes(rules.DescribeChannels()));
        output.WriteBulkString("selectors"u8);
        output.WriteRaw(RespConstants.EmptyArray);
    }

    /// <summary>ACL DELUSER name [name ...]: how many existed; the default user cannot be removed (then nothing is).</summary>
    private static void DelUser(CommandContext context)
    {
        var names = new List<string>(context.ArgumentCount - 2);
        for (var i = 2; i < context.ArgumentCount; i++)
        {
            var name = AclText.From(context.Argument(i));
            if (name == AclState.DefaultUserName)
            {
                context.WriteError("ERR The 'default' user cannot be removed");
                return;
            }

            names.Add(name);
        }

        context.Output.WriteInteger(context.Server.Acl.DeleteUsers(names, context.Client));
    }

    /// <summary>ACL LIST: each user as its ACL file line, sorted by name.</summary>
    private static void List(CommandContext context)
    {
        var acl = context.Server.Acl;
        var lines = acl.Users.Select(acl.Describe).ToList();
        context.Output.WriteArrayHeader(lines.Count);
        foreach (var line in lines)
        {
            context.Output.WriteBulkString(AclText.Bytes(line));
        }
    }

    /// <summary>ACL USERS: the names, sorted.</summary>
    private static void Users(CommandContext context)
    {
        var names = context.Server.Acl.Users.Select(u => u.Name).ToList();
        context.Output.WriteArrayHeader(names.Count);
        foreach (var name in names)
        {
            context.Output.WriteBulkString(AclText.Bytes(name));
        }
    }
}
