using System.Buffers;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// A large hash moving in pieces: its fields walked in payload form, and pieces added to one being rebuilt.
public sealed partial class HashObject
{
    /// <summary>The fields in slot order, as <see cref="Serialize"/> writes them.</summary>
    public override PayloadCursor OpenPayloadCursor() => new PairCursor(this);

    /// <summary>Adds a payload's fields; false for a bad payload or a field already here.</summary>
    public override bool TryAppendPayload(ReadOnlySpan<byte> payload, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!StoreObjectFormat.TryReadHeader(ref payload, 2, out var count))
        {
            return false;
        }

        for (var i = 0UL; i < count; i++)
        {
            if (!StoreObjectFormat.TryReadBytes(ref payload, out var field) || !StoreObjectFormat.TryReadBytes(ref payload, out var value)
                || !Set(field, value, settings))
            {
                return false;
            }
        }

        return payload.IsEmpty;
    }

    private sealed class PairCursor(HashObject hash) : PayloadCursor
    {
        private Enumerator _pairs = hash.GetEnumerator();

        public override bool MoveNext() => _pairs.MoveNext();

        public override int Size =>
            StoreObjectFormat.BytesSize(FieldOf(_pairs.Current).Length) + StoreObjectFormat.BytesSize(ValueOf(_pairs.Current).Length);

        public override void Write(IBufferWriter<byte> output)
        {
            StoreObjectFormat.WriteBytes(output, FieldOf(_pairs.Current));
            StoreObjectFormat.WriteBytes(output, ValueOf(_pairs.Current));
        }
    }
}
