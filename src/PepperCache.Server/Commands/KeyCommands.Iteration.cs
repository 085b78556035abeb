using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Iteration: KEYS and SCAN. Both gather into the connection's reusable key list and clear it after replying.
internal static partial class KeyCommands
{
    public static void Keys(CommandContext context)
    {
        var keys = context.KeyBuffer;
        keys.Clear();
        try
        {
            context.Store.Keys(context.Argument(1), keys);
            WriteKeys(context.Output, keys);
        }
        finally
        {
            keys.Clear();
        }
    }

    /// <summary>SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]; the reply is [next-cursor, [keys...]].</summary>
    public static void Scan(CommandContext context)
    {
        if (!ScanOptions.TryReadCursor(context, 1, out var cursor)
            || !ScanOptions.TryParse(context, 2, allowType: true, out var options))
        {
            return;
        }

        // Cursors this store hands out are non-negative longs; a larger one ends the scan.
        if (cursor > long.MaxValue)
        {
            ScanOptions.WriteEmpty(context.Output);
            return;
        }

        var keys = context.KeyBuffer;
        keys.Clear();
        try
        {
            var next = context.Store.Scan((long)cursor, options.Pattern, (int)Math.Min(options.Count, int.MaxValue), keys);
            if (options.TypeIndex != 0)
            {
                FilterByType(context, keys, context.Argument(options.TypeIndex));
            }

            ScanOptions.WriteHeader(context.Output, next);
            WriteKeys(context.Output, keys);
        }
        finally
        {
            keys.Clear();
        }
    }

    /// <summary>
    /// SCAN's TYPE, as Redis does it: a lookup of each key that passed MATCH (counted as a hit or miss), keeping those
    /// of the named type; an unknown type name keeps nothing (Redis 7.0 answers no error for it).
    /// </summary>
    private static void FilterByType(CommandContext context, List<byte[]> keys, ReadOnlySpan<byte> typeName)
    {
        var known = DataTypeNames.TryParse(typeName, out var wanted);
        var kept = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            var type = context.Store.TypeOf(key);
            if (type is null)
            {
                context.Client.KeyspaceMisses++;
                continue;
            }

            context.Client.KeyspaceHits++;
            if (known && type == wanted)
            {
                keys[kept++] = key;
            }
        }

        keys.RemoveRange(kept, keys.Count - kept);
    }

    private static void WriteKeys(IBufferWriter<byte> output, List<byte[]> keys)
    {
        output.WriteArrayHeader(keys.Count);
        foreach (var key in keys)
        {
            output.WriteBulkString(key);
        }
    }

    /// <summary>
    /// Redis's parseScanCursorOrReply (strtoul): no leading space, an optional sign ("-1" wraps to 2^64-1), decimal
    /// digits, nothing after them, no overflow. An empty cursor reads as 0, as it does in Redis.
    /// </summary>
    internal static bool TryParseCursor(ReadOnlySpan<byte> text, out ulong cursor)
    {
        cursor = 0;
        if (text.IsEmpty)
        {
            return true;
        }

        var negative = text[0] == (byte)'-';
        var digits = text[0] is (byte)'+' or (byte)'-' ? text[1..] : text;
        if (digits.IsEmpty)
        {
            // strtoul reads no number from a lone sign and stops at its start, which is not the end of the text.
            return false;
        }

        foreach (var b in digits)
        {
            var d = (uint)(b - '0');
            if (d > 9 || cursor > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            cursor = (cursor * 10) + d;
        }

        if (negative)
        {
            cursor = unchecked(0 - cursor);
        }

        return true;
    }
}
