namespace PepperCache.Core.Storage;

/// <summary>
/// How a string was last written, as far as OBJECT ENCODING can tell: Redis reports <c>int</c>, <c>embstr</c> or
/// <c>raw</c> from the value for strings set whole (SET, MSET, INCR...), <c>raw</c> for strings modified in place
/// (APPEND, SETRANGE, SETBIT), whatever their length, and <c>embstr</c> or <c>raw</c> by length for INCRBYFLOAT's
/// result, which Redis never stores as an integer even when it reads as one.
/// </summary>
public enum StringEncoding : byte
{
    /// <summary>Set whole: the encoding follows from the bytes (<see cref="StringEncodings.Of"/>).</summary>
    AsWritten = 0,
    /// <summary>Grown or changed in place: always <c>raw</c>.</summary>
    Raw = 1,
    /// <summary>Made from text that is never turned into an integer (INCRBYFLOAT): <c>embstr</c> or <c>raw</c> by length.</summary>
    Text = 2,
}

public static class StringEncodings
{
    /// <summary>Redis's longest <c>embstr</c> (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).</summary>
    public const int EmbeddedLimit = 44;

    /// <summary>The name OBJECT ENCODING gives a string value written with <paramref name="encoding"/>.</summary>
    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> value, StringEncoding encoding)
    {
        if (encoding == StringEncoding.Raw)
        {
            return "raw"u8;
        }

        // tryObjectEncoding: at most 20 characters that string2l accepts are kept as a long.
        if (encoding == StringEncoding.AsWritten && value.Length <= 20 && Protocol.RespParser.TryParseInt64(value, out _))
        {
            return "int"u8;
        }

        return value.Length <= EmbeddedLimit ? "embstr"u8 : "raw"u8;
    }
}
