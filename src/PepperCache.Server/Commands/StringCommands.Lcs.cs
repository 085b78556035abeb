using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence, by Redis's dynamic
// programming table and its walk back from the end, so the string and the IDX matches (last first) are Redis's.
internal static partial class StringCommands
{
    private static ReadOnlySpan<byte> LcsNotStrings => "ERR The specified keys must contain string values"u8;

    private static ReadOnlySpan<byte> LcsOverLimit => "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"u8;

    private static ReadOnlySpan<byte> LcsAllocationFailed => "ERR Insufficient memory, failed allocating transient memory for LCS"u8;

    /// <summary>
    /// Both keys are read first (together, under their shard locks), then the options are parsed, as Redis does.
    /// The table is (len1+1)*(len2+1) 32-bit cells, refused beyond proto-max-bulk-len bytes as in Redis; it is
    /// transient and not counted as stored memory.
    /// </summary>
    public static void Lcs(CommandContext context)
    {
        var read = new ReadPair();
        context.Store.CombineStrings(context.Request, 1, 3, -1, keepDestinationTtl: false, ref read, out _);
        context.Client.KeyspaceHits += read.Found;
        context.Client.KeyspaceMisses += 2 - read.Found;
        if (read.WrongType)
        {
            context.WriteError(LcsNotStrings);
            return;
        }

        bool getLength = false, getIndexes = false, withMatchLength = false;
        long minMatchLength = 0;
        for (var j = 3; j < context.ArgumentCount; j++)
        {
            if (context.ArgumentIs(j, "idx"u8))
            {
                getIndexes = true;
            }
            else if (context.ArgumentIs(j, "len"u8))
            {
                getLength = true;
            }
            else if (context.ArgumentIs(j, "withmatchlen"u8))
            {
                withMatchLength = true;
            }
            else if (context.ArgumentIs(j, "minmatchlen"u8) && j + 1 < context.ArgumentCount)
            {
                if (!context.TryGetInt64OrReply(j + 1, out minMatchLength))
                {
                    return;
                }

                minMatchLength = Math.Max(minMatchLength, 0);
                j++;
            }
            else
            {
                context.WriteSyntaxError();
                return;
            }
        }

        if (getIndexes && getLength)
        {
            context.WriteError("ERR If you want both the length and indexes, please just use IDX."u8);
            return;
        }

        var a = read.First.Span;
        var b = read.Second.Span;
        var cells = (long)(a.Length + 1) * (b.Length + 1);
        if (cells * sizeof(uint) > context.Server.Limits.MaxBulkLength)
        {
            context.WriteError(LcsOverLimit);
            return;
        }

        uint[]? table = null;
        try
        {
            if (cells <= Array.MaxLength)
            {
                table = GC.AllocateUninitializedArray<uint>((int)cells);
            }
        }
        catch (OutOfMemoryException)
        {
        }

        if (table is null)
        {
            context.WriteError(LcsAllocationFailed);
            return;
        }

        FillLcsTable(a, b, table);
        WriteLcs(context, a, b, table, getLength, getIndexes, withMatchLength, minMatchLength);
    }

    /// <summary>table[i * (len2 + 1) + j] = length of the LCS of a[..i] and b[..j].</summary>
    private static void FillLcsTable(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, uint[] table)
    {
        var width = b.Length + 1;
        table.AsSpan(0, width).Clear();
        for (var i = 1; i <= a.Length; i++)
        {
            var row = table.AsSpan(i * width, width);
            var above = table.AsSpan((i - 1) * width, width);
            row[0] = 0;
            var ai = a[i - 1];
            for (var j = 1; j < width; j++)
            {
                row[j] = ai == b[j - 1] ? above[j - 1] + 1 : Math.Max(above[j], row[j - 1]);
            }
        }
    }

    private static void WriteLcs(
        CommandContext context, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, uint[] table, bool getLength, bool getIndexes, bool withMatchLength, long minMatchLength)
    {
        var width = b.Length + 1;
        var length = (int)table[(a.Length * width) + b.Length];
        if (getLength)
        {
            context.Output.WriteInteger(length);
            return;
        }

        var result = new byte[length];
        var matches = getIndexes ? new List<(int AStart, int AEnd, int BStart, int BEnd)>() : null;
        var idx = length;
        int i = a.Length, j = b.Length;
        // aStart == a.Length means no range is open.
        int aStart = a.Length, aEnd = 0, bStart = 0, bEnd = 0;
        while (i > 0 && j > 0)
        {
            var emit = false;
            if (a[i - 1] == b[j - 1])
            {
                result[idx - 1] = a[i - 1];
                if (aStart == a.Length)
                {
                    aStart = aEnd = i - 1;
                    bStart = bEnd = j - 1;
                }
                else if (aStart == i && bStart == j)
                {
                    // Contiguous with the open range: extend it backwards.
                    aStart--;
                    bStart--;
                }
                else
                {
                    emit = true;
                }

                if (aStart == 0 || bStart == 0)
                {
                    emit = true;
                }

                idx--;
                i--;
                j--;
            }
            else
            {
                if (table[((i - 1) * width) + j] > table[(i * width) + j - 1])
                {
                    i--;
                }
                else
                {
                    j--;
                }

                if (aStart != a.Length)
                {
                    emit = true;
                }
            }

            if (emit)
            {
                var matchLength = aEnd - aStart + 1;
                if (minMatchLength == 0 || matchLength >= minMatchLength)
                {
                    matches?.Add((aStart, aEnd, bStart, bEnd));
                }

                aStart = a.Length;
            }
        }

        var output = context.Output;
        if (matches is null)
        {
            output.WriteBulkString(result);
            return;
        }

        output.WriteMapHeader(2, context.Resp3);
        output.WriteBulkString("matches"u8);
        output.WriteArrayHeader(matches.Count);
        foreach (var (aFrom, aTo, bFrom, bTo) in matches)
        {
            output.WriteArrayHeader(withMatchLength ? 3 : 2);
            output.WriteArrayHeader(2);
            output.WriteInteger(aFrom);
            output.WriteInteger(aTo);
            output.WriteArrayHeader(2);
            output.WriteInteger(bFrom);
            output.WriteInteger(bTo);
            if (withMatchLength)
            {
                output.WriteInteger(aTo - aFrom + 1);
            }
        }

        output.WriteBulkString("len"u8);
        output.WriteInteger(length);
    }

    /// <summary>The two keys' values (empty when missing); a key of another type is LCS's own error.</summary>
    private struct ReadPair : IStringsOperation
    {
        public StoreValue First;
        public StoreValue Second;
        public int Found;
        public bool WrongType;

        public readonly bool KeepsSources => true;

        public long Prepare(ReadOnlySpan<StoreValue> sources, bool complete)
        {
            WrongType = !complete;
            if (complete)
            {
                First = sources[0];
                Second = sources[1];
                Found = (First.HasValue ? 1 : 0) + (Second.HasValue ? 1 : 0);
            }
            else
            {
                // Both keys are looked up before the type check: count them as Redis's two lookups do.
                Found = 2;
            }

            return KeyValueStore.KeepDestination;
        }

        public readonly void Write(ReadOnlySpan<StoreValue> sources, Span<byte> target)
        {
        }
    }
}
