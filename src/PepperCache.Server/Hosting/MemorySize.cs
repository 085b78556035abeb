using System.Globalization;

namespace PepperCache.Server.Hosting;

/// <summary>
/// Redis's memory units: a plain byte count, or k/kb/m/mb/g/gb (k = 1000, kb = 1024), case-insensitive. As Redis's
/// memtoull, no digits at all (an empty value, or a unit alone) is 0, and spaces are not allowed.
/// </summary>
internal static class MemorySize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        text = text.ToLowerInvariant();
        (string Suffix, long Multiplier)[] units =
        [
            ("gb", 1024L * 1024 * 1024), ("mb", 1024L * 1024), ("kb", 1024), ("g", 1_000_000_000), ("m", 1_000_000), ("k", 1000), ("b", 1),
        ];
        var multiplier = 1L;
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                text = text[..^suffix.Length];
                multiplier = factor;
                break;
            }
        }

        if (text.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        try
        {
            bytes = checked(number * multiplier);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
