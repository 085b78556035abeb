namespace PepperCache.Protocol;

/// <summary>Bytes as Redis's C code reads them where it uses a C string (strtod, strchr, printf's %s): up to the first NUL.</summary>
public static class CString
{
    /// <summary>The C string <paramref name="text"/> starts with: up to its first NUL byte, or all of it.</summary>
    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOf((byte)0);
        return end < 0 ? text : text[..end];
    }
}
