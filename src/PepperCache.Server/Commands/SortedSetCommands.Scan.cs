using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// ZSCAN: a cursor over a sorted set's members, with MATCH and COUNT, as Redis answers it for either encoding.
internal static partial class SortedSetCommands
{
    /// <summary>
    /// ZSCAN key cursor [MATCH pattern] [COUNT count]: a bad cursor is refused before the key is looked up, the options
    /// only once the key is found to hold a sorted set, as Redis does.
    /// </summary>
    public static void ZScan(CommandContext context)
    {
        if (!ScanOptions.TryReadCursor(context, 2, out var cursor))
        {
            return;
        }

        var operation = new ScanSet(context, (long)Math.Min(cursor, long.MaxValue));
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
    }

    private readonly struct ScanSet(CommandContext context, long cursor) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not SortedSetObject set)
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

            var items = new List<(byte[] Member, double Score)>();
            // A listpack answers its stored text (Redis's d2string), a skip list the double.
            var stored = set.IsListpack;
            var next = set.Scan(cursor, (int)Math.Min(options.Count, int.MaxValue / 10), options.Pattern, items);
            WriteScanReply(output, next, items, stored);
        }

        private static void WriteScanReply(System.Buffers.IBufferWriter<byte> output, long next, List<(byte[] Member, double Score)> items, bool stored = false)
        {
            ScanOptions.WriteHeader(output, next);
            output.WriteArrayHeader(items.Count * 2);
            Span<byte> text = stackalloc byte[SortedSetScore.MaxLength];
            foreach (var (member, score) in items)
            {
                output.WriteBulkString(member);
                output.WriteBulkString(text[..(stored ? SortedSetScore.FormatStored(score, text) : SortedSetScore.Format(score, text))]);
            }
        }
    }
}
