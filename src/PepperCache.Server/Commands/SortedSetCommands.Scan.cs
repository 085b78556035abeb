using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// ZSCAN: a cursor over a sorted set's members, with MATCH and COUNT, as Redis answers it for either encoding.
internal static partial class SortedSetCommands
{
    private const long DefaultScanCount = 10;

    /// <summary>
    /// ZSCAN key cursor [MATCH pattern] [COUNT count]: a bad cursor is refused before the key is looked up, the options
    /// only once the key is found to hold a sorted set, as Redis does.
    /// </summary>
    public static void ZScan(CommandContext context)
    {
        if (!KeyCommands.TryParseCursor(context.Argument(2), out var cursor))
        {
            context.WriteError(ErrorMessages.InvalidCursor);
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
                WriteScanReply(output, 0, []);
                return;
            }

            context.Client.KeyspaceHits++;
            var count = DefaultScanCount;
            var patternIndex = 0;
            for (var i = 3; i < context.ArgumentCount; i += 2)
            {
                var hasValue = i + 1 < context.ArgumentCount;
                if (hasValue && context.ArgumentIs(i, "COUNT"u8))
                {
                    if (!context.TryGetInt64OrReply(i + 1, out count))
                    {
                        return;
                    }

                    if (count < 1)
                    {
                        context.WriteSyntaxError();
                        return;
                    }
                }
                else if (hasValue && context.ArgumentIs(i, "MATCH"u8))
                {
                    patternIndex = i + 1;
                }
                else
                {
                    context.WriteSyntaxError();
                    return;
                }
            }

            var pattern = patternIndex == 0 || context.Argument(patternIndex).SequenceEqual("*"u8)
                ? ReadOnlySpan<byte>.Empty
                : context.Argument(patternIndex);
            var items = new List<(byte[] Member, double Score)>();
            // A listpack answers its stored text (Redis's d2string), a skip list the double.
            var stored = set.IsListpack;
            var next = set.Scan(cursor, (int)Math.Min(count, int.MaxValue / 10), pattern, items);
            WriteScanReply(output, next, items, stored);
        }

        private static void WriteScanReply(System.Buffers.IBufferWriter<byte> output, long next, List<(byte[] Member, double Score)> items, bool stored = false)
        {
            output.WriteArrayHeader(2);
            output.WriteBulkString(next);
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
