using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// Length and byte-range commands: APPEND, STRLEN, GETRANGE, SETRANGE.
internal static partial class StringCommands
{
    public static void Append(CommandContext context)
    {
        var key = context.Argument(1);
        var value = context.Argument(2);
        // Redis's checkStringLength: the result may not outgrow proto-max-bulk-len (checked, as in Redis, before the write).
        if (value.Length > 0 && context.Store.StringLength(key, touch: false) > MaxStringLength(context, key.Length) - value.Length)
        {
            context.WriteError(ErrorMessages.StringTooLong);
            return;
        }

        var before = BeforeLengthChange(context, key);
        var length = context.Store.Append(key, value);
        AfterLengthChange(context, key, before);
        context.Output.WriteInteger(length);
    }

    public static void StrLen(CommandContext context)
    {
        // Read under the lock rather than through a StoreValue, which would pin the value and make the next APPEND or
        // SETRANGE copy it whole; and not StringLength: an empty string is a hit, a missing key a miss.
        var operation = new LengthOperation();
        if (context.Store.UpdateString(context.Argument(1), unshare: false, ref operation) == StringUpdateResult.Missing)
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteRaw(RespConstants.Zero);
        }
        else
        {
            context.Client.KeyspaceHits++;
            context.Output.WriteInteger(operation.Length);
        }
    }

    /// <summary>Longest GETRANGE reply written under the shard lock; a longer one is copied out after it.</summary>
    private const int RangeUnderLock = 16 * 1024;

    /// <summary>GETRANGE key start end: inclusive, negative indexes count from the end, out of range gives "".</summary>
    public static void GetRange(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var start) || !context.TryGetInt64OrReply(3, out var end))
        {
            return;
        }

        // A short range is written under the lock, so it does not pin the value (the next APPEND or SETRANGE still
        // writes in place); a long one is read again through a StoreValue and copied after the lock, so the lock is
        // never held for a big copy. That second lookup reads the value afresh, so the reply is still one state of it.
        var operation = new RangeOperation(context.Output, start, end);
        if (context.Store.UpdateString(context.Argument(1), unshare: false, ref operation) == StringUpdateResult.Missing)
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteRaw(RespConstants.EmptyBulk);
            return;
        }

        if (operation.Written)
        {
            context.Client.KeyspaceHits++;
            return;
        }

        if (!context.Store.TryGet(context.Argument(1), out var value))
        {
            context.Client.KeyspaceMisses++;
            context.Output.WriteRaw(RespConstants.EmptyBulk);
            return;
        }

        context.Client.KeyspaceHits++;
        WriteRange(context.Output, value.Span, start, end);
    }

    /// <summary>GETRANGE's reply for <paramref name="value"/>: Redis's index rules, "" when the range is empty.</summary>
    private static void WriteRange(IBufferWriter<byte> output, ReadOnlySpan<byte> value, long start, long end)
    {
        if (!TrySlice(value.Length, ref start, ref end))
        {
            output.WriteRaw(RespConstants.EmptyBulk);
            return;
        }

        output.WriteBulkString(value.Slice((int)start, (int)(end - start + 1)));
    }

    private static bool TrySlice(long length, ref long start, ref long end)
    {
        if (start < 0 && end < 0 && start > end)
        {
            return false;
        }

        if (start < 0)
        {
            start = Math.Max(0, length + start);
        }

        if (end < 0)
        {
            end = Math.Max(0, length + end);
        }

        end = Math.Min(end, length - 1);
        return start <= end && length != 0;
    }

    /// <summary>SETRANGE key offset value: zero-pads a short or missing value; returns the new length.</summary>
    public static void SetRange(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var offset))
        {
            return;
        }

        if (offset < 0)
        {
            context.WriteError(ErrorMessages.OffsetOutOfRange);
            return;
        }

        var key = context.Argument(1);
        var value = context.Argument(3);
        if (value.IsEmpty)
        {
            // Nothing to write: Redis answers the current length (0 when missing) without checking the size limit.
            context.Output.WriteInteger(context.Store.StringLength(key));
            return;
        }

        if (offset > MaxStringLength(context, key.Length) - value.Length)
        {
            // Redis checks the key's type before the size.
            if (context.Store.TypeOf(key) is { } type && type != DataType.String)
            {
                WrongTypeException.Throw();
            }

            context.WriteError(ErrorMessages.StringTooLong);
            return;
        }

        var before = BeforeLengthChange(context, key);
        var length = context.Store.SetRange(key, offset, value);
        AfterLengthChange(context, key, before);
        context.Output.WriteInteger(length);
    }

    /// <summary>The key's expiry before an APPEND or SETRANGE runs under the log (-1 none, -2 missing).</summary>
    private static long BeforeLengthChange(CommandContext context, ReadOnlySpan<byte> key) =>
        context.Aof.IsRecording ? context.Store.GetExpiresAt(key) : -1;

    /// <summary>
    /// On a key that cannot expire the command replays as it ran, so it is logged as sent. On a missing or volatile
    /// key, replay could meet a key that had expired at run time, so the result is logged as a SET.
    /// </summary>
    private static void AfterLengthChange(CommandContext context, ReadOnlySpan<byte> key, long expiryBefore)
    {
        if (!context.Aof.IsRecording)
        {
            return;
        }

        if (expiryBefore == -1)
        {
            context.Aof.Request(context.Request);
        }
        else if (context.Store.TryGet(key, out var value))
        {
            context.Aof.Set(key, value.Span, value.ExpiresAt);
        }
    }

    /// <summary>
    /// The largest value a command may build: proto-max-bulk-len as it is now (the parser's live limit, which CONFIG
    /// SET changes, rather than the start-up option), and never more than fits one .NET array together with its key
    /// and the entry header (which matters only when proto-max-bulk-len is set above 2 GB).
    /// </summary>
    private static long MaxStringLength(CommandContext context, int keyLength) =>
        Math.Min(context.Server.Limits.MaxBulkLength, Array.MaxLength - 64L - keyLength);

    /// <summary>GETRANGE: writes a short range's reply under the lock, leaving the value untouched.</summary>
    private struct RangeOperation(IBufferWriter<byte> output, long start, long end) : IStringUpdate
    {
        public bool Written;

        public long Prepare(ReadOnlySpan<byte> current, bool exists)
        {
            var from = start;
            var to = end;
            if (exists && (!TrySlice(current.Length, ref from, ref to) || to - from < RangeUnderLock))
            {
                WriteRange(output, current, start, end);
                Written = true;
            }

            return -2;
        }

        public readonly void Apply(Span<byte> value)
        {
        }
    }

    /// <summary>STRLEN: reads the length under the lock and leaves the value untouched.</summary>
    private struct LengthOperation : IStringUpdate
    {
        public int Length;

        public long Prepare(ReadOnlySpan<byte> current, bool exists)
        {
            Length = current.Length;
            return -2;
        }

        public readonly void Apply(Span<byte> value)
        {
        }
    }
}
