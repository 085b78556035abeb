using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>One SLOWLOG entry: Redis's six fields.</summary>
internal sealed record SlowLogEntry(long Id, long UnixSeconds, long Microseconds, byte[][] Arguments, string ClientAddress, string ClientName);

/// <summary>
/// SLOWLOG: the newest <c>slowlog-max-len</c> commands that took at least <c>slowlog-log-slower-than</c>
/// microseconds, with their arguments cut as Redis cuts them (32 arguments, 128 bytes each). Only slow commands get
/// here, past one comparison on the hot path (<see cref="CommandDispatcher"/>), so a lock is fine.
/// </summary>
internal sealed class SlowLog
{
    /// <summary>Redis's SLOWLOG_ENTRY_MAX_ARGC.</summary>
    public const int MaxArguments = 32;

    /// <summary>Redis's SLOWLOG_ENTRY_MAX_STRING.</summary>
    public const int MaxArgumentLength = 128;

    private readonly Lock _lock = new();
    private readonly LinkedList<SlowLogEntry> _entries = new();
    private long _nextId;
    private long _maxLength = 128;

    /// <summary>slowlog-max-len: longer logs lose their oldest entries.</summary>
    public long MaxLength
    {
        get => Volatile.Read(ref _maxLength);
        set
        {
            lock (_lock)
            {
                _maxLength = value;
                Trim();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Logs <paramref name="request"/> (arguments <see cref="Redact">redacted</see> where Redis hides them).</summary>
    public void Add(RespRequest request, CommandDefinition command, long microseconds, ClientSession client, long nowMs)
    {
        var count = Math.Min(request.Count, MaxArguments);
        var arguments = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (i == MaxArguments - 1 && request.Count > MaxArguments)
            {
                arguments[i] = Encoding.ASCII.GetBytes($"... ({request.Count - MaxArguments + 1} more arguments)");
            }
            else if (Redact(command, request, i))
            {
                arguments[i] = "(redacted)"u8.ToArray();
            }
            else
            {
                var argument = request[i];
                arguments[i] = argument.Length <= MaxArgumentLength
                    ? argument.ToArray()
                    : [.. argument[..MaxArgumentLength], .. Encoding.ASCII.GetBytes($"... ({argument.Length - MaxArgumentLength} more bytes)")];
            }
        }

        lock (_lock)
        {
            _entries.AddFirst(new SlowLogEntry(_nextId++, nowMs / 1000, microseconds, arguments, client.RemoteAddress, client.Name ?? ""));
            Trim();
        }
    }

    /// <summary>The newest <paramref name="count"/> entries (all for -1), newest first.</summary>
    public List<SlowLogEntry> Newest(long count)
    {
        lock (_lock)
        {
            return [.. _entries.Take(count < 0 ? int.MaxValue : (int)Math.Min(count, int.MaxValue))];
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    /// <summary>
    /// Passwords and secrets are not logged, as Redis 7 redacts them: AUTH's, HELLO AUTH's, ACL SETUSER's rules, and
    /// MIGRATE's AUTH password and AUTH2 user and password.
    /// </summary>
    internal static bool Redact(CommandDefinition command, RespRequest request, int index) => command.Name switch
    {
        "auth" or "pepper.auth" => index >= 1,
        // HELLO protover AUTH username password: the two after AUTH.
        "hello" => (index >= 3 && Ascii.EqualsIgnoreCase(request[index - 1], "AUTH"u8)) ||
            (index >= 4 && Ascii.EqualsIgnoreCase(request[index - 2], "AUTH"u8)),
        "acl|setuser" => index >= 3,
        "migrate" => Commands.MigrateCommand.IsCredential(request, index),
        _ => false,
    };

    private void Trim()
    {
        while (_entries.Count > 0 && _entries.Count > _maxLength)
        {
            _entries.RemoveLast();
        }
    }
}
