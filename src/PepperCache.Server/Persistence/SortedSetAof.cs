using System.Globalization;
using PepperCache.Core.Types;
using PepperCache.Protocol;

namespace PepperCache.Server.Persistence;

/// <summary>The records sorted-set commands log by effect (see <see cref="Commands.SortedSetCommands"/>).</summary>
internal static class SortedSetAof
{
    /// <summary>ZADD key score member: what ZINCRBY and ZADD INCR are logged as (the score they stored).</summary>
    public static void Add(AofFeed feed, ReadOnlySpan<byte> key, double score, ReadOnlySpan<byte> member)
    {
        if (feed.Target is { } target)
        {
            Span<byte> text = stackalloc byte[SortedSetScore.MaxLength];
            AofRecords.WriteCommand(target, "ZADD"u8, key, text[..SortedSetScore.Format(score, text)], member);
        }
    }

    /// <summary>ZPOPMIN/ZPOPMAX key count of what a pop removed, as Redis propagates ZMPOP.</summary>
    public static void Pop(AofFeed feed, ReadOnlySpan<byte> key, bool max, long count)
    {
        if (feed.Target is { } target)
        {
            Span<byte> digits = stackalloc byte[20];
            count.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
            AofRecords.WriteCommand(target, max ? "ZPOPMAX"u8 : "ZPOPMIN"u8, key, digits[..length]);
        }
    }

    /// <summary>A STORE command's result: DEL of the destination, then the ZADDs that rebuild the result (none when empty).</summary>
    public static void Replace(AofFeed feed, ReadOnlySpan<byte> key, SortedSetObject? result)
    {
        if (feed.Target is { } target)
        {
            AofRecords.WriteCommand(target, "DEL"u8, key);
            result?.WriteRestoreCommands(key, target);
        }
    }
}
