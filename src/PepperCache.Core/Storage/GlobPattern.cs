namespace PepperCache.Core.Storage;

/// <summary>
/// Redis's glob matching (<c>stringmatchlen</c> in util.c), as used by KEYS, SCAN MATCH and CONFIG GET.
/// </summary>
/// <remarks>
/// <para>
/// Syntax: <c>*</c> any run of bytes, <c>?</c> any one byte, <c>[abc]</c> a set, <c>[^abc]</c> its complement,
/// <c>[a-z]</c> a range (reversed ranges such as <c>[z-a]</c> work too), <c>\x</c> the byte x literally. Matching is
/// byte-wise and binary-safe. Malformed patterns behave as in Redis: an unterminated <c>[</c> set ends at the end
/// of the pattern, and a trailing <c>\</c> matches a backslash.
/// </para>
/// <para>
/// Two details are deliberately carried over from Redis on x86-64: range bounds and the tested byte compare as
/// signed chars, so <c>[\x01-\xff]</c> is the range -1..1 (bytes 0xff, 0x00 and 0x01); and case folding, when asked
/// for, is ASCII only (C locale <c>tolower</c>).
/// </para>
/// <para>
/// Cost is bounded as in Redis 7.4: after the rest of a pattern has failed to match anywhere in the rest of the
/// string, no earlier <c>*</c> tries a longer match (so <c>*a*a*a...b</c> is polynomial, not exponential), and
/// each <c>*</c> group recurses one level, capped at <see cref="MaxNesting"/> levels so no pattern can exhaust the stack.
/// </para>
/// </remarks>
public static class GlobPattern
{
    /// <summary>Deepest <c>*</c> nesting tried; a pattern needing more does not match (Redis 7.4 uses the same limit).</summary>
    public const int MaxNesting = 1000;

    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        var skipLongerMatches = false;
        return Match(pattern, text, ignoreCase, ref skipLongerMatches, 0);
    }

    private static bool Match(
        ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase, ref bool skipLongerMatches, int nesting)
    {
        if (nesting > MaxNesting)
        {
            return false;
        }

        var p = 0;
        var s = 0;
        while (p < pattern.Length && s < text.Length)
        {
            switch (pattern[p])
            {
                case (byte)'*':
                    while (p + 1 < pattern.Length && pattern[p + 1] == (byte)'*')
                    {
                        p++;
                    }

                    if (p + 1 == pattern.Length)
                    {
                        return true;
                    }

                    for (; s < text.Length; s++)
                    {
                        if (Match(pattern[(p + 1)..], text[s..], ignoreCase, ref skipLongerMatches, nesting + 1))
                        {
                            return true;
                        }

                        if (skipLongerMatches)
                        {
                            return false;
                        }
                    }

                    // The rest of the pattern matches nowhere in the rest of the text, so a longer match for an
                    // earlier '*' cannot help either: tell every enclosing level to give up.
                    skipLongerMatches = true;
                    return false;

                case (byte)'?':
                    s++;
                    break;

                case (byte)'[':
                    if (!MatchSet(pattern, ref p, text[s], ignoreCase))
                    {
                        return false;
                    }

                    s++;
                    break;

                case (byte)'\\':
                    if (pattern.Length - p >= 2)
                    {
                        p++;
                    }

                    goto default;

                default:
                    if (!SameByte(pattern[p], text[s], ignoreCase))
                    {
                        return false;
                    }

                    s++;
                    break;
            }

            p++;
            if (s == text.Length)
            {
                while (p < pattern.Length && pattern[p] == (byte)'*')
                {
                    p++;
                }

                break;
            }
        }

        return p == pattern.Length && s == text.Length;
    }

    /// <summary>
    /// Matches one byte against the set starting at the '[' in <paramref name="p"/>, leaving <paramref name="p"/> on
    /// the closing ']' (or on the last pattern byte when the set is unterminated).
    /// </summary>
    private static bool MatchSet(ReadOnlySpan<byte> pattern, ref int p, byte c, bool ignoreCase)
    {
        p++;
        var negate = p < pattern.Length && pattern[p] == (byte)'^';
        if (negate)
        {
            p++;
        }

        var matched = false;
        while (true)
        {
            if (p >= pattern.Length)
            {
                // Unterminated: step back so the caller's advance lands exactly on the end of the pattern.
                p--;
                break;
            }

            var b = pattern[p];
            if (b == (byte)'\\' && pattern.Length - p >= 2)
            {
                p++;
                if (pattern[p] == c)
                {
                    matched = true;
                }
            }
            else if (b == (byte)']')
            {
                break;
            }
            else if (pattern.Length - p >= 3 && pattern[p + 1] == (byte)'-')
            {
                // Signed, as C's char is on the platforms Redis ships for.
                int start = (sbyte)b;
                int end = (sbyte)pattern[p + 2];
                int value = (sbyte)c;
                if (start > end)
                {
                    (start, end) = (end, start);
                }

                if (ignoreCase)
                {
                    start = ToLower(start);
                    end = ToLower(end);
                    value = ToLower(value);
                }

                p += 2;
                if (value >= start && value <= end)
                {
                    matched = true;
                }
            }
            else if (SameByte(b, c, ignoreCase))
            {
                matched = true;
            }

            p++;
        }

        return matched != negate;
    }

    private static bool SameByte(byte a, byte b, bool ignoreCase)
        => a == b || (ignoreCase && ToLower(a) == ToLower(b));

    private static int ToLower(int c) => c is >= 'A' and <= 'Z' ? c + ('a' - 'A') : c;
}
