using System.Buffers;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>
/// What SCAN, HSCAN, SSCAN and ZSCAN share: the cursor, the options <c>[MATCH pattern] [COUNT count]</c> (and SCAN's
/// <c>[TYPE type]</c>) read in pairs as Redis's scanGenericCommand reads them (the last of each kind wins, a COUNT
/// below 1 or anything else is a syntax error), and the reply's frame.
/// </summary>
internal readonly ref struct ScanOptions
{
    private const long DefaultCount = 10;

    private ScanOptions(long count, ReadOnlySpan<byte> pattern, int typeIndex)
    {
        Count = count;
        Pattern = pattern;
        TypeIndex = typeIndex;
    }

    /// <summary>The COUNT hint, 10 when not given; at least 1.</summary>
    public long Count { get; }

    /// <summary>The MATCH pattern, empty for none or "*": the stores take an empty pattern to match all without matching.</summary>
    public ReadOnlySpan<byte> Pattern { get; }

    /// <summary>The argument index of SCAN's TYPE name, 0 when not given.</summary>
    public int TypeIndex { get; }

    /// <summary>
    /// Reads the cursor at <paramref name="index"/>, answering Redis's "invalid cursor" when it is not one. Cursors the
    /// stores hand out are non-negative longs; a larger one (Redis accepts up to 2^64-1) is returned as it is.
    /// </summary>
    public static bool TryReadCursor(CommandContext context, int index, out ulong cursor)
    {
        if (KeyCommands.TryParseCursor(context.Argument(index), out cursor))
        {
            return true;
        }

        context.WriteError(ErrorMessages.InvalidCursor);
        return false;
    }

    /// <summary>Reads the options from argument <paramref name="first"/> on, answering the error when they are wrong.</summary>
    public static bool TryParse(CommandContext context, int first, bool allowType, out ScanOptions options)
    {
        options = default;
        var count = DefaultCount;
        var patternIndex = 0;
        var typeIndex = 0;
        for (var i = first; i < context.ArgumentCount; i += 2)
        {
            var hasValue = i + 1 < context.ArgumentCount;
            if (hasValue && context.ArgumentIs(i, "COUNT"u8))
            {
                if (!context.TryGetInt64OrReply(i + 1, out count))
                {
                    return false;
                }

                if (count < 1)
                {
                    context.WriteSyntaxError();
                    return false;
                }
            }
            else if (hasValue && context.ArgumentIs(i, "MATCH"u8))
            {
                patternIndex = i + 1;
            }
            else if (allowType && hasValue && context.ArgumentIs(i, "TYPE"u8))
            {
                typeIndex = i + 1;
            }
            else
            {
                context.WriteSyntaxError();
                return false;
            }
        }

        var pattern = patternIndex == 0 || context.Argument(patternIndex).SequenceEqual("*"u8)
            ? ReadOnlySpan<byte>.Empty
            : context.Argument(patternIndex);
        options = new ScanOptions(count, pattern, typeIndex);
        return true;
    }

    /// <summary>The reply's frame: a two-element array, the next cursor, then the caller writes the elements' array.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, long next)
    {
        output.WriteArrayHeader(2);
        output.WriteBulkString(next);
    }

    /// <summary>The reply for a missing key or a finished scan: cursor 0 and no elements.</summary>
    public static void WriteEmpty(IBufferWriter<byte> output)
    {
        WriteHeader(output, 0);
        output.WriteRaw(RespConstants.EmptyArray);
    }
}
