using System.Buffers;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// A large list moving in pieces: its elements walked in payload form (head first), and pieces pushed at the tail.
public sealed partial class ListObject
{
    /// <summary>The elements head first, as <see cref="Serialize"/> writes them.</summary>
    public override PayloadCursor OpenPayloadCursor() => new ElementCursor(this);

    /// <summary>Pushes a payload's elements at the tail, in order; false for a bad payload.</summary>
    public override bool TryAppendPayload(ReadOnlySpan<byte> payload, EncodingSettings settings)
    {
        if (!StoreObjectFormat.TryReadHeader(ref payload, 1, out var count))
        {
            return false;
        }

        for (var i = 0UL; i < count; i++)
        {
            if (!StoreObjectFormat.TryReadBytes(ref payload, out var element))
            {
                return false;
            }

            Push(element, head: false);
        }

        return payload.IsEmpty;
    }

    private sealed class ElementCursor(ListObject list) : PayloadCursor
    {
        // The list's finger makes each next index found from the last, so the walk is linear.
        private long _index = -1;

        public override bool MoveNext() => ++_index < list._count;

        public override int Size => StoreObjectFormat.BytesSize(list[_index].Length);

        public override void Write(IBufferWriter<byte> output) => StoreObjectFormat.WriteBytes(output, list[_index]);
    }
}
