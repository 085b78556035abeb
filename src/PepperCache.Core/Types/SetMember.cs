using System.Globalization;

namespace PepperCache.Core.Types;

/// <summary>
/// One member of a set as the set holds it: an integer of an intset, or the bytes of a hashtable member. Lets set
/// algebra and replies work across encodings without formatting integers until bytes are needed.
/// </summary>
public readonly struct SetMember
{
    /// <summary>Room <see cref="Format"/> needs: the digits and sign of <see cref="long.MinValue"/>.</summary>
    public const int MaxIntegerLength = 20;

    private readonly byte[]? _bytes;

    public SetMember(long integer) => Integer = integer;

    public SetMember(byte[] bytes) => _bytes = bytes;

    /// <summary>True for an intset member (<see cref="Integer"/>); false for a hashtable member (<see cref="Bytes"/>).</summary>
    public bool IsInteger => _bytes is null;

    public long Integer { get; }

    /// <summary>The member's bytes (a hashtable member only; immutable, may be kept after the lock).</summary>
    public byte[] Bytes => _bytes!;

    /// <summary>The member as Redis sends it: the decimal text of an integer (written into <paramref name="scratch"/>), else its bytes.</summary>
    public ReadOnlySpan<byte> Format(Span<byte> scratch)
    {
        if (_bytes is not null)
        {
            return _bytes;
        }

        Integer.TryFormat(scratch, out var written, default, CultureInfo.InvariantCulture);
        return scratch[..written];
    }

    /// <summary>The member's bytes as an array of its own (an integer is formatted).</summary>
    public byte[] ToArray() => _bytes ?? System.Text.Encoding.ASCII.GetBytes(Integer.ToString(CultureInfo.InvariantCulture));
}
