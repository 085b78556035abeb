using System.Collections.Immutable;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

/// <summary>
/// The node's users and everything about authentication: the default user, requirepass, protected mode, the ACL
/// file and the ACL log. Changes (ACL SETUSER, DELUSER, LOAD, CONFIG SET requirepass) are rare and serialized by one
/// lock; what connections read on every command (a user's rules, whether the default user needs a password) is
/// published by reference, so reading it takes no lock.
/// </summary>
internal sealed partial class AclState
{
    private readonly Lock _lock = new();
    private readonly ClientRegistry _clients;
    private volatile ImmutableSortedDictionary<string, AclUser> _users;
    private volatile bool _authRequired;
    private volatile bool _protectedMode;
    private volatile string _requirePass = "";
    private long _rejectedConnections;

    /// <exception cref="AclFileException">The ACL file named in the options could not be loaded.</exception>
    public AclState(CommandTable table, ClientRegistry clients, PepperCacheOptions options)
    {
        _clients = clients;
        Commands = new AclCommandSet(table);
        DefaultUser = new AclUser(DefaultUserName, AclRules.CreateDefaultUser(Commands));
        _users = ImmutableSortedDictionary.Create<string, AclUser>(StringComparer.Ordinal).Add(DefaultUserName, DefaultUser);
        _protectedMode = !string.Equals(options.ProtectedMode, "no", StringComparison.OrdinalIgnoreCase);
        AclFile = options.AclFile ?? "";

        // As Redis: requirepass sets the default user's password, then an ACL file, when given, has the last word.
        SetRequirePass(options.RequirePass ?? "");
        if (AclFile.Length > 0 && LoadFile(null) is { } errors)
        {
            throw new AclFileException("Aborting start-up because of ACL errors: " + errors);
        }
    }

    public const string DefaultUserName = "default";

    /// <summary>The commands rules are written against.</summary>
    public AclCommandSet Commands { get; }

    /// <summary>The user every connection starts as; it is never deleted (ACL LOAD replaces its rules in place).</summary>
    public AclUser DefaultUser { get; }

    public AclLog Log { get; } = new();

    /// <summary>The ACL file (<c>--aclfile</c>), empty for none: ACL SAVE and ACL LOAD then refuse.</summary>
    public string AclFile { get; }

    /// <summary>The last requirepass set (CONFIG GET answers it even after ACL SETUSER default changed the password, as Redis).</summary>
    public string RequirePass => _requirePass;

    /// <summary>
    /// Redis's authRequired: the default user has a password or is off, so a connection that has not authenticated
    /// may run only no_auth commands.
    /// </summary>
    public bool AuthRequired => _authRequired;

    /// <summary>protected-mode: with it on and no password on the default user, only loopback clients are served.</summary>
    public bool ProtectedMode
    {
        get => _protectedMode;
        set => _protectedMode = value;
    }

    /// <summary>
    /// Whether a client from a <paramref name="loopback"/> address or another is refused (Redis's protected mode);
    /// a refusal is counted in INFO's rejected_connections, as Redis counts it.
    /// </summary>
    public bool RefusesConnection(bool loopback)
    {
        if (loopback || !_protectedMode || !DefaultUser.Rules.NoPass)
        {
            return false;
        }

        Interlocked.Increment(ref _rejectedConnections);
        return true;
    }

    /// <summary>Connections refused by protected mode since start-up.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Every user, sorted by name (bytes), as ACL LIST and ACL USERS list them.</summary>
    public IEnumerable<AclUser> Users => _users.Values;

    public AclUser? Find(string name) => _users.GetValueOrDefault(name);

    /// <summary>
    /// The user <paramref name="name"/> if it exists, is on, and <paramref name="password"/> is one of its passwords
    /// (or it is nopass); otherwise null. Redis's ACLCheckUserCredentials.
    /// </summary>
    public AclUser? CheckCredentials(string name, ReadOnlySpan<byte> password)
    {
        if (Find(name) is not { } user)
        {
            return null;
        }

        var rules = user.Rules;
        return rules.Enabled && (rules.NoPass || rules.MatchesPassword(password)) ? user : null;
    }

    /// <summary>"user &lt;name&gt; &lt;rules&gt;": one line of ACL LIST and of the ACL file.</summary>
    public string Describe(AclUser user) => $"user {user.Name} {user.Rules.DescribeUser(Commands)}";

    /// <summary>
    /// ACL SETUSER: applies <paramref name="rules"/> to a copy of the user (a new one when there is none) and keeps
    /// the copy only if every rule applied. Returns Redis's error text (without "ERR "), or null.
    /// </summary>
    public string? SetUser(string name, IReadOnlyList<string> rules)
    {
        lock (_lock)
        {
            var existing = Find(name);
            var updated = existing?.Rules.Clone() ?? AclRules.CreateUser(Commands.BitCount);
            foreach (var rule in rules)
            {
                var error = updated.Apply(rule, Commands);
                if (error != AclRuleError.None)
                {
                    return $"Error in ACL SETUSER modifier '{Resp.ErrorMessages.OneLine(rule)}': {AclRules.Describe(error)}";
                }
            }

            if (existing is null)
            {
                _users = _users.Add(name, new AclUser(name, updated));
            }
            else
            {
                existing.Rules = updated;
            }

            UpdateAuthRequired();
            return null;
        }
    }

    /// <summary>ACL DELUSER: removes the users that exist and closes their connections; the number removed.</summary>
    public int DeleteUsers(IEnumerable<string> names, ClientSession current)
    {
        lock (_lock)
        {
            var deleted = 0;
            foreach (var name in names)
            {
                if (Find(name) is { } user && user != DefaultUser)
                {
                    _users = _users.Remove(name);
                    CloseConnectionsOf(user, current);
                    deleted++;
                }
            }

            return deleted;
        }
    }

    /// <summary>
    /// CONFIG SET requirepass: the default user's passwords become this one (its UTF-8 bytes, what AUTH sends), or
    /// nopass for "".
    /// </summary>
    public void SetRequirePass(string password)
    {
        lock (_lock)
        {
            _requirePass = password;
            var rules = DefaultUser.Rules.Clone();
            rules.Apply("resetpass", Commands);
            rules.Apply(password.Length > 0 ? ">" + AclText.From(System.Text.Encoding.UTF8.GetBytes(password)) : "nopass", Commands);
            DefaultUser.Rules = rules;
            UpdateAuthRequired();
        }
    }

    private void UpdateAuthRequired()
    {
        var rules = DefaultUser.Rules;
        _authRequired = !rules.NoPass || !rules.Enabled;
    }

    /// <summary>
    /// Redis's ACLFreeUserAndKillClients: the user's connections fall back to the unauthenticated default user and
    /// close (the current one once its reply is written).
    /// </summary>
    private void CloseConnectionsOf(AclUser user, ClientSession? current)
    {
        user.Deleted = true;
        foreach (var client in _clients.Sessions)
        {
            if (client.User != user)
            {
                continue;
            }

            client.User = DefaultUser;
            client.Authenticated = false;
            if (client == current)
            {
                client.CloseAfterReply = true;
            }
            else
            {
                client.Kill?.Invoke();
            }
        }
    }
}
