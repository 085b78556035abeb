using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// PFADD, PFCOUNT, PFMERGE on Redis's HLL strings (<see cref="HyperLogLog"/>): a value made by Redis and SET here
/// counts the same, and GET of a value made here gives Redis's bytes.
/// </summary>
/// <remarks>
/// AOF: PFADD is logged as sent when it changed the key (after a DEL when it created it); PFMERGE as the SET of its
/// result (its sources may have expired at run time yet be present during replay); PFCOUNT, which writes the
/// cardinality it computed into the value's header as Redis does, is logged as sent when it did
/// (<see cref="CommandDefinition.MayReplicate"/>), as Redis propagates it.
/// </remarks>
internal static class HyperLogLogCommands
{
    public static CommandDefinition[] Definitions { get; } =
    [
        new("pfadd", -2, Write | DenyOom | Fast, 1, 1, 1, PfAdd, "hyperloglog", "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.", "2.8.9")
        {
            KeyFlags = ["RW", "insert"],
        },
        new("pfcount", -2, ReadOnly, 1, -1, 1, PfCount, "hyperloglog", "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).", "2.8.9")
        {
            MayReplicate = true,
            KeySpecs =
            [
                KeySpec.Range(1, -1, 1, KeyAccess.Read, "RW", "access")
                    with { Notes = "RW because it may change the internal representation of the key, and propagate to replicas" },
            ],
        },
        new("pfmerge", -2, Write | DenyOom, 1, -1, 1, PfMerge, "hyperloglog", "Merges one or more HyperLogLog values into a single key.", "2.8.9")
        {
            VariableKeyAccess = PfMergeKeyAccess,
            KeyFlags = ["RW", "access", "insert"],
            LaterKeyFlags = ["RO", "access"],
        },
    ];

    /// <summary>
    /// The destination is read and written; but with no source key, Redis 7.0's ACL finds its source key spec
    /// beyond the arguments and checks no key at all (ACL DRYRUN answers OK for a read-only or a write-only pattern),
    /// which "must match some pattern" is the closest PepperCache's key access comes to.
    /// </summary>
    private static KeyAccess PfMergeKeyAccess(ArgumentView arguments) => arguments.Count == 2 ? KeyAccess.None : KeyAccess.ReadWrite;

    private static ReadOnlySpan<byte> NotHyperLogLog => "WRONGTYPE Key is not a valid HyperLogLog string value."u8;

    private static ReadOnlySpan<byte> Corrupted => "INVALIDOBJ Corrupted HLL object detected"u8;

    private enum Failure : byte
    {
        None,
        NotHyperLogLog,
        Corrupted,
        WrongType,
    }

    public static void PfAdd(CommandContext context)
    {
        var key = context.Argument(1);
        var operation = new AddOperation(context.Request, context.Store.Encodings.HllSparseMaxBytes);
        StringUpdateResult result;
        try
        {
            result = context.Store.UpdateString(key, unshare: true, ref operation);
        }
        finally
        {
            operation.Dispose();
        }

        if (Reply(context, operation.Failure))
        {
            return;
        }

        if (operation.Updated)
        {
            if (result == StringUpdateResult.Created)
            {
                context.Aof.Created(key);
            }

            context.Aof.Request(context.Request);
        }

        context.Output.WriteRaw(operation.Updated ? RespConstants.One : RespConstants.Zero);
    }

    /// <summary>
    /// One key: the cached cardinality, or a new count written back into the header. Several keys: the count of their
    /// union, computed from a merge that no key keeps.
    /// </summary>
    public static void PfCount(CommandContext context)
    {
        if (context.ArgumentCount > 2)
        {
            var union = new UnionCountOperation();
            context.Store.CombineStrings(context.Request, 1, context.ArgumentCount, -1, keepDestinationTtl: false, ref union, out _);
            context.Client.KeyspaceHits += union.Found;
            context.Client.KeyspaceMisses += union.Missing;
            if (!Reply(context, union.Failure))
            {
                context.Output.WriteInteger(union.Count);
            }

            return;
        }

        var operation = new CountOperation();
        var result = context.Store.UpdateString(context.Argument(1), unshare: true, ref operation);
        if (result == StringUpdateResult.Missing)
        {
            context.Client.KeyspaceMisses++;
        }
        else
        {
            context.Client.KeyspaceHits++;
        }

        if (Reply(context, operation.Failure))
        {
            return;
        }

        if (result == StringUpdateResult.Changed)
        {
            context.Aof.Request(context.Request);
        }

        context.Output.WriteInteger(operation.Count);
    }

    public static void PfMerge(CommandContext context)
    {
        var operation = new MergeOperation(context.Store.Encodings.HllSparseMaxBytes);
        StoreValue written;
        try
        {
            written = context.Store.CombineStrings(context.Request, 1, context.ArgumentCount, 1, keepDestinationTtl: true, ref operation, out _);
        }
        finally
        {
            operation.Dispose();
        }

        context.Client.KeyspaceHits += operation.Found;
        context.Client.KeyspaceMisses += operation.Missing;
        if (Reply(context, operation.Failure))
        {
            return;
        }

        context.Aof.Set(context.Argument(1), written.Span, written.ExpiresAt);
        context.Output.WriteOk();
    }

    /// <summary>Writes the error for <paramref name="failure"/>; false when there is none.</summary>
    private static bool Reply(CommandContext context, Failure failure)
    {
        switch (failure)
        {
            case Failure.None:
                return false;
            case Failure.NotHyperLogLog:
                context.WriteError(NotHyperLogLog);
                break;
            case Failure.Corrupted:
                context.WriteError(Corrupted);
                break;
            default:
                context.WriteError(ErrorMessages.WrongType);
                break;
        }

        return true;
    }

    /// <summary>
    /// Merges the sources, in order, into one register per byte, stopping at the first that is not an HLL, as Redis's
    /// loops do; returns the failure met, if any.
    /// </summary>
    private static Failure MergeSources(ReadOnlySpan<StoreValue> sources, bool complete, Span<byte> max, ref int found, ref int missing, out bool anyDense)
    {
        anyDense = false;
        foreach (var source in sources)
        {
            if (!source.HasValue)
            {
                missing++;
                continue;
            }

            found++;
            if (!HyperLogLog.IsValid(source.Span))
            {
                return Failure.NotHyperLogLog;
            }

            anyDense |= source.Span[4] == HyperLogLog.Dense;
            if (!HyperLogLog.MergeInto(max, source.Span))
            {
                return Failure.Corrupted;
            }
        }

        if (!complete)
        {
            found++;
            return Failure.WrongType;
        }

        return Failure.None;
    }

    [SuppressMessage("Design", "CA1001", Justification = "A struct the handler disposes after the store call.")]
    private struct AddOperation(RespRequest request, long sparseMaxBytes) : IStringUpdate, IDisposable
    {
        private HyperLogLogBuffer? _buffer;

        public bool Updated;
        public Failure Failure;

        public long Prepare(ReadOnlySpan<byte> current, bool exists)
        {
            if (exists && !HyperLogLog.IsValid(current))
            {
                Failure = Failure.NotHyperLogLog;
                return -2;
            }

            if (exists && current[4] == HyperLogLog.Dense)
            {
                // A dense value keeps its size: only tell here whether a register rises; Apply raises them, in place
                // when the store can, so a PFADD costs its elements, not the 12 KB of registers.
                var registers = current[HyperLogLog.HeaderSize..];
                for (var i = 2; i < request.Count && !Updated; i++)
                {
                    Updated = HyperLogLog.PatternLength(request[i], out var register) > HyperLogLog.GetDenseRegister(registers, register);
                }

                return Updated ? current.Length : -1;
            }

            // Redis creates the key before adding anything: a PFADD with no element creates an empty HLL.
            _buffer = new HyperLogLogBuffer(exists ? current : HyperLogLog.CreateEmpty(), sparseMaxBytes);
            Updated = !exists;
            for (var i = 2; i < request.Count; i++)
            {
                switch (_buffer.Add(request[i]))
                {
                    case 1:
                        Updated = true;
                        break;
                    case -1:
                        Failure = Failure.Corrupted;
                        Updated = false;
                        return -2;
                }
            }

            if (!Updated)
            {
                return -1;
            }

            _buffer.InvalidateCache();
            return _buffer.Value.Length;
        }

        public readonly void Apply(Span<byte> value)
        {
            if (_buffer is not null)
            {
                // Sparse (or new): the buffer holds the whole new value, at most hll-sparse-max-bytes or one dense value.
                _buffer.Value.CopyTo(value);
                return;
            }

            var registers = value[HyperLogLog.HeaderSize..];
            for (var i = 2; i < request.Count; i++)
            {
                var count = HyperLogLog.PatternLength(request[i], out var register);
                if (count > HyperLogLog.GetDenseRegister(registers, register))
                {
                    HyperLogLog.SetDenseRegister(registers, register, count);
                }
            }

            HyperLogLog.InvalidateCache(value);
        }

        public readonly void Dispose() => _buffer?.Dispose();
    }

    private struct CountOperation : IStringUpdate
    {
        public long Count;
        public Failure Failure;

        public long Prepare(ReadOnlySpan<byte> current, bool exists)
        {
            if (!exists)
            {
                return -2;
            }

            if (!HyperLogLog.IsValid(current))
            {
                Failure = Failure.NotHyperLogLog;
                return -2;
            }

            if (HyperLogLog.HasValidCache(current))
            {
                Count = (long)HyperLogLog.CachedCount(current);
                return -1;
            }

            Count = HyperLogLog.Count(current);
            if (Count < 0)
            {
                Failure = Failure.Corrupted;
                return -1;
            }

            return current.Length;
        }

        public readonly void Apply(Span<byte> value) => HyperLogLog.WriteCachedCount(value, (ulong)Count);
    }

    private struct UnionCountOperation : IStringsOperation
    {
        public long Count;
        public Failure Failure;
        public int Found;
        public int Missing;

        public readonly bool KeepsSources => false;

        public long Prepare(ReadOnlySpan<StoreValue> sources, bool complete)
        {
            Span<byte> max = stackalloc byte[HyperLogLog.Registers];
            max.Clear();
            Failure = MergeSources(sources, complete, max, ref Found, ref Missing, out _);
            if (Failure == Failure.None)
            {
                Count = HyperLogLog.CountRaw(max);
            }

            return KeyValueStore.KeepDestination;
        }

        public readonly void Write(ReadOnlySpan<StoreValue> sources, Span<byte> target)
        {
        }
    }

    /// <summary>
    /// Redis's pfmergeCommand: the destination (also the first source) is created or kept, made dense when any
    /// source is dense, and then each register the merge raised is set in it in register order, so a sparse result
    /// has Redis's exact opcodes.
    /// </summary>
    [SuppressMessage("Design", "CA1001", Justification = "A struct the handler disposes after the store call.")]
    private struct MergeOperation(long sparseMaxBytes) : IStringsOperation, IDisposable
    {
        private HyperLogLogBuffer? _buffer;

        public Failure Failure;
        public int Found;
        public int Missing;

        public readonly bool KeepsSources => false;

        public long Prepare(ReadOnlySpan<StoreValue> sources, bool complete)
        {
            var max = ArrayPool<byte>.Shared.Rent(HyperLogLog.Registers);
            try
            {
                var registers = max.AsSpan(0, HyperLogLog.Registers);
                registers.Clear();
                Failure = MergeSources(sources, complete, registers, ref Found, ref Missing, out var anyDense);
                if (Failure != Failure.None)
                {
                    return KeyValueStore.KeepDestination;
                }

                var destination = sources[0];
                _buffer = new HyperLogLogBuffer(destination.HasValue ? destination.Span : HyperLogLog.CreateEmpty(), sparseMaxBytes);
                if (anyDense && !_buffer.ToDense())
                {
                    Failure = Failure.Corrupted;
                    return KeyValueStore.KeepDestination;
                }

                for (var j = 0; j < HyperLogLog.Registers; j++)
                {
                    if (registers[j] != 0)
                    {
                        _buffer.Set(j, registers[j]);
                    }
                }

                _buffer.InvalidateCache();
                return _buffer.Value.Length;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(max);
            }
        }

        public readonly void Write(ReadOnlySpan<StoreValue> sources, Span<byte> target) => _buffer!.Value.CopyTo(target);

        public readonly void Dispose() => _buffer?.Dispose();
    }
}
