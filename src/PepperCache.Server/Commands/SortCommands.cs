using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// SORT and SORT_RO, Redis 7.0's sort.c: the elements of a list, set or sorted set, sorted by their own value or by
/// keys a BY pattern names, numerically or (ALPHA) by bytes, a LIMIT window of them, each answered as itself or as
/// what GET patterns name, or stored (STORE) as a list. This file: declarations, options and the two ways a sort
/// runs; <c>SortJob</c> (below) the work itself.
/// </summary>
/// <remarks>
/// <para>
/// Atomicity: a sort whose patterns read no other key (no BY pattern with <c>*</c>, no GET but <c>#</c>) reads its key
/// and writes its destination holding both locks, as one step. One whose patterns read other keys copies the elements
/// under the key's lock, then reads each named key under that key's own lock, then writes the destination: waiting
/// for another shard's lock while holding one could deadlock. Redis Cluster refuses these patterns, so a cluster node
/// refuses them too (Redis 7.0's texts), and on a node alone the step between reads is the only difference.
/// </para>
/// <para>
/// AOF: STORE is logged as its effect (DEL of the destination, then RPUSHes of the result), so replay does not sort
/// again over keys that may have changed since.
/// </para>
/// </remarks>
internal static class SortCommands
{
    private const string Group = "generic";

    private static readonly string[] Categories = ["set", "sortedset", "list", "dangerous"];

    private static readonly KeySpec SortedKey = KeySpec.Range(1, 0, 1, KeyAccess.Read, "RO", "access");

    // The keys BY and GET read are named by the values sorted, so no argument is one of them.
    private static readonly KeySpec PatternKeys = KeySpec.Unknown(
        _ => KeyRange.None,
        "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
        KeyAccess.Read,
        "RO",
        "access");

    private static readonly KeySpec StoreKey = KeySpec.Unknown(
        FindStoreKey,
        "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
        KeyAccess.Write,
        "OW",
        "update");

    public static CommandDefinition[] Definitions { get; } =
    [
        new("sort", -2, Write | DenyOom, 1, 1, 1, Sort, Group, "Sort the elements in a list, set or sorted set")
        {
            KeyAccess = KeyAccess.Read,
            AclCategories = Categories,
            TakesGroupCategory = false,
            KeySpecs = [SortedKey, PatternKeys, StoreKey],
        },
        new("sort_ro", -2, ReadOnly, 1, 1, 1, SortReadOnly, Group, "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", "7.0.0")
        {
            AclCategories = Categories,
            TakesGroupCategory = false,
            KeySpecs = [SortedKey, PatternKeys],
        },
    ];

    public static void Sort(CommandContext context) => Run(context, readOnly: false);

    public static void SortReadOnly(CommandContext context) => Run(context, readOnly: true);

    /// <summary>
    /// Redis's sortGetKeys: options are skipped by their known sizes (LIMIT two values, BY and GET one), and the last
    /// STORE names the destination.
    /// </summary>
    private static KeyRange FindStoreKey(ArgumentView arguments)
    {
        var store = -1;
        for (var i = 2; i < arguments.Count; i++)
        {
            var word = arguments[i];
            if (Ascii.EqualsIgnoreCase(word, "LIMIT"u8))
            {
                i += 2;
            }
            else if (Ascii.EqualsIgnoreCase(word, "GET"u8) || Ascii.EqualsIgnoreCase(word, "BY"u8))
            {
                i++;
            }
            else if (Ascii.EqualsIgnoreCase(word, "STORE"u8) && i + 1 < arguments.Count)
            {
                store = i + 1;
            }
        }

        return store < 0 ? KeyRange.None : new KeyRange(store, store, 1);
    }

    private static void Run(CommandContext context, bool readOnly)
    {
        if (!TryParse(context, readOnly, out var job))
        {
            return;
        }

        if (!job.ReadsOtherKeys)
        {
            var whole = new SortInOneStep(context, job);
            context.Store.ExecuteOnKeys(context.Request, 1, 2, job.StoreIndex, ref whole);
        }
        else
        {
            var load = new LoadElements(job);
            context.Store.ExecuteOnKeys(context.Request, 1, 2, -1, ref load);
            job.Sort(context.Store);
            job.Collect(context.Store);
            if (job.StoreIndex < 0 || job.ConversionFailed)
            {
                job.Reply(context);
                return;
            }

            var store = new StoreResult(context, job);
            context.Store.ExecuteOnKeys(context.Request, job.StoreIndex, job.StoreIndex + 1, -1, ref store);
        }

        if (job.Stored is { } stored)
        {
            context.Aof.Replaced(context.Argument(job.StoreIndex), stored);
        }
        else if (job.StoreIndex >= 0 && !job.ConversionFailed)
        {
            context.Aof.Delete(context.Argument(job.StoreIndex));
        }
    }

    /// <summary>The options, parsed in Redis's order with its errors; the key's type is checked after them.</summary>
    private static bool TryParse(CommandContext context, bool readOnly, out SortJob job)
    {
        job = new SortJob(context.Argument(1).ToArray());
        var cluster = context.Server.Cluster is { Snapshot.Enabled: true };
        for (var j = 2; j < context.ArgumentCount; j++)
        {
            var left = context.ArgumentCount - j - 1;
            if (context.ArgumentIs(j, "ASC"u8))
            {
                job.Descending = false;
            }
            else if (context.ArgumentIs(j, "DESC"u8))
            {
                job.Descending = true;
            }
            else if (context.ArgumentIs(j, "ALPHA"u8))
            {
                job.Alpha = true;
            }
            else if (context.ArgumentIs(j, "LIMIT"u8) && left >= 2)
            {
                if (!context.TryGetInt64OrReply(j + 1, out job.LimitStart) || !context.TryGetInt64OrReply(j + 2, out job.LimitCount))
                {
                    return false;
                }

                j += 2;
            }
            else if (!readOnly && context.ArgumentIs(j, "STORE"u8) && left >= 1)
            {
                job.StoreIndex = j + 1;
                j++;
            }
            else if (context.ArgumentIs(j, "BY"u8) && left >= 1)
            {
                var pattern = context.Argument(j + 1);
                job.By = pattern.ToArray();
                // A pattern with no '*' names one key for every element: nothing to sort by (and it stays so).
                if (CString.Of(pattern).IndexOf((byte)'*') < 0)
                {
                    job.DontSort = true;
                }
                else if (cluster)
                {
                    context.WriteError("ERR BY option of SORT denied in Cluster mode.");
                    return false;
                }
                else if (!HasAllKeys(context))
                {
                    context.WriteError("ERR BY option of SORT denied due to insufficient ACL permissions.");
                    return false;
                }

                j++;
            }
            else if (context.ArgumentIs(j, "GET"u8) && left >= 1)
            {
                if (cluster)
                {
                    context.WriteError("ERR GET option of SORT denied in Cluster mode.");
                    return false;
                }

                if (!HasAllKeys(context))
                {
                    context.WriteError("ERR GET option of SORT denied due to insufficient ACL permissions.");
                    return false;
                }

                job.Gets.Add(context.Argument(j + 1).ToArray());
                j++;
            }
            else
            {
                context.WriteSyntaxError();
                return false;
            }
        }

        return true;
    }

    /// <summary>Redis lets BY and GET read any key only for a user who may read every key.</summary>
    private static bool HasAllKeys(CommandContext context) =>
        context.Client.User is not { } user || Acl.AclCheck.HasUnrestrictedAccess(user.Rules, KeyAccess.Read);

    /// <summary>A sort that reads no other key: load, sort, answer or store, all under the key's and destination's locks.</summary>
    private readonly struct SortInOneStep(CommandContext context, SortJob job) : IKeysOperation
    {
        public void Apply(LockedKeys keys)
        {
            job.Load(keys);
            job.Sort(context.Store);
            job.Collect(context.Store);
            if (job.StoreIndex < 0 || job.ConversionFailed)
            {
                job.Reply(context);
                return;
            }

            job.Store(keys, context.Argument(job.StoreIndex));
            context.Output.WriteInteger(job.OutputLength);
        }
    }

    private readonly struct LoadElements(SortJob job) : IKeysOperation
    {
        public void Apply(LockedKeys keys) => job.Load(keys);
    }

    private readonly struct StoreResult(CommandContext context, SortJob job) : IKeysOperation
    {
        public void Apply(LockedKeys keys)
        {
            job.Store(keys, context.Argument(job.StoreIndex));
            context.Output.WriteInteger(job.OutputLength);
        }
    }
}
