using System.Buffers;
using System.Buffers.Binary;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// A large sorted set moving in pieces: its members walked in payload form (in order), and pieces added to one being rebuilt.
public sealed partial class SortedSetObject
{
    /// <summary>An empty set to load <paramref name="total"/> members into: a skip list when they cannot fit a listpack.</summary>
    internal static SortedSetObject CreateForLoad(long total, EncodingSettings settings)
    {
        var set = new SortedSetObject();
        if (total > settings.ZsetMaxListpackEntries)
        {
            set._items = null;
            set._count = 0;
            set.InitializeSkipList((int)Math.Min(total, 1 << 16));
        }

        return set;
    }

    /// <summary>The members in order with their scores, as <see cref="Serialize"/> writes them.</summary>
    public override PayloadCursor OpenPayloadCursor() => new MemberCursor(this);

    /// <summary>Adds a payload's members with their exact scores; false for a bad payload, a NaN score or a member already here.</summary>
    public override bool TryAppendPayload(ReadOnlySpan<byte> payload, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!StoreObjectFormat.TryReadHeader(ref payload, 9, out var count))
        {
            return false;
        }

        for (var i = 0UL; i < count; i++)
        {
            if (payload.Length < 8)
            {
                return false;
            }

            var score = BinaryPrimitives.ReadDoubleLittleEndian(payload);
            payload = payload[8..];
            if (double.IsNaN(score) || !StoreObjectFormat.TryReadBytes(ref payload, out var member) || !Set(member, score, settings))
            {
                return false;
            }
        }

        return payload.IsEmpty;
    }

    private sealed class MemberCursor(SortedSetObject set) : PayloadCursor
    {
        private Walker _walker = set.WalkFrom(0, reverse: false);

        public override bool MoveNext() => _walker.MoveNext();

        public override int Size => 8 + StoreObjectFormat.BytesSize(_walker.Member.Length);

        public override void Write(IBufferWriter<byte> output)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), _walker.Score);
            output.Advance(8);
            StoreObjectFormat.WriteBytes(output, _walker.Member);
        }
    }
}
