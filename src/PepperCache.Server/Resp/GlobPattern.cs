namespace PepperCache.Server.Resp;

/// <summary>
/// Redis's glob matching (<c>stringmatchlen</c>) over names: <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a-z]</c> and
/// <c>\</c> escapes. For CONFIG GET and COMMAND LIST, which match short names, so a plain recursive walk is fine.
/// </summary>
internal static class GlobPattern
{
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase)
    {
        while (!pattern.IsEmpty)
        {
            switch (pattern[0])
            {
                case '*':
                    while (pattern.Length > 1 && pattern[1] == '*')
                    {
                        pattern = pattern[1..];
                    }

                    if (pattern.Length == 1)
                    {
                        return true;
                    }

                    for (var i = 0; i <= text.Length; i++)
                    {
                        if (IsMatch(pattern[1..], text[i..], ignoreCase))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (text.IsEmpty)
                    {
                        return false;
                    }

                    text = text[1..];
                    pattern = pattern[1..];
                    break;
                case '[':
                    if (text.IsEmpty || !MatchSet(ref pattern, text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                default:
                    if (pattern[0] == '\\' && pattern.Length >= 2)
                    {
                        pattern = pattern[1..];
                    }

                    if (text.IsEmpty || !SameChar(pattern[0], text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    pattern = pattern[1..];
                    break;
            }
        }

        return text.IsEmpty;
    }

    /// <summary>True when <paramref name="text"/> has a character that makes it a pattern rather than a name.</summary>
    public static bool HasWildcards(ReadOnlySpan<char> text) => text.IndexOfAny("*?[") >= 0;

    /// <summary>Matches one character against the set at the start of <paramref name="pattern"/> and skips past it.</summary>
    private static bool MatchSet(ref ReadOnlySpan<char> pattern, char c, bool ignoreCase)
    {
        pattern = pattern[1..];
        var negate = !pattern.IsEmpty && pattern[0] == '^';
        if (negate)
        {
            pattern = pattern[1..];
        }

        var matched = false;
        while (!pattern.IsEmpty && pattern[0] != ']')
        {
            if (pattern[0] == '\\' && pattern.Length >= 2)
            {
                pattern = pattern[1..];
                matched |= SameChar(pattern[0], c, ignoreCase);
                pattern = pattern[1..];
            }
            else if (pattern.Length >= 3 && pattern[1] == '-')
            {
                var (low, high) = pattern[0] <= pattern[2] ? (pattern[0], pattern[2]) : (pattern[2], pattern[0]);
                var probe = ignoreCase ? char.ToLowerInvariant(c) : c;
                if (ignoreCase)
                {
                    (low, high) = (char.ToLowerInvariant(low), char.ToLowerInvariant(high));
                }

                matched |= probe >= low && probe <= high;
                pattern = pattern[3..];
            }
            else
            {
                matched |= SameChar(pattern[0], c, ignoreCase);
                pattern = pattern[1..];
            }
        }

        // An unterminated set runs to the end of the pattern, as in Redis.
        if (!pattern.IsEmpty)
        {
            pattern = pattern[1..];
        }

        return matched != negate;
    }

    private static bool SameChar(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));
}
