using System.Buffers;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
// and BITFIELD_RO key [GET type offset ...], as Redis's bitfieldGeneric: every argument is checked before the key is
// touched; only GETs read the key, any SET or INCRBY creates it and grows it to the farthest bit written.
internal static partial class BitmapCommands
{
    private enum FieldOpcode : byte
    {
        Get,
        Set,
        IncrBy,
    }

    private static ReadOnlySpan<byte> BitFieldTypeError =>
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."u8;

    public static void BitField(CommandContext context) => BitFieldGeneric(context, readOnlyCommand: false);

    public static void BitFieldReadOnly(CommandContext context) => BitFieldGeneric(context, readOnlyCommand: true);

    /// <summary>Redis's bitfieldGetKeys: BITFIELD only reads its key when every operation is a GET.</summary>
    private static KeyAccess BitFieldKeyAccess(ArgumentView arguments)
    {
        for (var i = 2; i < arguments.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(arguments[i], "set"u8) || Ascii.EqualsIgnoreCase(arguments[i], "incrby"u8))
            {
                return KeyAccess.ReadWrite;
            }
        }

        return KeyAccess.Read;
    }

    private static void BitFieldGeneric(CommandContext context, bool readOnlyCommand)
    {
        var ops = ArrayPool<FieldOp>.Shared.Rent(Math.Max(1, context.ArgumentCount / 3));
        try
        {
            if (!TryParseFieldOps(context, ops, out var count, out var highestWrite))
            {
                return;
            }

            var writes = highestWrite >= 0;
            if (!writes)
            {
                ReadFields(context, ops.AsSpan(0, count));
                return;
            }

            if (readOnlyCommand)
            {
                context.WriteError("ERR BITFIELD_RO only supports the GET subcommand"u8);
                return;
            }

            var results = ArrayPool<long>.Shared.Rent(count);
            try
            {
                var operation = new BitFieldOperation(ops, count, highestWrite, results);
                var key = context.Argument(1);
                var result = context.Store.UpdateString(key, unshare: true, ref operation);
                if (result == StringUpdateResult.Created || operation.Changes > 0 || operation.Grew)
                {
                    LogChange(context, key, result);
                }

                var output = context.Output;
                output.WriteArrayHeader(count);
                for (var i = 0; i < count; i++)
                {
                    if (ops[i].Failed)
                    {
                        output.WriteNull(context.Resp3);
                    }
                    else
                    {
                        output.WriteInteger(results[i]);
                    }
                }
            }
            finally
            {
                ArrayPool<long>.Shared.Return(results);
            }
        }
        finally
        {
            ArrayPool<FieldOp>.Shared.Return(ops);
        }
    }

    /// <summary>Only GETs: the key is looked up for reading (WRONGTYPE for another type) and never created.</summary>
    private static void ReadFields(CommandContext context, ReadOnlySpan<FieldOp> ops)
    {
        var value = TryRead(context, out var stored) ? stored.Span : default;
        var output = context.Output;
        output.WriteArrayHeader(ops.Length);
        foreach (var op in ops)
        {
            output.WriteInteger(op.Signed ? Bitmap.GetSigned(value, op.Offset, op.Bits) : (long)Bitmap.GetUnsigned(value, op.Offset, op.Bits));
        }
    }

    private static bool TryParseFieldOps(CommandContext context, FieldOp[] ops, out int count, out long highestWrite)
    {
        count = 0;
        highestWrite = -1;
        var overflow = Bitmap.Overflow.Wrap;
        for (var j = 2; j < context.ArgumentCount; j++)
        {
            var remaining = context.ArgumentCount - j - 1;
            FieldOpcode opcode;
            if (context.ArgumentIs(j, "get"u8) && remaining >= 2)
            {
                opcode = FieldOpcode.Get;
            }
            else if (context.ArgumentIs(j, "set"u8) && remaining >= 3)
            {
                opcode = FieldOpcode.Set;
            }
            else if (context.ArgumentIs(j, "incrby"u8) && remaining >= 3)
            {
                opcode = FieldOpcode.IncrBy;
            }
            else if (context.ArgumentIs(j, "overflow"u8) && remaining >= 1)
            {
                j++;
                if (context.ArgumentIs(j, "wrap"u8))
                {
                    overflow = Bitmap.Overflow.Wrap;
                }
                else if (context.ArgumentIs(j, "sat"u8))
                {
                    overflow = Bitmap.Overflow.Saturate;
                }
                else if (context.ArgumentIs(j, "fail"u8))
                {
                    overflow = Bitmap.Overflow.Fail;
                }
                else
                {
                    context.WriteError("ERR Invalid OVERFLOW type specified"u8);
                    return false;
                }

                continue;
            }
            else
            {
                context.WriteSyntaxError();
                return false;
            }

            if (!TryGetFieldType(context.Argument(j + 1), out var signed, out var bits))
            {
                context.WriteError(BitFieldTypeError);
                return false;
            }

            if (!TryGetBitOffset(context, j + 2, hashForm: true, bits, out var offset))
            {
                return false;
            }

            long value = 0;
            if (opcode != FieldOpcode.Get)
            {
                highestWrite = Math.Max(highestWrite, offset + bits - 1);
                if (!context.TryGetInt64OrReply(j + 3, out value))
                {
                    return false;
                }
            }

            ops[count++] = new FieldOp { Opcode = opcode, Signed = signed, Bits = bits, Offset = offset, Value = value, Overflow = overflow };
            j += opcode == FieldOpcode.Get ? 2 : 3;
        }

        return true;
    }

    /// <summary>i1..i64 or u1..u63, case-sensitive, as Redis's getBitfieldTypeFromArgument.</summary>
    private static bool TryGetFieldType(ReadOnlySpan<byte> text, out bool signed, out int bits)
    {
        bits = 0;
        signed = text.Length > 0 && text[0] == (byte)'i';
        if (text.Length == 0 || (!signed && text[0] != (byte)'u') || !RespParser.TryParseInt64(text[1..], out var width))
        {
            return false;
        }

        if (width < 1 || width > (signed ? 64 : 63))
        {
            return false;
        }

        bits = (int)width;
        return true;
    }

    private struct FieldOp
    {
        public FieldOpcode Opcode;
        public bool Signed;
        public bool Failed;
        public Bitmap.Overflow Overflow;
        public int Bits;
        public long Offset;
        public long Value;
    }

    /// <summary>
    /// Grows the value to the farthest bit any SET or INCRBY writes (even one that then fails), then runs the
    /// operations in order on the new value, recording each reply.
    /// </summary>
    private struct BitFieldOperation(FieldOp[] ops, int count, long highestWrite, long[] results) : IStringUpdate
    {
        public int Changes;
        public bool Grew;

        public long Prepare(ReadOnlySpan<byte> current, bool exists)
        {
            var length = Math.Max(current.Length, (highestWrite >> 3) + 1);
            Grew = exists && length != current.Length;
            return length;
        }

        public void Apply(Span<byte> target)
        {
            for (var i = 0; i < count; i++)
            {
                ref var op = ref ops[i];
                op.Failed = false;
                if (op.Opcode == FieldOpcode.Get)
                {
                    results[i] = op.Signed ? Bitmap.GetSigned(target, op.Offset, op.Bits) : (long)Bitmap.GetUnsigned(target, op.Offset, op.Bits);
                }
                else if (op.Signed)
                {
                    RunSigned(ref op, target, out results[i]);
                }
                else
                {
                    RunUnsigned(ref op, target, out results[i]);
                }
            }
        }

        private void RunSigned(ref FieldOp op, Span<byte> target, out long reply)
        {
            var old = Bitmap.GetSigned(target, op.Offset, op.Bits);
            long updated;
            bool overflow;
            if (op.Opcode == FieldOpcode.IncrBy)
            {
                overflow = Bitmap.SignedOverflows(old, op.Value, op.Bits, op.Overflow, out var limit);
                updated = overflow ? limit : unchecked(old + op.Value);
                reply = updated;
            }
            else
            {
                overflow = Bitmap.SignedOverflows(op.Value, 0, op.Bits, op.Overflow, out var limit);
                updated = overflow ? limit : op.Value;
                reply = old;
            }

            if (overflow && op.Overflow == Bitmap.Overflow.Fail)
            {
                op.Failed = true;
                return;
            }

            Bitmap.SetField(target, op.Offset, op.Bits, (ulong)updated);
            if (old != updated)
            {
                Changes++;
            }
        }

        private void RunUnsigned(ref FieldOp op, Span<byte> target, out long reply)
        {
            var old = Bitmap.GetUnsigned(target, op.Offset, op.Bits);
            ulong updated;
            bool overflow;
            if (op.Opcode == FieldOpcode.IncrBy)
            {
                overflow = Bitmap.UnsignedOverflows(old, op.Value, op.Bits, op.Overflow, out var limit);
                updated = overflow ? limit : unchecked(old + (ulong)op.Value);
                reply = (long)updated;
            }
            else
            {
                overflow = Bitmap.UnsignedOverflows((ulong)op.Value, 0, op.Bits, op.Overflow, out var limit);
                updated = overflow ? limit : (ulong)op.Value;
                reply = (long)old;
            }

            if (overflow && op.Overflow == Bitmap.Overflow.Fail)
            {
                op.Failed = true;
                return;
            }

            Bitmap.SetField(target, op.Offset, op.Bits, updated);
            if (old != updated)
            {
                Changes++;
            }
        }
    }
}
