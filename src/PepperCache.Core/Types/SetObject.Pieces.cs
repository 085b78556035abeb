using System.Buffers;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// A large set moving in pieces: its members walked in payload form, and pieces added to one being rebuilt.
public sealed partial class SetObject
{
    /// <summary>The members as <see cref="Serialize"/> writes them (an integer as its decimal text).</summary>
    public override PayloadCursor OpenPayloadCursor() => new MemberCursor(this);

    /// <summary>Adds a payload's members; false for a bad payload or a member already here.</summary>
    public override bool TryAppendPayload(ReadOnlySpan<byte> payload, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!StoreObjectFormat.TryReadHeader(ref payload, 1, out var count))
        {
            return false;
        }

        for (var i = 0UL; i < count; i++)
        {
            if (!StoreObjectFormat.TryReadBytes(ref payload, out var member) || !Add(member, settings))
            {
                return false;
            }
        }

        return payload.IsEmpty;
    }

    private sealed class MemberCursor(SetObject set) : PayloadCursor
    {
        private readonly byte[] _text = new byte[SetMember.MaxIntegerLength];
        private Enumerator _members = set.GetEnumerator();

        public override bool MoveNext() => _members.MoveNext();

        public override int Size => StoreObjectFormat.BytesSize(_members.Current.Format(_text).Length);

        public override void Write(IBufferWriter<byte> output) => StoreObjectFormat.WriteBytes(output, _members.Current.Format(_text));
    }
}
