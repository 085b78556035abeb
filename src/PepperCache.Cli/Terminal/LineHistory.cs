namespace PepperCache.Cli.Terminal;

/// <summary>
/// The lines typed before, oldest first, kept in a file (<c>~/.pepper_cli_history</c>) one line each, as redis-cli
/// keeps <c>~/.rediscli_history</c>. The file is rewritten after every line, so a killed session loses nothing.
/// </summary>
internal sealed class LineHistory
{
    public const int MaxLines = 1000;

    private readonly List<string> _lines = [];
    private readonly string? _path;

    /// <param name="path">The history file; null keeps history in memory only.</param>
    public LineHistory(string? path = null)
    {
        _path = path;
        if (path is null || !File.Exists(path))
        {
            return;
        }

        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.Length > 0)
                {
                    Add(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable history is no reason not to start.
        }
    }

    /// <summary>$HOME/.pepper_cli_history, or null when there is no home directory.</summary>
    public static string? DefaultPath()
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".pepper_cli_history");
    }

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Remembers a line (not a repeat of the last one, nor one holding a password) and saves the file.</summary>
    public void Remember(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (string.IsNullOrWhiteSpace(line) || line.Contains('\n', StringComparison.Ordinal) || IsSensitive(line)
            || (_lines.Count > 0 && _lines[^1] == line))
        {
            return;
        }

        Add(line);
        Save();
    }

    // As redis-cli: commands that carry a password are not written to disk.
    private static bool IsSensitive(string line)
    {
        var words = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        var first = words[0];
        var second = words.Length > 1 ? words[1] : "";
        return first.Equals("auth", StringComparison.OrdinalIgnoreCase)
               || (first.Equals("acl", StringComparison.OrdinalIgnoreCase) && second.Equals("setuser", StringComparison.OrdinalIgnoreCase))
               || (first.Equals("hello", StringComparison.OrdinalIgnoreCase) && line.Contains(" auth ", StringComparison.OrdinalIgnoreCase))
               || (first.Equals("config", StringComparison.OrdinalIgnoreCase) && second.Equals("set", StringComparison.OrdinalIgnoreCase)
                   && (line.Contains("requirepass", StringComparison.OrdinalIgnoreCase) || line.Contains("masterauth", StringComparison.OrdinalIgnoreCase)))
               || (first.Equals("migrate", StringComparison.OrdinalIgnoreCase) && line.Contains(" auth", StringComparison.OrdinalIgnoreCase));
    }

    private void Add(string line)
    {
        if (_lines.Count == MaxLines)
        {
            _lines.RemoveAt(0);
        }

        _lines.Add(line);
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            File.WriteAllLines(_path, _lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // As redis-cli: history that cannot be saved is not worth interrupting the session for.
        }
    }
}
