using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// HSCAN and HRANDFIELD.
internal static partial class HashCommands
{
    /// <summary>
    /// Most elements a negative HRANDFIELD count may ask for. Redis has no bound and would build the whole reply
    /// (-9223372036854775807 would never finish); here such a count is refused as out of range.
    /// </summary>
    internal const long MaxRandomReply = int.MaxValue / 2;

    /// <summary>
    /// HSCAN key cursor [MATCH pattern] [COUNT count]. As Redis: a bad cursor is refused before the key is looked up,
    /// the options only once the key is found to hold a hash (a missing key answers an empty scan whatever follows).
    /// </summary>
    public static void HScan(CommandContext context)
    {
        if (!ScanOptions.TryReadCursor(context, 2, out var cursor))
        {
            return;
        }

        var operation = new ScanHash(context, (long)Math.Min(cursor, long.MaxValue));
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
    }

    /// <summary>HRANDFIELD key [count [WITHVALUES]]: the count is checked before the key is looked up, as Redis does.</summary>
    public static void HRandField(CommandContext context)
    {
        if (!RandomCount.TryParse(context, "WITHVALUES"u8, out var parsed))
        {
            return;
        }

        var operation = new RandomFields(context, parsed.HasCount, parsed.Count, parsed.WithPairs);
        context.Store.Execute(context.Argument(1), DataType.Hash, ref operation);
    }

    private readonly struct ScanHash(CommandContext context, long cursor) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not HashObject hash)
            {
                context.Client.KeyspaceMisses++;
                ScanOptions.WriteEmpty(output);
                return;
            }

            context.Client.KeyspaceHits++;
            if (!ScanOptions.TryParse(context, 3, allowType: false, out var options))
            {
                return;
            }

            var pairs = context.KeyBuffer;
            pairs.Clear();
            try
            {
                var next = hash.Scan(cursor, (int)Math.Min(options.Count, int.MaxValue / 10), options.Pattern, pairs);
                WriteScanReply(output, next, pairs);
            }
            finally
            {
                pairs.Clear();
            }
        }

        private static void WriteScanReply(System.Buffers.IBufferWriter<byte> output, long next, List<byte[]> pairs)
        {
            ScanOptions.WriteHeader(output, next);
            output.WriteArrayHeader(pairs.Count * 2);
            foreach (var pair in pairs)
            {
                output.WriteBulkString(HashObject.FieldOf(pair));
                output.WriteBulkString(HashObject.ValueOf(pair));
            }
        }
    }

    /// <summary>Redis's hrandfieldWithCountCommand cases, in its order.</summary>
    private readonly struct RandomFields(CommandContext context, bool hasCount, long count, bool withValues) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not HashObject hash)
            {
                context.Client.KeyspaceMisses++;
                if (hasCount)
                {
                    output.WriteRaw(RespConstants.EmptyArray);
                }
                else
                {
                    output.WriteNull(context.Resp3);
                }

                return;
            }

            context.Client.KeyspaceHits++;
            var random = System.Random.Shared;
            if (!hasCount)
            {
                output.WriteBulkString(HashObject.FieldOf(hash.RandomPair(random)));
                return;
            }

            if (count == 0)
            {
                output.WriteRaw(RespConstants.EmptyArray);
                return;
            }

            // A negative count (repeats allowed) or one field: independent draws.
            if (count < 0 || count == 1)
            {
                var draws = (int)Math.Abs(count);
                WriteHeader(draws);
                for (var i = 0; i < draws; i++)
                {
                    Write(hash.RandomPair(random));
                }

                return;
            }

            // Asking for at least the whole hash: the whole hash, in its order.
            if (count >= hash.Count)
            {
                WriteHeader((int)hash.Count);
                foreach (var pair in hash)
                {
                    Write(pair);
                }

                return;
            }

            var pairs = context.KeyBuffer;
            pairs.Clear();
            try
            {
                hash.RandomDistinctPairs((int)count, random, pairs);
                WriteHeader(pairs.Count);
                foreach (var pair in pairs)
                {
                    Write(pair);
                }
            }
            finally
            {
                pairs.Clear();
            }
        }

        /// <summary>WITHVALUES: field/value pairs, nested in RESP3; fields alone otherwise.</summary>
        private void WriteHeader(int fields)
        {
            if (withValues)
            {
                context.Output.WritePairsHeader(fields, context.Resp3);
            }
            else
            {
                context.Output.WriteArrayHeader(fields);
            }
        }

        private void Write(byte[] pair)
        {
            if (withValues)
            {
                context.Output.WritePairHeader(context.Resp3);
            }

            context.Output.WriteBulkString(HashObject.FieldOf(pair));
            if (withValues)
            {
                context.Output.WriteBulkString(HashObject.ValueOf(pair));
            }
        }
    }
}
