using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// BITOP AND|OR|XOR|NOT destkey key [key ...].
internal static partial class BitmapCommands
{
    private enum BitOperator : byte
    {
        And,
        Or,
        Xor,
        Not,
    }

    /// <summary>
    /// Sources and destination are read and written with their shards locked together. Missing sources are empty
    /// strings; an all-empty result deletes the destination; a result replaces the destination's value and TTL (Redis's
    /// setKey) and is <c>raw</c>. The reply is the result's length.
    /// </summary>
    public static void BitOp(CommandContext context)
    {
        BitOperator op;
        if (context.ArgumentIs(1, "and"u8))
        {
            op = BitOperator.And;
        }
        else if (context.ArgumentIs(1, "or"u8))
        {
            op = BitOperator.Or;
        }
        else if (context.ArgumentIs(1, "xor"u8))
        {
            op = BitOperator.Xor;
        }
        else if (context.ArgumentIs(1, "not"u8))
        {
            op = BitOperator.Not;
        }
        else
        {
            context.WriteSyntaxError();
            return;
        }

        if (op == BitOperator.Not && context.ArgumentCount != 4)
        {
            context.WriteError("ERR BITOP NOT must be called with a single source key."u8);
            return;
        }

        var operation = new BitOpOperation(op);
        var written = context.Store.CombineStrings(context.Request, 3, context.ArgumentCount, 2, keepDestinationTtl: false, ref operation, out var deleted);
        context.Client.KeyspaceHits += operation.Found;
        context.Client.KeyspaceMisses += operation.Missing;
        if (operation.WrongType)
        {
            context.WriteError(ErrorMessages.WrongType);
            return;
        }

        var destination = context.Argument(2);
        if (written.HasValue)
        {
            context.Aof.Set(destination, written.Span, 0);
        }
        else if (deleted)
        {
            context.Aof.Delete(destination);
        }

        context.Output.WriteInteger(operation.Length);
    }

    private struct BitOpOperation(BitOperator op) : IStringsOperation
    {
        public long Length;
        public bool WrongType;
        public int Found;
        public int Missing;

        public readonly bool KeepsSources => false;

        public long Prepare(ReadOnlySpan<StoreValue> sources, bool complete)
        {
            foreach (var source in sources)
            {
                if (source.HasValue)
                {
                    Found++;
                    Length = Math.Max(Length, source.Length);
                }
                else
                {
                    Missing++;
                }
            }

            if (!complete)
            {
                // The lookup that met the key of another type counts as a hit, as Redis's lookupKeyRead does.
                Found++;
                WrongType = true;
                Length = 0;
                return KeyValueStore.KeepDestination;
            }

            return Length == 0 ? KeyValueStore.DeleteDestination : Length;
        }

        public readonly void Write(ReadOnlySpan<StoreValue> sources, Span<byte> target)
        {
            // Bytes past a source's end read as 0.
            var first = sources[0].Span;
            first.CopyTo(target);
            target[first.Length..].Clear();
            if (op == BitOperator.Not)
            {
                for (var i = 0; i < target.Length; i++)
                {
                    target[i] = (byte)~target[i];
                }

                return;
            }

            for (var s = 1; s < sources.Length; s++)
            {
                var source = sources[s].Span;
                var common = Math.Min(source.Length, target.Length);
                switch (op)
                {
                    case BitOperator.And:
                        for (var i = 0; i < common; i++)
                        {
                            target[i] &= source[i];
                        }

                        target[common..].Clear();
                        break;
                    case BitOperator.Or:
                        for (var i = 0; i < common; i++)
                        {
                            target[i] |= source[i];
                        }

                        break;
                    default:
                        for (var i = 0; i < common; i++)
                        {
                            target[i] ^= source[i];
                        }

                        break;
                }
            }
        }
    }
}
