using PepperCache.Server.Resp;

namespace PepperCache.Server.Acl;

/// <summary>
/// Redis's ACL security log: denied commands, keys and failed authentications, newest first, at most
/// <see cref="MaxLength"/> entries (acllog-max-len). Only refusals write here, never the permitted path.
/// </summary>
internal sealed class AclLog
{
    /// <summary>Events within this many ms of an entry's last one, with the same reason, context, object and user, count in it.</summary>
    private const long GroupingWindow = 60_000;

    private readonly Lock _lock = new();
    private readonly LinkedList<AclLogEntry> _entries = new();
    private long _maxLength = 128;

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

    public void Add(AclLogReason reason, string obj, string username, ClientSession client, long now)
    {
        var clientInfo = Commands.ClientCommands.DescribeLine(client, now);
        lock (_lock)
        {
            // As Redis: only the 10 newest entries are looked at for one to add to.
            var scanned = 0;
            for (var node = _entries.First; node is not null && scanned < 10; node = node.Next, scanned++)
            {
                var entry = node.Value;
                if (entry.Reason == reason && entry.Context == "toplevel" && Math.Abs(entry.Time - now) <= GroupingWindow &&
                    entry.Object == obj && entry.Username == username)
                {
                    entry.Count++;
                    entry.Time = now;
                    entry.ClientInfo = clientInfo;
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    return;
                }
            }

            _entries.AddFirst(new AclLogEntry(reason, "toplevel", obj, username, now, clientInfo));
            Trim();
        }
    }

    /// <summary>The newest <paramref name="count"/> entries, copied (their mutable fields read under the lock).</summary>
    public List<(AclLogEntry Entry, long Count, long Time, string ClientInfo)> Newest(long count)
    {
        lock (_lock)
        {
            return _entries.Take((int)Math.Min(count, int.MaxValue)).Select(e => (e, e.Count, e.Time, e.ClientInfo)).ToList();
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    private void Trim()
    {
        while (_entries.Count > _maxLength)
        {
            _entries.RemoveLast();
        }
    }
}
