using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

// The ACL file: one "user <name> <rules...>" line per user, as ACL LIST prints them (Redis's aclfile format).
internal sealed partial class AclState
{
    /// <summary>
    /// ACL LOAD: replaces every user with the file's, all or nothing. Returns null, or Redis's description of every
    /// problem found (then nothing changed). Connections of the users replaced are closed, as Redis frees those users;
    /// the default user's connections stay, with the file's rules for it (or a fresh default user's).
    /// </summary>
    public string? LoadFile(ClientSession? current)
    {
        string content;
        try
        {
            content = Encoding.Latin1.GetString(File.ReadAllBytes(AclFile));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"Error loading ACLs, opening file '{AclFile}': {Reason(ex)}";
        }

        var errors = new StringBuilder();
        var loaded = new Dictionary<string, AclRules>(StringComparer.Ordinal);
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim(' ', '\t', '\r', '\n');
            if (line.Length == 0)
            {
                continue;
            }

            ReadLine(line, i + 1, loaded, errors);
        }

        if (errors.Length > 0)
        {
            return errors.Append("WARNING: ACL errors detected, no change to the previously active ACL rules was performed").ToString();
        }

        lock (_lock)
        {
            var users = ImmutableSortedDictionary.Create<string, AclUser>(StringComparer.Ordinal);
            foreach (var (name, rules) in loaded)
            {
                if (name != DefaultUserName)
                {
                    users = users.Add(name, new AclUser(name, rules));
                }
            }

            DefaultUser.Rules = loaded.GetValueOrDefault(DefaultUserName) ?? AclRules.CreateDefaultUser(Commands);
            var old = _users;
            _users = users.Add(DefaultUserName, DefaultUser);
            foreach (var user in old.Values)
            {
                if (user != DefaultUser)
                {
                    CloseConnectionsOf(user, current);
                }
            }

            UpdateAuthRequired();
        }

        return null;
    }

    /// <summary>ACL SAVE: every user's line to a temporary file beside the ACL file, then renamed over it.</summary>
    public bool SaveFile()
    {
        var text = new StringBuilder();
        foreach (var user in Users)
        {
            text.Append(Describe(user)).Append('\n');
        }

        var temporary = string.Create(CultureInfo.InvariantCulture, $"{AclFile}.tmp-{Environment.ProcessId}-{Environment.TickCount64}");
        try
        {
            File.WriteAllBytes(temporary, Encoding.Latin1.GetBytes(text.ToString()));
            File.Move(temporary, AclFile, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: the save is reported as failed either way.
            }

            return false;
        }
    }

    /// <summary>One line: its user's rules go into <paramref name="loaded"/>, its problems into <paramref name="errors"/>.</summary>
    private void ReadLine(string line, int number, Dictionary<string, AclRules> loaded, StringBuilder errors)
    {
        // As Redis's sdssplitlen on single spaces: two spaces in a row make an empty rule, which changes nothing.
        var words = line.Split(' ');
        if (words[0] != "user" || words.Length < 2)
        {
            errors.Append(CultureInfo.InvariantCulture, $"{AclFile}:{number} should start with user keyword followed by the username. ");
            return;
        }

        var name = words[1];
        if (AclText.HasSpaces(name))
        {
            errors.Append(CultureInfo.InvariantCulture, $"'{AclFile}:{number}: username '{name}' contains invalid characters. ");
            return;
        }

        if (loaded.ContainsKey(name))
        {
            errors.Append(CultureInfo.InvariantCulture, $"WARNING: Duplicate user '{name}' found on line {number}. ");
            return;
        }

        var rules = AclRules.CreateUser(Commands.BitCount);
        loaded[name] = rules;
        var syntaxError = false;
        foreach (var word in words.Skip(2))
        {
            var rule = word.Trim('\t', '\r', '\n');
            var error = rules.Apply(rule, Commands);
            if (error == AclRuleError.UnknownCommandOrCategory)
            {
                // As Redis 7.0: every unknown command is named (no secret in it); of other errors only the first,
                // since it may be a password.
                errors.Append(CultureInfo.InvariantCulture, $"{AclFile}:{number}: Error in applying operation '{rule}': {AclRules.Describe(error)}. ");
            }
            else if (error != AclRuleError.None && !syntaxError)
            {
                errors.Append(CultureInfo.InvariantCulture, $"{AclFile}:{number}: {AclRules.Describe(error)}. ");
                syntaxError = true;
            }
        }
    }

    /// <summary>The C library's wording for the common failures, as Redis prints strerror.</summary>
    private static string Reason(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ => ex.Message,
    };
}
