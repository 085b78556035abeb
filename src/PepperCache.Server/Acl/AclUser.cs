namespace PepperCache.Server.Acl;

/// <summary>
/// A user: its name and its current rules. ACL SETUSER swaps in new rules (<see cref="AclRules"/> are never changed
/// once published), so connections authenticated as this user see the change at their next command, as in Redis,
/// reading it with one volatile reference read.
/// </summary>
internal sealed class AclUser(string name, AclRules rules)
{
    private volatile AclRules _rules = rules;

    /// <summary>The name as given (Latin-1 text, see <see cref="AclText"/>); "default" for the default user.</summary>
    public string Name { get; } = name;

    public AclRules Rules
    {
        get => _rules;
        set => _rules = value;
    }

    /// <summary>Set once the user is deleted (ACL DELUSER, ACL LOAD): its connections are closed.</summary>
    public bool Deleted { get; set; }
}
