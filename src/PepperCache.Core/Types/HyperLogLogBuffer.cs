using System.Buffers;
using static PepperCache.Core.Types.HyperLogLog;

namespace PepperCache.Core.Types;

/// <summary>
/// A working copy of an HLL value that PFADD and PFMERGE change in place, as Redis changes its sds string: a sparse
/// register update splits and merges opcodes exactly as hllSparseSet does (so the bytes match Redis's), and turns the
/// value dense when a register outgrows the sparse form or the value would pass <c>hll-sparse-max-bytes</c>.
/// The memory is rented; <see cref="Dispose"/> returns it.
/// </summary>
public sealed class HyperLogLogBuffer : IDisposable
{
    private byte[] _data;
    private int _length;
    private readonly long _sparseMaxBytes;

    /// <param name="value">A valid HLL value (<see cref="HyperLogLog.IsValid"/>) to start from.</param>
    /// <param name="sparseMaxBytes">Redis's hll-sparse-max-bytes: the longest a sparse value may grow.</param>
    public HyperLogLogBuffer(ReadOnlySpan<byte> value, long sparseMaxBytes)
    {
        // A sparse update adds at most 3 bytes; a conversion needs a dense value's room.
        _data = ArrayPool<byte>.Shared.Rent(Math.Max(value.Length + 4, DenseSize + 1));
        value.CopyTo(_data);
        _length = value.Length;
        _sparseMaxBytes = sparseMaxBytes;
    }

    public ReadOnlySpan<byte> Value => _data.AsSpan(0, _length);

    public bool IsDense => _data[4] == Dense;

    /// <summary>PFADD of one element: 1 when a register rose, 0 when none did, -1 for a corrupt sparse value.</summary>
    public int Add(ReadOnlySpan<byte> element)
    {
        var count = PatternLength(element, out var register);
        return Set(register, count);
    }

    /// <summary>Raises <paramref name="register"/> to <paramref name="count"/> if it is lower: 1 when it rose, 0 if not, -1 when corrupt.</summary>
    public int Set(int register, int count) => IsDense ? DenseSet(register, count) : SparseSet(register, count);

    public void InvalidateCache() => HyperLogLog.InvalidateCache(_data);

    public void WriteCachedCount(ulong count) => HyperLogLog.WriteCachedCount(_data, count);

    /// <summary>Converts a sparse value to dense (Redis's hllSparseToDense); false, leaving it as it was, when corrupt.</summary>
    public bool ToDense()
    {
        if (IsDense)
        {
            return true;
        }

        var dense = ArrayPool<byte>.Shared.Rent(Math.Max(DenseSize + 1, _length + 4));
        Array.Clear(dense, 0, DenseSize + 1);
        // The header travels whole: magic, unused bytes and the cached count.
        _data.AsSpan(0, HeaderSize).CopyTo(dense);
        dense[4] = Dense;
        var registers = dense.AsSpan(HeaderSize, DenseSize - HeaderSize);
        var opcodes = _data.AsSpan(HeaderSize, _length - HeaderSize);
        var index = 0;
        var p = 0;
        while (p < opcodes.Length)
        {
            var op = opcodes[p];
            int run;
            if (IsZero(op))
            {
                run = ZeroLength(op);
                if (run + index > Registers)
                {
                    break;
                }

                index += run;
                p++;
            }
            else if (IsXZero(op))
            {
                run = XZeroLength(opcodes, p);
                if (run + index > Registers)
                {
                    break;
                }

                index += run;
                p += 2;
            }
            else
            {
                run = ValLength(op);
                var value = ValValue(op);
                if (run + index > Registers)
                {
                    break;
                }

                for (; run > 0; run--, index++)
                {
                    SetDenseRegister(registers, index, value);
                }

                p++;
            }
        }

        if (index != Registers)
        {
            ArrayPool<byte>.Shared.Return(dense);
            return false;
        }

        ArrayPool<byte>.Shared.Return(_data);
        _data = dense;
        _length = DenseSize;
        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_data);
        _data = [];
        _length = 0;
    }

    private int DenseSet(int register, int count)
    {
        var registers = _data.AsSpan(HeaderSize, DenseSize - HeaderSize);
        if (count <= GetDenseRegister(registers, register))
        {
            return 0;
        }

        SetDenseRegister(registers, register, count);
        return 1;
    }

    // hllSparseSet: find the opcode covering the register, rewrite it as up to three opcodes (XZERO-VAL-XZERO at
    // worst), then merge equal neighbouring VALs among the five opcodes from the one before.
    private int SparseSet(int register, int count)
    {
        if (count > SparseValMaxValue)
        {
            return Promote(register, count);
        }

        var data = _data;
        var end = _length;
        var p = HeaderSize;
        var first = 0;
        var previous = -1;
        var span = 0;
        while (p < end)
        {
            var length = 1;
            var op = data[p];
            if (IsZero(op))
            {
                span = ZeroLength(op);
            }
            else if (IsVal(op))
            {
                span = ValLength(op);
            }
            else
            {
                span = XZeroLength(data.AsSpan(0, end), p);
                length = 2;
            }

            if (register <= first + span - 1)
            {
                break;
            }

            previous = p;
            p += length;
            first += span;
        }

        if (span == 0 || p >= end)
        {
            return -1;
        }

        var current = data[p];
        var isXZero = IsXZero(current);
        var next = isXZero ? p + 2 : p + 1;
        if (next >= end)
        {
            next = -1;
        }

        var isZero = IsZero(current);
        var isVal = IsVal(current);
        var runLength = isZero ? ZeroLength(current) : isXZero ? XZeroLength(data.AsSpan(0, end), p) : ValLength(current);
        if (isVal)
        {
            if (ValValue(current) >= count)
            {
                return 0;
            }

            if (runLength == 1)
            {
                data[p] = Val(count, 1);
                return Updated(previous);
            }
        }

        if (isZero && runLength == 1)
        {
            data[p] = Val(count, 1);
            return Updated(previous);
        }

        Span<byte> sequence = stackalloc byte[5];
        var n = 0;
        var last = first + span - 1;
        if (isZero || isXZero)
        {
            if (register != first)
            {
                n += WriteZeros(sequence[n..], register - first);
            }

            sequence[n++] = Val(count, 1);
            if (register != last)
            {
                n += WriteZeros(sequence[n..], last - register);
            }
        }
        else
        {
            var value = ValValue(current);
            if (register != first)
            {
                sequence[n++] = Val(value, register - first);
            }

            sequence[n++] = Val(count, 1);
            if (register != last)
            {
                sequence[n++] = Val(value, last - register);
            }
        }

        var oldLength = isXZero ? 2 : 1;
        var delta = n - oldLength;
        if (delta > 0 && _length + delta > _sparseMaxBytes)
        {
            return Promote(register, count);
        }

        if (_length + delta + 1 > data.Length)
        {
            // Only a sparse value allowed past a dense one's size (a raised hll-sparse-max-bytes) gets here.
            var larger = ArrayPool<byte>.Shared.Rent(data.Length * 2);
            data.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(data);
            _data = data = larger;
        }

        if (delta != 0 && next >= 0)
        {
            data.AsSpan(next, end - next).CopyTo(data.AsSpan(next + delta));
        }

        _length += delta;
        sequence[..n].CopyTo(data.AsSpan(p));
        return Updated(previous);
    }

    private int Updated(int previous)
    {
        var data = _data;
        var end = _length;
        var p = previous >= 0 ? previous : HeaderSize;
        var scan = 5;
        while (p < end && scan-- != 0)
        {
            if (IsXZero(data[p]))
            {
                p += 2;
                continue;
            }

            if (IsZero(data[p]))
            {
                p++;
                continue;
            }

            // Two neighbouring VALs of one value merge while the run fits one opcode; then try the merged one again.
            if (p + 1 < end && IsVal(data[p + 1]) && ValValue(data[p]) == ValValue(data[p + 1]))
            {
                var length = ValLength(data[p]) + ValLength(data[p + 1]);
                if (length <= SparseValMaxLength)
                {
                    data[p + 1] = Val(ValValue(data[p]), length);
                    data.AsSpan(p + 1, end - p - 1).CopyTo(data.AsSpan(p));
                    _length--;
                    end--;
                    continue;
                }
            }

            p++;
        }

        InvalidateCache();
        return 1;
    }

    private int Promote(int register, int count)
    {
        if (!ToDense())
        {
            return -1;
        }

        DenseSet(register, count);
        return 1;
    }

    private static int WriteZeros(Span<byte> target, int length)
    {
        if (length > SparseZeroMaxLength)
        {
            WriteXZero(target, length);
            return 2;
        }

        target[0] = Zero(length);
        return 1;
    }
}
