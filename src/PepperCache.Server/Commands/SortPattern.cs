using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Server.Commands;

/// <summary>
/// SORT's BY and GET patterns, as Redis's lookupKeyByPattern reads them: <c>#</c> is the element itself; otherwise
/// the first <c>*</c> is replaced by the element to name a key, whose string is the value, or, with <c>-&gt;field</c>
/// after the <c>*</c>, that field of the hash there. A pattern without <c>*</c> names nothing. Redis searches the
/// pattern as a C string (up to its first NUL byte), and so does this.
/// </summary>
internal static class SortPattern
{
    /// <summary>Whether the pattern is <c>#</c>, which gives the element without reading a key.</summary>
    public static bool IsElement(ReadOnlySpan<byte> pattern) => CString.Of(pattern) is [(byte)'#'];

    /// <summary>Whether looking the pattern up reads a key (it has a <c>*</c> and is not <c>#</c>).</summary>
    public static bool ReadsKeys(ReadOnlySpan<byte> pattern) => !IsElement(pattern) && CString.Of(pattern).IndexOf((byte)'*') >= 0;

    /// <summary>What <paramref name="pattern"/> names for <paramref name="element"/>: a copy, or null when nothing is there.</summary>
    public static byte[]? Lookup(KeyValueStore store, ReadOnlySpan<byte> pattern, byte[] element)
    {
        if (IsElement(pattern))
        {
            return element;
        }

        var text = CString.Of(pattern);
        var star = text.IndexOf((byte)'*');
        if (star < 0)
        {
            return null;
        }

        // "->" counts only after the '*' and with at least one byte after it.
        var arrow = text[(star + 1)..].IndexOf("->"u8);
        var fieldStart = arrow >= 0 && star + 1 + arrow + 2 < text.Length ? star + 1 + arrow + 2 : -1;
        var postfix = pattern[(star + 1)..(fieldStart >= 0 ? fieldStart - 2 : pattern.Length)];
        var key = new byte[star + element.Length + postfix.Length];
        pattern[..star].CopyTo(key);
        element.CopyTo(key.AsSpan(star));
        postfix.CopyTo(key.AsSpan(star + element.Length));
        return fieldStart >= 0
            ? store.CopyStringOrHashField(key, hasField: true, pattern[fieldStart..])
            : store.CopyStringOrHashField(key, hasField: false, default);
    }
}
