using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// Bitmap commands: bit-level reads and writes of string values (Redis's bitops.c). Split by concern: this file
/// (SETBIT, GETBIT, BITCOUNT, BITPOS), <c>BitmapCommands.BitOp.cs</c> (BITOP) and <c>BitmapCommands.Field.cs</c>
/// (BITFIELD, BITFIELD_RO).
/// </summary>
/// <remarks>
/// Reads copy nothing: string entries are immutable, so a value read under the lock is counted after it. A write
/// builds the new value in a new entry (one copy of the value per command, where Redis changes it in place).
/// AOF: SETBIT and BITFIELD are logged as sent when they changed an existing key, and after a DEL when they created
/// it (the key may have expired at run time but be present during replay); BITOP is logged as the SET (or DEL) of
/// its result, since its sources may be such keys too.
/// </remarks>
internal static partial class BitmapCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("setbit", 4, Write | DenyOom, 1, 1, 1, SetBit, "bitmap", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", "2.2.0") { KeyAccess = KeyAccess.ReadWrite },
        new("getbit", 3, ReadOnly | Fast, 1, 1, 1, GetBit, "bitmap", "Returns a bit value by offset.", "2.2.0"),
        new("bitcount", -2, ReadOnly, 1, 1, 1, BitCount, "bitmap", "Counts the number of set bits (population counting) in a string.", "2.6.0"),
        new("bitpos", -3, ReadOnly, 1, 1, 1, BitPos, "bitmap", "Finds the first set (1) or clear (0) bit in a string.", "2.8.7"),
        new("bitop", -4, Write | DenyOom, 2, -1, 1, BitOp, "bitmap", "Performs bitwise operations on multiple strings, and stores the result.", "2.6.0")
        {
            KeyFlags = ["OW", "update"],
            LaterKeyFlags = ["RO", "access"],
        },
        new("bitfield", -2, Write | DenyOom, 1, 1, 1, BitField, "bitmap", "Performs arbitrary bitfield integer operations on strings.", "3.2.0")
        {
            VariableKeyAccess = BitFieldKeyAccess,
            KeySpecs =
            [
                KeySpec.Range(1, 0, 1, KeyAccess.ReadWrite, "RW", "access", "update", "variable_flags")
                    with { Notes = "This command allows both access and modification of the key" },
            ],
        },
        new("bitfield_ro", -2, ReadOnly | Fast, 1, 1, 1, BitFieldReadOnly, "bitmap", "Performs arbitrary read-only bitfield integer operations on strings.", "6.0.0"),
    ];

    private static ReadOnlySpan<byte> BitOffsetError => "ERR bit offset is not an integer or out of range"u8;

    private static ReadOnlySpan<byte> BitValueError => "ERR bit is not an integer or out of range"u8;

    private static ReadOnlySpan<byte> BitArgumentError => "ERR The bit argument must be 1 or 0."u8;

    public static void SetBit(CommandContext context)
    {
        if (!TryGetBitOffset(context, 2, hashForm: false, bits: 0, out var offset))
        {
            return;
        }

        var bit = context.Argument(3);
        if (bit.Length != 1 || (bit[0] != (byte)'0' && bit[0] != (byte)'1'))
        {
            context.WriteError(BitValueError);
            return;
        }

        var key = context.Argument(1);
        var operation = new SetBitOperation(offset, bit[0] - '0');
        var result = context.Store.UpdateString(key, unshare: true, ref operation);
        if (result == StringUpdateResult.Created || operation.Changed)
        {
            LogChange(context, key, result);
        }

        context.Output.WriteRaw(operation.Previous != 0 ? RespConstants.One : RespConstants.Zero);
    }

    public static void GetBit(CommandContext context)
    {
        if (!TryGetBitOffset(context, 2, hashForm: false, bits: 0, out var offset))
        {
            return;
        }

        // Read under the shard lock rather than through a StoreValue, which would mark the bitmap shared and make the
        // next SETBIT copy it whole: GETBIT and SETBIT in turn stay O(1), as in Redis.
        var operation = new GetBitOperation(offset);
        if (context.Store.UpdateString(context.Argument(1), unshare: false, ref operation) == StringUpdateResult.Missing)
        {
            context.Client.KeyspaceMisses++;
        }
        else
        {
            context.Client.KeyspaceHits++;
        }

        context.Output.WriteRaw(operation.Bit != 0 ? RespConstants.One : RespConstants.Zero);
    }

    /// <summary>BITCOUNT key [start end [BYTE|BIT]]: a missing key answers 0 before the range is even parsed, as in Redis.</summary>
    public static void BitCount(CommandContext context)
    {
        if (!TryRead(context, out var stored))
        {
            context.Output.WriteRaw(RespConstants.Zero);
            return;
        }

        var value = stored.Span;
        long start, end;
        byte firstMask = 0, lastMask = 0;
        if (context.ArgumentCount is 4 or 5)
        {
            long total = value.Length;
            if (!context.TryGetInt64OrReply(2, out start) || !context.TryGetInt64OrReply(3, out end))
            {
                return;
            }

            if (start < 0 && end < 0 && start > end)
            {
                context.Output.WriteRaw(RespConstants.Zero);
                return;
            }

            if (!TryGetUnit(context, 4, out var isBit))
            {
                return;
            }

            ClampRange(ref start, ref end, isBit ? total << 3 : total);
            if (isBit && start <= end)
            {
                (firstMask, lastMask) = EdgeMasks(start, end);
                start >>= 3;
                end >>= 3;
            }
        }
        else if (context.ArgumentCount == 2)
        {
            start = 0;
            end = value.Length - 1;
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        if (start > end)
        {
            context.Output.WriteRaw(RespConstants.Zero);
            return;
        }

        var count = Bitmap.PopCount(value.Slice((int)start, (int)(end - start + 1)));
        // Bits of the edge bytes outside a BIT range were counted: take them off again.
        count -= System.Numerics.BitOperations.PopCount((uint)(value[(int)start] & firstMask))
                 + System.Numerics.BitOperations.PopCount((uint)(value[(int)end] & lastMask));
        context.Output.WriteInteger(count);
    }

    /// <summary>BITPOS key bit [start [end [BYTE|BIT]]], step for step as Redis's bitposCommand.</summary>
    public static void BitPos(CommandContext context)
    {
        if (!context.TryGetInt64OrReply(2, out var bit))
        {
            return;
        }

        if (bit is not (0 or 1))
        {
            context.WriteError(BitArgumentError);
            return;
        }

        if (!TryRead(context, out var stored))
        {
            // A missing key is an endless run of 0 bits.
            context.Output.WriteInteger(bit == 1 ? -1 : 0);
            return;
        }

        var value = stored.Span;
        long start, end;
        var endGiven = false;
        byte firstMask = 0, lastMask = 0;
        if (context.ArgumentCount is 4 or 5 or 6)
        {
            long total = value.Length;
            if (!context.TryGetInt64OrReply(3, out start))
            {
                return;
            }

            if (!TryGetUnit(context, 5, out var isBit))
            {
                return;
            }

            if (context.ArgumentCount >= 5)
            {
                if (!context.TryGetInt64OrReply(4, out end))
                {
                    return;
                }

                endGiven = true;
            }
            else
            {
                end = total - 1;
            }

            ClampRange(ref start, ref end, isBit ? total << 3 : total);
            if (isBit && start <= end)
            {
                (firstMask, lastMask) = EdgeMasks(start, end);
                start >>= 3;
                end >>= 3;
            }
        }
        else if (context.ArgumentCount == 3)
        {
            start = 0;
            end = value.Length - 1;
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        if (start > end)
        {
            context.Output.WriteRaw(RespConstants.MinusOne);
            return;
        }

        context.Output.WriteInteger(FindBit(value, (int)bit, start, end, firstMask, lastMask, endGiven));
    }

    /// <summary>
    /// The search of bitposCommand over bytes [start, end]: the edge bytes of a BIT range are searched with the bits
    /// outside the range forced to the opposite value, the bytes between as they are.
    /// </summary>
    private static long FindBit(ReadOnlySpan<byte> value, int bit, long start, long end, byte firstMask, byte lastMask, bool endGiven)
    {
        var bytes = end - start + 1;
        long position;
        Span<byte> edge = stackalloc byte[1];
        if (firstMask != 0)
        {
            var b = value[(int)start];
            b = (byte)(bit != 0 ? b & ~firstMask : b | firstMask);
            if (lastMask != 0 && bytes == 1)
            {
                b = (byte)(bit != 0 ? b & ~lastMask : b | lastMask);
            }

            edge[0] = b;
            position = Bitmap.Position(edge, bit);
            if (bytes == 1 || (position != -1 && position != 8))
            {
                return Result(position, start, bytes);
            }

            start++;
            bytes--;
        }

        var middle = bytes - (lastMask != 0 ? 1 : 0);
        if (middle > 0)
        {
            position = Bitmap.Position(value.Slice((int)start, (int)middle), bit);
            if (bytes == middle || (position != -1 && position != middle << 3))
            {
                return Result(position, start, bytes);
            }

            start += middle;
            bytes -= middle;
        }

        edge[0] = (byte)(bit != 0 ? value[(int)end] & ~lastMask : value[(int)end] | lastMask);
        position = Bitmap.Position(edge, bit);
        return Result(position, start, bytes);

        // Looking for a 0 in an explicit range: the first bit after the range is not in it, so there is none.
        long Result(long position, long start, long bytes) =>
            endGiven && bit == 0 && position == bytes << 3 ? -1 : position != -1 ? position + (start << 3) : position;
    }

    /// <summary>Negative indexes count from the end; the range is clipped to [0, total - 1].</summary>
    private static void ClampRange(ref long start, ref long end, long total)
    {
        if (start < 0)
        {
            start = total + start;
        }

        if (end < 0)
        {
            end = total + end;
        }

        start = Math.Max(start, 0);
        end = Math.Max(end, 0);
        end = Math.Min(end, total - 1);
    }

    /// <summary>Masks of the bits of the first and last byte that lie outside the bit range [start, end].</summary>
    private static (byte First, byte Last) EdgeMasks(long start, long end) =>
        ((byte)(~((1 << (8 - (int)(start & 7))) - 1) & 0xFF), (byte)((1 << (7 - (int)(end & 7))) - 1));

    /// <summary>The optional BYTE|BIT argument at <paramref name="index"/> (BYTE when absent); a syntax error otherwise.</summary>
    private static bool TryGetUnit(CommandContext context, int index, out bool isBit)
    {
        isBit = false;
        if (context.ArgumentCount <= index)
        {
            return true;
        }

        if (context.ArgumentIs(index, "bit"u8))
        {
            isBit = true;
            return true;
        }

        if (context.ArgumentIs(index, "byte"u8))
        {
            return true;
        }

        context.WriteSyntaxError();
        return false;
    }

    /// <summary>The key's string value for a read, counting the lookup as a keyspace hit or miss (WRONGTYPE throws).</summary>
    private static bool TryRead(CommandContext context, out StoreValue value)
    {
        if (context.Store.TryGet(context.Argument(1), out value))
        {
            context.Client.KeyspaceHits++;
            return true;
        }

        context.Client.KeyspaceMisses++;
        return false;
    }

    /// <summary>
    /// Redis's getBitOffsetFromArgument: a non-negative integer (with <paramref name="hashForm"/>, also <c>#n</c>,
    /// meaning n fields of <paramref name="bits"/>) whose byte is below proto-max-bulk-len.
    /// </summary>
    internal static bool TryGetBitOffset(CommandContext context, int index, bool hashForm, int bits, out long offset)
    {
        var text = context.Argument(index);
        var multiplied = hashForm && bits > 0 && text.Length > 0 && text[0] == (byte)'#';
        if (!RespParser.TryParseInt64(multiplied ? text[1..] : text, out offset))
        {
            context.WriteError(BitOffsetError);
            return false;
        }

        if (multiplied)
        {
            offset = unchecked(offset * bits);
        }

        if (offset < 0 || (offset >> 3) >= MaxBytes(context))
        {
            context.WriteError(BitOffsetError);
            return false;
        }

        return true;
    }

    /// <summary>
    /// proto-max-bulk-len as it is now, capped at what one .NET array holds beside the key and the entry header (which
    /// matters only when proto-max-bulk-len is set above 2 GB).
    /// </summary>
    private static long MaxBytes(CommandContext context) =>
        Math.Min(context.Server.Limits.MaxBulkLength, Array.MaxLength - 64L - context.Argument(1).Length);

    /// <summary>A change to the key at argument 1 by this command, logged so that replay reproduces it.</summary>
    private static void LogChange(CommandContext context, ReadOnlySpan<byte> key, StringUpdateResult result)
    {
        if (result == StringUpdateResult.Created)
        {
            context.Aof.Created(key);
        }

        context.Aof.Request(context.Request);
    }

    /// <summary>GETBIT: reads one bit under the lock and leaves the value untouched.</summary>
    private struct GetBitOperation(long offset) : IStringUpdate
    {
        public int Bit;

        public long Prepare(ReadOnlySpan<byte> current, bool exists)
        {
            Bit = Bitmap.GetBit(current, offset);
            return -2;
        }

        public readonly void Apply(Span<byte> value)
        {
        }
    }

    private struct SetBitOperation(long offset, int bit) : IStringUpdate
    {
        public int Previous;
        public bool Changed;

        public long Prepare(ReadOnlySpan<byte> current, bool exists)
        {
            Previous = Bitmap.GetBit(current, offset);
            var length = Math.Max(current.Length, (offset >> 3) + 1);
            Changed = length != current.Length || Previous != bit;
            // A bit already as asked changes nothing: -1 still makes the value raw, as Redis unshares it anyway.
            return Changed ? length : -1;
        }

        public readonly void Apply(Span<byte> value) => Bitmap.SetBit(value, offset, bit);
    }
}
