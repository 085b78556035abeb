using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>Nodes sharing a data directory (a restart), and dumps of a store to compare across one.</summary>
internal static class AofTestSupport
{
    /// <summary>A node on <paramref name="dir"/>; the caller owns (and deletes) the directory.</summary>
    public static PepperCacheApplication Node(string dir, string fsync = "always", TimeProvider? clock = null, Action<IServiceCollection>? services = null) =>
        new(
            new Dictionary<string, string?> { ["PepperCache:Dir"] = dir, ["PepperCache:AppendFsync"] = fsync },
            s =>
            {
                if (clock is not null)
                {
                    s.AddSingleton(clock);
                }

                services?.Invoke(s);
            });

    /// <summary>Every live key with its value (a hash as its sorted pairs) and absolute expiry (0 = none), sorted by key.</summary>
    public static SortedDictionary<string, (string Value, long ExpiresAt)> Dump(KeyValueStore store)
    {
        var entries = new List<StoredEntry>();
        store.Snapshot(entries);
        var now = store.Now;
        var dump = new SortedDictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.ExpiresAt == 0 || entry.ExpiresAt > now)
            {
                dump[Encoding.Latin1.GetString(entry.Key)] = (Describe(entry), entry.ExpiresAt);
            }
        }

        return dump;
    }

    /// <summary>A string's value as it is; a hash as its sorted pairs (order is not content); a list as its elements in order.</summary>
    private static string Describe(StoredEntry entry)
    {
        if (entry.Object is SetObject set)
        {
            var members = new List<string>();
            foreach (var member in set)
            {
                members.Add(Encoding.Latin1.GetString(member.ToArray()));
            }

            members.Sort(StringComparer.Ordinal);
            return "set:" + Encoding.ASCII.GetString(set.EncodingName) + "{" + string.Join(", ", members) + "}";
        }

        if (entry.Object is SortedSetObject sortedSet)
        {
            // In order, scores as exact doubles (round-trip text), with the encoding.
            var members = new List<string>();
            var walker = sortedSet.WalkFrom(0, reverse: false);
            while (walker.MoveNext())
            {
                members.Add(Encoding.Latin1.GetString(walker.Member) + "=" + walker.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            return Encoding.ASCII.GetString(sortedSet.EncodingName) + "{" + string.Join(", ", members) + "}";
        }

        if (entry.Object is ListObject list)
        {
            var elements = new List<string>();
            for (var i = 0; i < list.Count; i++)
            {
                elements.Add(Encoding.Latin1.GetString(list[i]));
            }

            return "list[" + string.Join(", ", elements) + "]";
        }

        if (entry.Object is not HashObject hash)
        {
            Assert.Null(entry.Object);
            return Encoding.Latin1.GetString(entry.Value);
        }

        var pairs = new List<string>();
        foreach (var pair in hash)
        {
            pairs.Add(Encoding.Latin1.GetString(HashObject.FieldOf(pair)) + "=" + Encoding.Latin1.GetString(HashObject.ValueOf(pair)));
        }

        pairs.Sort(StringComparer.Ordinal);
        return "hash{" + string.Join(", ", pairs) + "}";
    }

    public static async Task<RedisResult> Run(IDatabase db, params object[] command) =>
        await db.ExecuteAsync((string)command[0], command[1..]);

    public static string TempDirectory() => Directory.CreateTempSubdirectory("peppercache-aof-").FullName;

    public static void DeleteDirectory(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>One RESP record as the log writes it.</summary>
    public static byte[] Record(params string[] parts)
    {
        var text = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
