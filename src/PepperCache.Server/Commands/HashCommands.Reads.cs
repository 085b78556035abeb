using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Reads: one field (HGET, HEXISTS, HSTRLEN), several (HMGET), the size (HLEN), everything (HGETALL, HKEYS, HVALS).
internal static partial class HashCommands
{
    public static void HGet(CommandContext context) => Read(context, ReadKind.Value);

    public static void HExists(CommandContext context) => Read(context, ReadKind.Exists);

    public static void HStrLen(CommandContext context) => Read(context, ReadKind.Length);

    public static void HLen(CommandContext context) => Read(context, ReadKind.Count);

    public static void HMGet(CommandContext context) => Read(context, ReadKind.Values);

    public static void HGetAll(CommandContext context) => Read(context, ReadKind.FieldsAndValues);

    public static void HKeys(CommandContext context) => Read(context, ReadKind.Fields);

    public static void HVals(CommandContext context) => Read(context, ReadKind.AllValues);

    private static void Read(CommandContext context, ReadKind kind)
    {
        var operation = new ReadHash(context, kind);
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
    }

    private enum ReadKind
    {
        Value,
        Exists,
        Length,
        Count,
        Values,
        FieldsAndValues,
        Fields,
        AllValues,
    }

    /// <summary>Every read that answers from the hash as it is: the reply is written here, under the shard lock.</summary>
    private readonly struct ReadHash(CommandContext context, ReadKind kind) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var hash = value as HashObject;
            if (hash is null)
            {
                context.Client.KeyspaceMisses++;
            }
            else
            {
                context.Client.KeyspaceHits++;
            }

            var output = context.Output;
            switch (kind)
            {
                case ReadKind.Value:
                    if (hash is not null && hash.TryGetValue(context.Argument(2), out var found))
                    {
                        output.WriteBulkString(found);
                    }
                    else
                    {
                        output.WriteNull(context.Resp3);
                    }

                    break;
                case ReadKind.Exists:
                    output.WriteRaw(hash is not null && hash.ContainsField(context.Argument(2)) ? RespConstants.One : RespConstants.Zero);
                    break;
                case ReadKind.Length:
                    output.WriteInteger(hash is not null && hash.TryGetValue(context.Argument(2), out var text) ? text.Length : 0);
                    break;
                case ReadKind.Count:
                    output.WriteInteger(hash?.Count ?? 0);
                    break;
                case ReadKind.Values:
                    output.WriteArrayHeader(context.ArgumentCount - 2);
                    for (var i = 2; i < context.ArgumentCount; i++)
                    {
                        if (hash is not null && hash.TryGetValue(context.Argument(i), out var item))
                        {
                            output.WriteBulkString(item);
                        }
                        else
                        {
                            output.WriteNull(context.Resp3);
                        }
                    }

                    break;
                default:
                    WriteAll(hash);
                    break;
            }
        }

        /// <summary>HGETALL, HKEYS, HVALS: in slot order, which for a listpack is Redis's order.</summary>
        private void WriteAll(HashObject? hash)
        {
            // HGETALL answers a map (an empty one for no hash), HKEYS and HVALS an array.
            var output = context.Output;
            var count = hash is null ? 0 : (int)hash.Count;
            if (kind == ReadKind.FieldsAndValues)
            {
                output.WriteMapHeader(count, context.Resp3);
            }
            else
            {
                output.WriteArrayHeader(count);
            }

            if (hash is null)
            {
                return;
            }

            foreach (var pair in hash)
            {
                if (kind != ReadKind.AllValues)
                {
                    output.WriteBulkString(HashObject.FieldOf(pair));
                }

                if (kind != ReadKind.Fields)
                {
                    output.WriteBulkString(HashObject.ValueOf(pair));
                }
            }
        }
    }
}
